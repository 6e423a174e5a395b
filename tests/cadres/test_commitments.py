"""定·查·评: commitments (承诺实事), the ledger, 督查, the grade, their pages and API."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cadres import services
from cadres.choices import (
    CommitmentGrade,
    CommitmentStatus,
    FocusArea,
    InspectionFinding,
    InspectionLevel,
    PostKind,
    ProgressStatus,
    TargetKind,
)
from cadres.models import Commitment, CommitmentAmendment, Inspection, Milestone, ProgressEntry
from cadres.selectors import commitments_due
from tests import factories
from townships import inputs
from townships.models import AuditEvent, Message, Township

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = timezone.localdate()
YEAR = TODAY.year
FIXED = 5  # session, user, idle-timeout save (savepoint, update, release)
PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 64


@pytest.fixture
def cadre(branch):
    """A village cadre of 李家村 in office this year."""
    return factories.TenureFactory(
        village=branch.village,
        post=PostKind.VILLAGE_MEMBER,
        person=factories.PersonFactory(township=branch.township, village=branch.village, name="张明"),
    ).person


def _create(actor, branch, cadre, **overrides):
    data = {
        "actor": actor,
        "organization": branch,
        "year": YEAR,
        "title": "硬化村组道路",
        "focus": FocusArea.LIVELIHOOD,
        "responsible": cadre,
        "plan": "分两段施工",
        "target_kind": TargetKind.QUANTITY,
        "target_quantity": Decimal(2),
        "target_unit": "公里",
        "milestones": [
            {"title": "路基", "due_on": D(YEAR, 1, 31), "quantity": Decimal(1)},
            {"title": "完工", "due_on": D(YEAR, 12, 31), "quantity": Decimal(2)},
        ],
    }
    return services.commitment_create(**(data | overrides))


@pytest.fixture
def approved(staff_user, branch, cadre):
    c = _create(staff_user, branch, cadre, submit=True)
    return services.commitment_approve(actor=staff_user, commitment=c)


# --- Services -------------------------------------------------------------------------


def test_a_commitment_goes_from_draft_to_approved_with_an_audit_at_each_step(staff_user, branch, cadre):
    c = _create(staff_user, branch, cadre)
    assert (c.status, c.township_id, c.village_id) == (CommitmentStatus.DRAFT, branch.township_id, branch.village_id)
    assert c.milestones.count() == 2
    services.commitment_submit(actor=staff_user, commitment=c)
    services.commitment_return(actor=staff_user, commitment=c, reason="目标不具体")
    c.refresh_from_db()
    assert (c.status, c.return_reason) == (CommitmentStatus.RETURNED, "目标不具体")
    services.commitment_submit(actor=staff_user, commitment=c)
    services.commitment_approve(actor=staff_user, commitment=c)
    c.refresh_from_db()
    assert c.status == CommitmentStatus.APPROVED and c.approved_by == staff_user
    assert AuditEvent.objects.filter(target_type="cadres.commitment", target_id=str(c.pk)).count() == 5


def test_it_refuses_a_responsible_person_without_a_post_in_that_village_that_year(staff_user, branch, cadre):
    stranger = factories.PersonFactory(township=branch.township, name="李四")
    with pytest.raises(ValidationError) as error:
        _create(staff_user, branch, cadre, responsible=stranger)
    assert "responsible" in error.value.message_dict and "没有在" in error.value.message_dict["responsible"][0]
    # A tenure that ended before the year does not count either.
    factories.TenureFactory(
        village=branch.village, person=stranger, post=PostKind.VILLAGE_MEMBER, started_on=D(2018, 1, 1),
        ended_on=D(YEAR, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValidationError, match="没有在"):
        _create(staff_user, branch, cadre, responsible=stranger)
    assert not Commitment.objects.exists()


def test_it_refuses_a_milestone_outside_the_year_naming_the_row(staff_user, branch, cadre):
    rows = [{"title": "路基", "due_on": D(YEAR, 3, 1)}, {"title": "完工", "due_on": D(YEAR + 1, 1, 15)}]
    with pytest.raises(ValidationError) as error:
        _create(staff_user, branch, cadre, milestones=rows)
    assert "第 2 个节点" in error.value.message_dict["milestones"][0]
    assert "不在承诺年度" in error.value.message_dict["milestones"][0]
    assert not Commitment.objects.exists() and not Milestone.objects.exists()


def test_a_quantity_target_needs_its_quantity_and_unit(staff_user, branch, cadre):
    with pytest.raises(ValidationError) as error:
        _create(staff_user, branch, cadre, target_quantity=None, target_unit="")
    assert {"target_quantity", "target_unit"} <= set(error.value.message_dict)


def test_progress_on_an_unapproved_commitment_is_refused(staff_user, branch, cadre):
    c = _create(staff_user, branch, cadre)
    with pytest.raises(ValidationError, match="尚未审核通过"):
        services.progress_record(actor=staff_user, commitment=c, on_date=TODAY, quantity=Decimal(1), note="x")
    assert not ProgressEntry.objects.exists()


def test_the_townships_progress_is_approved_at_once_a_villages_waits(approved, staff_user, viewer_user):
    from django.core.exceptions import PermissionDenied

    from townships.models import Message
    from townships.review import entry_kind
    from townships.services import village_entry_decide

    milestone = approved.milestones.first()
    mine = services.progress_record(
        actor=staff_user, commitment=approved, milestone=milestone, on_date=TODAY, quantity=Decimal("0.5"), note="开工",
        evidence=SimpleUploadedFile("site.png", PNG), evidence_kind="photo",
    )  # fmt: skip
    assert mine.status == ProgressStatus.APPROVED and mine.evidence
    with pytest.raises(PermissionDenied):  # the viewer reads, never writes
        services.progress_record(actor=viewer_user, commitment=approved, on_date=TODAY, percent=40, note="x")
    login = factories.village_staff(approved.village, username="village-login")
    theirs = services.progress_record(actor=login, commitment=approved, on_date=TODAY, percent=40, note="x")
    assert theirs.status == ProgressStatus.PENDING
    assert Message.objects.filter(recipient=staff_user, title__contains="台账记录").count() == 1
    kind = entry_kind(services.PROGRESS_ENTRY)
    village_entry_decide(actor=staff_user, kind=kind, entry=theirs, approve=True)
    theirs.refresh_from_db()
    assert theirs.status == ProgressStatus.APPROVED and theirs.reviewed_by == staff_user
    with pytest.raises(ValidationError):
        village_entry_decide(actor=staff_user, kind=kind, entry=theirs, approve=False, reason="x")


def test_progress_refuses_a_photo_that_is_not_an_image(approved, staff_user):
    with pytest.raises(ValidationError) as error:
        services.progress_record(
            actor=staff_user, commitment=approved, on_date=TODAY, quantity=Decimal(1), note="x",
            evidence=SimpleUploadedFile("x.png", b"not an image"), evidence_kind="photo",
        )  # fmt: skip
    assert "evidence" in error.value.message_dict
    assert not ProgressEntry.objects.exists()


def test_an_amendment_keeps_before_after_and_reason(approved, staff_user, cadre):
    services.commitment_amend(
        actor=staff_user,
        commitment=approved,
        reason="资金到位推迟",
        target_quantity=Decimal(3),
        title="硬化道路 3 公里",
    )
    amendment = CommitmentAmendment.objects.get(commitment=approved)
    assert amendment.changes["目标数量"] == ["2", "3"]
    assert amendment.changes["承诺事项"] == ["硬化村组道路", "硬化道路 3 公里"]
    assert amendment.reason == "资金到位推迟"
    with pytest.raises(ValidationError, match="变更原因"):
        services.commitment_amend(actor=staff_user, commitment=approved, reason="", title="x")
    with pytest.raises(ValidationError, match="没有变更"):
        services.commitment_amend(actor=staff_user, commitment=approved, reason="无", title="硬化道路 3 公里")


def test_a_milestone_with_progress_cannot_be_dropped_by_an_amendment(approved, staff_user):
    first, second = approved.milestones.order_by("due_on")
    services.progress_record(
        actor=staff_user, commitment=approved, milestone=first, on_date=TODAY, quantity=Decimal(1), note="x"
    )
    rows = [{"id": second.pk, "title": second.title, "due_on": second.due_on, "quantity": second.quantity}]
    with pytest.raises(ValidationError, match="不能删除"):
        services.commitment_amend(actor=staff_user, commitment=approved, reason="调整", milestones=rows)
    assert approved.milestones.count() == 2


def test_inspection_needs_a_rectification_and_deadline_unless_on_track_and_closes(approved, staff_user, admin_user):
    with pytest.raises(ValidationError) as error:
        services.inspection_record(
            actor=admin_user, commitment=approved, inspected_on=TODAY, finding=InspectionFinding.BEHIND
        )
    assert {"rectification", "rectify_by"} <= set(error.value.message_dict)
    inspection = services.inspection_record(
        actor=admin_user, commitment=approved, inspected_on=TODAY, finding=InspectionFinding.BEHIND,
        rectification="加快施工", rectify_by=TODAY + datetime.timedelta(days=10),
    )  # fmt: skip
    assert inspection.level == InspectionLevel.COUNTY
    township_check = services.inspection_record(
        actor=staff_user, commitment=approved, inspected_on=TODAY, finding=InspectionFinding.ON_TRACK
    )
    assert township_check.level == InspectionLevel.TOWNSHIP
    services.inspection_close(actor=staff_user, inspection=inspection, closed_on=TODAY, closing_note="已整改")
    with pytest.raises(ValidationError, match="已销号"):
        services.inspection_close(actor=staff_user, inspection=inspection, closed_on=TODAY, closing_note="again")


def test_a_grade_is_year_end_and_tells_its_listeners(staff_user, branch, cadre, monkeypatch):
    last_year = factories.commitment(branch, actor=staff_user, year=YEAR - 1, responsible=cadre)
    told = []
    monkeypatch.setattr(inputs, "LISTENERS", [lambda **kw: told.append(kw)])
    services.commitment_grade(actor=staff_user, commitment=last_year, grade=CommitmentGrade.DONE, note="按期完成")
    services.commitment_grade(actor=staff_user, commitment=last_year, grade=CommitmentGrade.BASIC, note="更正")
    last_year.refresh_from_db()
    assert last_year.grade == CommitmentGrade.BASIC and last_year.graded_by == staff_user
    # A month reads the grades given by its end: the months from today's on are told.
    assert told == [{"county_id": branch.township.county_id, "since": TODAY, "actor": staff_user}] * 2
    next_year = factories.commitment(
        branch, actor=staff_user, year=YEAR + 1, responsible=cadre, milestones=(("x", D(YEAR + 1, 5, 1), None),)
    )
    with pytest.raises(ValidationError, match="年终"):
        services.commitment_grade(actor=staff_user, commitment=next_year, grade=CommitmentGrade.DONE, note="x")


def test_overdue_items_reach_the_messages_once(approved, staff_user, admin_user):
    services.inspection_record(
        actor=admin_user, commitment=approved, inspected_on=D(YEAR, 1, 2), finding=InspectionFinding.PROBLEM,
        rectification="补齐台账", rectify_by=D(YEAR, 1, 20),
    )  # fmt: skip
    day = max(TODAY, D(YEAR, 2, 1))
    due = commitments_due(townships=Township.objects.filter(pk=approved.township_id), today=day)
    assert {i.kind for i in due} == {"milestone", "rectification"}
    assert services.commitments_remind(today=day) == 2
    services.commitments_remind(today=day)
    assert Message.objects.filter(recipient=staff_user).count() == 2


# --- Pages ----------------------------------------------------------------------------------


def _post_create(client, branch, cadre, **extra):
    data = {
        "organization": branch.pk, "year": YEAR, "title": "新建文化广场", "focus": "livelihood",
        "responsible": cadre.pk, "plan": "选址、施工、验收", "target_kind": "done",
        "m-TOTAL_FORMS": 3, "m-INITIAL_FORMS": 0,
        "m-0-title": "选址", "m-0-due_on": f"{YEAR}-04-30", "m-1-title": "验收", "m-1-due_on": f"{YEAR}-11-30",
    }  # fmt: skip
    return client.post(reverse("commitment-create"), data | extra)


def test_a_clerk_enters_a_commitment_with_milestones_in_one_form(client, staff_user, branch, cadre):
    client.force_login(staff_user)
    assert client.get(reverse("commitment-create")).status_code == 200
    response = _post_create(client, branch, cadre, submit="on")
    c = Commitment.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("commitment-detail", args=[c.pk])
    assert c.status == CommitmentStatus.SUBMITTED and c.milestones.count() == 2
    page = client.get(reverse("commitment-detail", args=[c.pk])).content.decode()
    assert "选址" in page and "审核通过" in page
    assert client.get(reverse("commitment-action", args=[c.pk, "approve"])).status_code == 200
    client.post(reverse("commitment-action", args=[c.pk, "approve"]))
    c.refresh_from_db()
    assert c.status == CommitmentStatus.APPROVED


def test_the_form_shows_a_milestone_outside_the_year_in_place(client, staff_user, branch, cadre):
    client.force_login(staff_user)
    response = _post_create(client, branch, cadre, **{"m-1-due_on": f"{YEAR + 1}-01-05"})
    assert response.status_code == 200 and "第 2 个节点" in response.content.decode()
    assert not Commitment.objects.exists()


def test_every_commitment_page_answers(client, staff_user, approved, admin_user):
    services.progress_record(actor=staff_user, commitment=approved, on_date=TODAY, quantity=Decimal(1), note="x")
    inspection = services.inspection_record(
        actor=admin_user, commitment=approved, inspected_on=TODAY, finding=InspectionFinding.BEHIND,
        rectification="加快", rectify_by=TODAY,
    )  # fmt: skip
    client.force_login(staff_user)
    for url in (
        reverse("commitment-detail", args=[approved.pk]),
        reverse("commitment-edit", args=[approved.pk]),
        reverse("commitment-progress", args=[approved.pk]),
        reverse("commitment-inspect", args=[approved.pk]),
        reverse("commitment-grade", args=[approved.pk]),
        reverse("inspection-close", args=[inspection.pk]),
        reverse("commitment-board", args=[approved.village_id]) + f"?year={YEAR}",
        reverse("commitment-notice", args=[approved.village_id]) + f"?year={YEAR}",
        reverse("commitment-overview") + f"?year={YEAR}",
        reverse("commitment-overview") + f"?year={YEAR}&township={approved.township_id}",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    notice = client.get(reverse("commitment-notice", args=[approved.village_id])).content.decode()
    assert "承诺实事公示" in notice and "硬化村组道路" in notice


def test_progress_with_a_photo_through_the_page(client, staff_user, approved):
    client.force_login(staff_user)
    response = client.post(
        reverse("commitment-progress", args=[approved.pk]),
        {"on_date": TODAY.isoformat(), "quantity": "1.5", "note": "路基完成", "evidence_kind": "photo",
         "evidence": SimpleUploadedFile("road.png", PNG, content_type="image/png")},
    )  # fmt: skip
    assert response.status_code == 302
    entry = ProgressEntry.objects.get()
    assert entry.status == ProgressStatus.APPROVED
    assert client.get(reverse("progress-evidence", args=[entry.pk])).status_code == 200


def test_another_townships_commitment_answers_404_and_the_viewer_cannot_write(
    client, other_staff_user, viewer_user, approved
):
    client.force_login(other_staff_user)
    for name in ("commitment-detail", "commitment-edit", "commitment-progress", "commitment-grade"):
        assert client.get(reverse(name, args=[approved.pk])).status_code == 404
    assert client.get(reverse("commitment-board", args=[approved.village_id])).status_code == 404
    assert "硬化村组道路" not in client.get(reverse("commitment-list")).content.decode()
    client.force_login(viewer_user)
    assert client.get(reverse("commitment-detail", args=[approved.pk])).status_code == 200
    response = client.post(reverse("commitment-progress", args=[approved.pk]), {"on_date": TODAY, "note": "x"})
    assert response.status_code == 403
    assert client.post(reverse("commitment-action", args=[approved.pk, "return"]), {"reason": "x"}).status_code == 403
    assert not ProgressEntry.objects.exists()


def _more(branch, cadre, staff_user, n):
    for i in range(n):
        c = _create(staff_user, branch, cadre, title=f"承诺{i}-{Commitment.objects.count()}", submit=True)
        c = services.commitment_approve(actor=staff_user, commitment=c)
        services.inspection_record(
            actor=staff_user, commitment=c, inspected_on=TODAY, finding=InspectionFinding.ON_TRACK
        )


@pytest.mark.parametrize(("name", "extra"), [("commitment-list", 1), ("inspection-list", 1)])
def test_list_pages_have_a_pinned_query_count(client, admin_user, staff_user, branch, cadre, name, extra,
                                              django_assert_num_queries):  # fmt: skip
    client.force_login(admin_user)
    _more(branch, cadre, staff_user, 2)
    with django_assert_num_queries(FIXED + 3 + extra):  # township choices, count, page; villages select
        assert client.get(reverse(name)).status_code == 200
    _more(branch, cadre, staff_user, 3)
    with django_assert_num_queries(FIXED + 3 + extra):
        assert client.get(reverse(name)).status_code == 200


def test_the_overdue_filter_and_the_export(client, staff_user, approved, branch, cadre):
    other = _create(staff_user, branch, cadre, title="未逾期", milestones=[{"title": "x", "due_on": D(YEAR, 12, 31)}])
    client.force_login(staff_user)
    page = client.get(reverse("commitment-list") + "?overdue=true").content.decode()
    overdue_expected = TODAY > D(YEAR, 1, 31)
    assert ("硬化村组道路" in page) == overdue_expected and other.title not in page
    export = client.get(reverse("commitment-export") + f"?year={YEAR}")
    cells = {str(c.value) for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row}
    assert {"硬化村组道路", "2 公里", "已审核", "未逾期"} <= cells


# --- API -----------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["api:commitment-list", "api:inspection-list"])
def test_api_lists_have_a_pinned_query_count_and_are_scoped(
    api, admin_user, other_staff_user, staff_user, branch, cadre, route, django_assert_num_queries
):
    api.force_authenticate(admin_user)
    _more(branch, cadre, staff_user, 2)
    queries = {"api:commitment-list": 3, "api:inspection-list": 2}[route]  # count, page (+ milestones)
    with django_assert_num_queries(queries):
        assert api.get(reverse(route)).status_code == 200
    _more(branch, cadre, staff_user, 2)
    with django_assert_num_queries(queries):
        assert api.get(reverse(route)).json()["count"] == 4
    assert api.get(reverse(route) + f"?township={branch.township_id}&year={YEAR}").json()["count"] == 4
    api.force_authenticate(other_staff_user)
    assert api.get(reverse(route)).json()["count"] == 0


def test_api_commitment_carries_its_milestones(api, admin_user, approved):
    factories.use_token(api, admin_user)
    body = api.get(reverse("api:commitment-detail", args=[approved.pk])).json()
    assert body["target_unit"] == "公里" and [m["title"] for m in body["milestones"]] == ["路基", "完工"]
    assert api.post(reverse("api:commitment-list"), {}).status_code in (403, 405)
    assert Inspection.objects.count() == 0


def test_an_overdue_milestone_is_in_the_townships_to_do(client, staff_user, approved):
    from assessments.selectors import township_todo

    day = max(TODAY, D(YEAR, 2, 1))  # 路基 fell due on 31 January
    todo = township_todo(township=approved.township, today=day, alerts=[])
    assert [i.title for i in todo["commitments"]] == ["路基"]
    if TODAY > D(YEAR, 1, 31):
        client.force_login(staff_user)
        page = client.get(reverse("township-detail", args=[approved.township_id])).content.decode()
        assert "承诺实事逾期节点与整改" in page and "节点“路基”已逾期" in page
