"""Village logins (村级账号, issue 20 item 7): the role, its scope, its allowlist of pages, its home,
and the county administrator's page that opens them."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone

from assessments import services as assessment_services
from assessments.choices import Target
from assessments.demo import create_scheme
from assessments.models import MonthlyReport, Score
from cadres.models import Meeting, PartyMember, Person
from tests import factories
from townships.choices import AuditAction, EntryStatus, Role
from townships.models import AuditEvent, County, Message, Township, User
from townships.scoping import (
    can_edit_in_township,
    can_manage_registry,
    can_reveal_personal_data,
    can_review_village_entries,
    can_submit_village_entries,
    can_write_records,
    scope_for,
)
from townships.village_access import allowed_names
from villages.models import PartyOrganization, Village

pytestmark = pytest.mark.django_db


@pytest.fixture
def sister_village(township):
    """Another village of the same township (A2 beside A1)."""
    return factories.VillageFactory(township=township, name="张庄村")


@pytest.fixture
def committee(township):
    return factories.PartyOrganizationFactory(township=township, name="城关镇党委")


@pytest.fixture
def branch(village, committee):
    return factories.village_branch(village, "李家村党支部", committee)


@pytest.fixture
def sister_branch(sister_village, committee):
    return factories.village_branch(sister_village, "张庄村党支部", committee)


@pytest.fixture
def village_user(village):
    return factories.village_staff(village, username="lijia")


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# --- The role and its scope ----------------------------------------------------------


def test_scope_for_narrows_a_model_with_a_village_path_to_the_users_village(
    village_user, village, sister_village, other_village, branch, sister_branch
):
    assert list(scope_for(village_user, Village.objects.all())) == [village]
    assert list(scope_for(village_user, PartyOrganization.objects.all())) == [branch]
    mine = factories.MeetingFactory(organization=branch)
    factories.MeetingFactory(organization=sister_branch)
    assert list(scope_for(village_user, Meeting.objects.all())) == [mine]


def test_scope_for_shows_a_village_login_nothing_of_a_model_without_a_village_path(
    village_user, township, branch, village
):
    factories.PartyMemberFactory(organization=branch)
    factories.MonthlyReportFactory(village=village)
    for model in (County, Township, Person, PartyMember, MonthlyReport, AuditEvent):
        assert not hasattr(model, "scope_village_path")
        assert scope_for(village_user, model.objects.all()).count() == 0, model
    # The township's own user sees them: the rows exist.
    staff = factories.township_staff(township)
    assert scope_for(staff, PartyMember.objects.all()).count() == 1


def test_the_permission_helpers_allow_a_village_login_only_its_own_entries(village_user, township, village):
    assert not can_write_records(village_user)
    assert not can_edit_in_township(village_user, township.pk)
    assert not can_reveal_personal_data(village_user)
    assert not can_manage_registry(village_user)
    assert not can_review_village_entries(village_user, township.pk)
    assert can_submit_village_entries(village_user)
    assert can_submit_village_entries(village_user, village.pk)
    assert not can_submit_village_entries(village_user, village.pk + 1)
    staff = factories.township_staff(township)
    assert not can_submit_village_entries(staff)


def test_a_village_login_without_its_village_is_refused_by_the_database(township):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(username="novillage", role=Role.VILLAGE_STAFF, county=township.county, township=township)


def test_only_a_village_login_names_a_village(township, village):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create(
            username="staff-with-village",
            role=Role.TOWNSHIP_STAFF,
            county=township.county,
            township=township,
            village=village,
        )


# --- The allowlist --------------------------------------------------------------------


def test_the_allowlist_is_the_pages_a_village_works_in():
    assert allowed_names() == {
        "login",
        "logout",
        "password_change",
        "password_change_done",
        "message-list",
        "home",
        "village-home",
        "meeting-create",
        "meeting-detail",
        "meeting-evidence",
        "commitment-detail",
        "commitment-progress",
        "commitment-file",
        "progress-evidence",
        "survey-create",
        "survey-detail",
    }


@pytest.mark.parametrize(
    "path",
    [
        "/villages/",
        "/villages/organizations/",
        "/records/members/",
        "/records/meetings/",
        "/records/meetings/compliance/",
        "/assessment/scores/",
        "/townships/",
        "/audit/",
        "/review/",
        "/settings/",
        "/api/docs/",
    ],
)
def test_every_other_page_answers_a_village_login_404(village_user, path):
    response = signed_in(village_user).get(path)
    assert response.status_code == 404


def test_a_page_of_its_own_village_outside_the_allowlist_is_404_too(village_user, village):
    # Scoping would let it see its own village's row; the allowlist still closes the page.
    assert signed_in(village_user).get(reverse("village-detail", args=[village.pk])).status_code == 404


def test_the_api_answers_a_village_login_404_whatever_the_method(village_user, village):
    client = signed_in(village_user)
    for path in ("/api/v1/", "/api/v1/villages/", f"/api/v1/villages/{village.pk}/", "/api/v1/meetings/"):
        assert client.get(path).status_code == 404
        assert client.post(path, {}).status_code == 404
    assert client.get("/api/v1/villages/").json() == {"detail": "未找到。"}


def test_the_admin_is_closed_to_a_village_login(village_user):
    assert signed_in(village_user).get("/admin/").status_code == 404


def test_the_allowed_pages_open(village_user, branch):
    client = signed_in(village_user)
    assert client.get(reverse("home")).url == reverse("village-home")
    for name in ("village-home", "meeting-create", "message-list", "password_change"):
        assert client.get(reverse(name)).status_code == 200, name


def test_the_village_home_is_404_to_everyone_else(township, admin_user, staff_user, viewer_user):
    for user in (admin_user, staff_user, viewer_user):
        assert signed_in(user).get(reverse("village-home")).status_code == 404


# --- The home (本村工作台) ---------------------------------------------------------------

YEAR, MONTH = 2026, 3


def _scored_month(villages, admin):
    """Score March 2026 for the villages through the real services (reports filed and approved)."""
    create_scheme(county=villages[0].township.county, year=YEAR)
    for village in villages:
        report = assessment_services.report_save(
            actor=admin,
            village=village,
            year=YEAR,
            month=MONTH,
            values=factories.report_values(
                key_project_progress=80, satisfaction=90, environment_score=85, collective_income=60000
            ),
        )
        assessment_services.report_submit(actor=admin, report=report)
        with TestCase.captureOnCommitCallbacks(execute=True):
            assessment_services.report_review(actor=admin, report=report, approve=True)


@pytest.fixture
def scored(township, admin_user):
    mine = factories.village_with_secretary(township, "李家村")
    sister = factories.village_with_secretary(township, "张庄村")
    _scored_month([mine, sister], admin_user)
    committee = factories.PartyOrganizationFactory(township=township, name="城关镇党委")
    branch = factories.village_branch(mine, "李家村党支部", committee)
    factories.village_branch(sister, "张庄村党支部", committee)
    return mine, sister, branch


def test_the_home_shows_its_own_scorecard_todo_and_messages_only(scored, admin_user):
    mine, sister, branch = scored
    user = factories.village_staff(mine, username="lijia")
    factories.MeetingFactory(organization=branch, topic="本村主题党日", status=EntryStatus.PENDING, recorded_by=user)
    other = factories.MeetingFactory(
        organization=PartyOrganization.objects.get(village=sister), topic="张庄村的会", status=EntryStatus.APPROVED
    )
    Message.objects.create(recipient=user, kind="entry_returned", title="给李家村的消息")
    response = signed_in(user).get(reverse("village-home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "李家村" in html and "张庄村" not in html and other.topic not in html
    assert "本村主题党日" in html and "给李家村的消息" in html
    scores = response.context["scores"]
    assert [s.target for s in scores] == [Target.VILLAGE_SECRETARY]  # the demo scheme scores the secretary
    assert {s.village_id for s in scores} == {mine.pk}
    assert response.context["score_period"] == (YEAR, MONTH)
    assert all(len(s.items.all()) > 10 for s in scores)
    assert response.context["pending"] == 1
    assert response.context["due"], "this month's meetings are due (the pending one does not count)"
    assert 'class="village-home' in html  # the narrow column the phone layout uses (static/css/app.css)


def test_the_home_has_a_pinned_query_count(scored, django_assert_num_queries):
    mine, _sister, branch = scored
    user = factories.village_staff(mine, username="lijia")
    for i in range(5):
        factories.MeetingFactory(organization=branch, topic=f"会议{i}", held_on=datetime.date(2026, 1, 1 + i))
    today = timezone.localdate()
    for i in range(3):  # commitments of this year, each with a milestone long overdue
        factories.commitment(
            branch, year=today.year, title=f"承诺{i}", milestones=[("开工", datetime.date(today.year, 1, 5), None)]
        )
    client = signed_in(user)
    page = client.get(reverse("village-home")).content.decode()  # the session's first request writes its login clock
    assert page.count("逾期 1 项") == 3
    # session, user, village, latest month, scores, items, settings, organizations, meetings counted,
    # recent meetings, pending and returned entries (one query per registered kind: meetings, commitment
    # progress, surveys), this year's commitments and what of them is overdue (milestones, their entries,
    # open 整改), unread messages; the session's save (idle expiry: a savepoint, the update, its release)
    with django_assert_num_queries(24):
        assert client.get(reverse("village-home")).status_code == 200


# --- Opening village logins -------------------------------------------------------------


def test_the_county_administrator_opens_a_village_login(admin_user, village, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("village-login-list"),
        {"village": village.pk, "username": "lijia01", "name": "李家村党支部书记", "password": "Cun-2026-lijia"},
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="lijia01")
    assert (user.role, user.village_id, user.township_id, user.county_id) == (
        Role.VILLAGE_STAFF,
        village.pk,
        village.township_id,
        village.township.county_id,
    )
    assert user.check_password("Cun-2026-lijia")
    assert AuditEvent.objects.filter(action=AuditAction.ROLE_CHANGED, target_id=str(user.pk)).exists()
    assert "lijia01" in client.get(reverse("village-login-list")).content.decode()


def test_a_village_of_another_county_cannot_be_chosen(admin_user, client):
    elsewhere = factories.VillageFactory(township=factories.TownshipFactory(county=factories.CountyFactory()))
    client.force_login(admin_user)
    response = client.post(
        reverse("village-login-list"),
        {"village": elsewhere.pk, "username": "x1", "name": "x", "password": "Cun-2026-lijia"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="x1").exists()


def test_a_weak_password_is_refused_in_place(admin_user, village, client):
    client.force_login(admin_user)
    response = client.post(
        reverse("village-login-list"), {"village": village.pk, "username": "x2", "name": "x", "password": "123"}
    )
    assert response.status_code == 200 and response.context["form"].errors["password"]
    assert not User.objects.filter(username="x2").exists()


def test_only_the_county_administrator_opens_village_logins(staff_user, viewer_user, village):
    for user in (staff_user, viewer_user):
        client = signed_in(user)
        assert client.get(reverse("village-login-list")).status_code == 403
        client.post(
            reverse("village-login-list"),
            {"village": village.pk, "username": "x3", "name": "x", "password": "Cun-2026-lijia"},
        )
    assert not User.objects.filter(username="x3").exists()


def test_the_admin_refuses_a_village_of_another_township(village, other_township):
    from django.forms import modelform_factory

    from townships.admin import UserChangeForm

    user = factories.village_staff(village, username="lijia")
    form_class = modelform_factory(
        User, form=UserChangeForm, fields=["username", "role", "county", "township", "village", "date_joined"]
    )
    form = form_class(
        data={
            "username": user.username,
            "role": Role.VILLAGE_STAFF,
            "county": user.county_id,
            "township": other_township.pk,
            "village": village.pk,
            "date_joined": "2026-01-01 00:00:00",
        },
        instance=user,
    )
    assert not form.is_valid()
    assert "village" in form.errors


def test_scores_are_scoped_to_the_village(scored):
    mine, sister, _branch = scored
    user = factories.village_staff(mine, username="lijia")
    assert set(scope_for(user, Score.objects.all()).values_list("village_id", flat=True)) == {mine.pk}
