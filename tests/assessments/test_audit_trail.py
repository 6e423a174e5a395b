"""Check 5: every act 等保 and PIPL ask about leaves one audit row saying who (the account,
kept after the account is deleted), when, on what, from which address, and with what
result (the action itself says a refusal: login_failed, locked_out, denied).

Each act is done the way its user does it (a page, the API, the admin) from the address
10.1.2.3; the acts done by services in the background take the request they were given."""

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import RunKind, Target
from assessments.models import RemovalFlag, Score, ScoreItem
from tests import factories
from tests.assessments.test_services import MONTH, YEAR, _approve_all
from tests.cadres.test_imports import ROSTER_HEADERS, roster_row, xlsx
from tests.factories import TEST_PASSWORD
from townships.choices import AuditAction, Role
from townships.models import AuditEvent
from villages.choices import OrganizationKind

ADDRESS = "10.1.2.3"


def browser(user=None):
    client = Client(REMOTE_ADDR=ADDRESS)
    if user is not None:
        client.force_login(user)
    return client


def request_from(user):
    request = RequestFactory().post("/", REMOTE_ADDR=ADDRESS)
    request.user = user
    return request


def only_event(action, **filters):
    events = list(AuditEvent.objects.filter(action=action, **filters))
    assert len(events) == 1, (action, [str(e) for e in events])
    event = events[0]
    assert event.created_at is not None
    assert event.ip_address == ADDRESS, (action, event.ip_address)
    assert event.target_repr or event.target_id, action
    return event


@pytest.fixture
def member_file(township, village):
    committee = factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")
    factories.PartyOrganizationFactory(
        township=township, village=village, parent=committee, kind=OrganizationKind.BRANCH, name="中共李家村支部委员会"
    )
    import datetime

    return xlsx("党员名册", ROSTER_HEADERS, [roster_row("审计甲", datetime.date(1980, 3, 4), 1)])


def test_every_act_is_audited_with_who_when_what_where_and_the_result(
    township, admin_user, staff_user, villages, scheme, member_file, figure, django_capture_on_commit_callbacks
):
    county = township.county
    acts = {}

    # Logins: succeeded, failed, and the lockout after five failures.
    assert (
        browser().post(reverse("login"), {"username": staff_user.username, "password": TEST_PASSWORD}).status_code
        == 302
    )
    acts["login"] = only_event(AuditAction.LOGIN, actor=staff_user)
    outsider = browser()
    for _ in range(5):
        outsider.post(reverse("login"), {"username": admin_user.username, "password": "wrong"})
    acts["login failed"] = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILED).first()
    assert acts["login failed"].target_repr == admin_user.username and acts["login failed"].ip_address == ADDRESS
    acts["lockout"] = only_event(AuditAction.LOCKED_OUT)

    # A denial on a page and through the API (township staff may not start a run).
    assert (
        browser(staff_user).post(reverse("run-list"), {"kind": "monthly", "year": YEAR, "period": MONTH}).status_code
        == 403
    )
    api = APIClient(REMOTE_ADDR=ADDRESS)
    factories.use_token(api, staff_user)
    assert api.post("/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": MONTH}).status_code == 403
    denials = AuditEvent.objects.filter(action=AuditAction.DENIED, actor=staff_user)
    assert denials.count() == 2 and {d.ip_address for d in denials} == {ADDRESS}
    acts["denial"] = denials.first()

    # Reveal, export, import, submission, approval.
    person = factories.PersonFactory(township=township)
    assert browser(admin_user).post(reverse("person-reveal", args=[person.pk])).status_code == 200
    acts["reveal"] = only_event(AuditAction.REVEAL, target_id=str(person.pk))
    assert browser(admin_user).get(reverse("member-export")).status_code == 200
    acts["export"] = only_event(AuditAction.EXPORT, actor=admin_user)
    response = browser(staff_user).post(reverse("member-import"), {"file": member_file})
    assert response.status_code in (200, 302)
    acts["import"] = only_event(AuditAction.IMPORT, actor=staff_user)
    acts["submission"], acts["approval"] = _submission_and_approval(staff_user, admin_user, villages[0])

    # Scoring run, override, removal decision (services given the request they serve).
    _approve_all(villages[1:3], admin_user)
    with django_capture_on_commit_callbacks(execute=True):  # the run computes once its start commits
        run = services.scoring_run_start(
            actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH,
            allow_missing=True, request=request_from(admin_user),
        )  # fmt: skip
    acts["scoring run"] = only_event(AuditAction.CREATE, target_id=str(run.pk), target_type="assessments.scoringrun")
    item = ScoreItem.objects.filter(
        score=Score.objects.get(village=villages[1], target=Target.VILLAGE_SECRETARY), indicator__code="A09"
    ).get()
    services.score_override(
        actor=admin_user, item=item, points=25, reason="述职报告质量较高", request=request_from(admin_user)
    )
    acts["override"] = only_event(AuditAction.OVERRIDE)
    flag = RemovalFlag.objects.create(
        person=person, township=township, year=YEAR, state="flagged", incompetent_count=2,
        reason="连续 2 次考核不称职", rated_years=[YEAR - 1, YEAR],
    )  # fmt: skip
    services.removal_decide(
        actor=admin_user, flag=flag, decision="agree", opinion="同意调整", request=request_from(admin_user)
    )
    acts["decision"] = only_event(AuditAction.APPROVE, target_id=str(flag.pk), target_type="assessments.removalflag")

    # A role change in the admin.
    root = factories.UserFactory(
        username="root", is_staff=True, is_superuser=True, role=Role.COUNTY_ADMIN, county=county
    )
    viewer = factories.county_viewer(county, username="promoted")
    change = reverse("admin:townships_user_change", args=[viewer.pk])
    page = browser(root).get(change)
    assert page.status_code == 200
    data = {k: v for k, v in page.context["adminform"].form.initial.items() if v is not None}
    data.update(username="promoted", role=Role.COUNTY_ADMIN, county=county.pk, township="", date_joined_0="2026-01-01",
                date_joined_1="00:00:00", last_login_0="", last_login_1="", is_active="on")  # fmt: skip
    data.pop("groups", None), data.pop("user_permissions", None), data.pop("password", None)
    assert browser(root).post(change, data).status_code == 302
    acts["role change"] = only_event(AuditAction.ROLE_CHANGED, target_id=str(viewer.pk))
    assert acts["role change"].detail["role"] == [Role.COUNTY_VIEWER.value, Role.COUNTY_ADMIN.value]

    # Who: the account's name stays on the rows after the account is deleted.
    staff_name = staff_user.username
    staff_user.delete()
    assert AuditEvent.objects.filter(actor_name=staff_name).count() >= 4
    figure("audit trail", f"{len(acts)} of 13 kinds of act recorded with who, when, what, address and result")
    assert len(acts) == 13


def _submission_and_approval(staff_user, admin_user, village):
    from tests.assessments.test_services import good_values

    report = services.report_save(actor=staff_user, village=village, year=YEAR, month=MONTH, values=good_values())
    data = {k: str(v) for k, v in good_values().items()} | {"version": str(report.version), "submit": "1"}
    assert browser(staff_user).post(reverse("report-form", args=[village.pk, YEAR, MONTH]), data).status_code == 302
    submission = only_event(AuditAction.SUBMIT, target_id=str(report.pk))
    assert browser(admin_user).post(reverse("report-detail", args=[report.pk]), {"approve": "1"}).status_code == 302
    approval = only_event(AuditAction.APPROVE, target_id=str(report.pk))
    return submission, approval
