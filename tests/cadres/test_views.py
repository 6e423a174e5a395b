import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from cadres.choices import PostKind, Stage
from cadres.imports import ROSTER_HEADERS
from cadres.models import Appraisal, Correction, Meeting, MemberPost, MobileRecord, PartyMember, Tenure
from tests import factories
from townships.models import AuditEvent, CountySetting
from villages.models import Matter

pytestmark = pytest.mark.django_db
D = datetime.date
# Every page pays: session, user, and the idle-timeout session save (savepoint, update, release).
FIXED = 5


@pytest.fixture
def members(branch):
    return [factories.PartyMemberFactory(organization=branch) for _ in range(6)]


@pytest.fixture
def foreign_member(other_branch):
    return factories.PartyMemberFactory(organization=other_branch)


LISTS = [
    "person-list",
    "member-list",
    "mobile-list",
    "post-list",
    "correction-list",
    "tenure-list",
    "meeting-list",
    "matter-list",
]


def _more_rows(branch, n):
    for _ in range(n):
        member = factories.PartyMemberFactory(organization=branch)
        MobileRecord.objects.create(member=member, township=branch.township, destination="东莞", since=D(2025, 1, 1))
        factories.TenureFactory(person=member.person, post=PostKind.VILLAGE_MEMBER, village=branch.village)
        factories.MeetingFactory(organization=branch, topic=f"t{member.pk}")
        Matter.objects.create(village=branch.village, township=branch.township, title=f"m{member.pk}")
        MemberPost.objects.create(member=member, township=branch.township, post_type="policy", started_on=D(2025, 3, 1))
        Correction.objects.create(
            member=member, township=branch.township, started_on=D(2025, 12, 1), deadline=D(2026, 6, 1)
        )


# Beyond the filter form's township choices, count and page: one query for each select of names
# (村（社区）, 党组织), and the mobile list reads the county's lost-contact threshold once.
EXTRA_QUERIES = {
    "person-list": 1,  # villages
    "member-list": 2,  # villages, organizations
    "mobile-list": 1,  # county settings
    "post-list": 0,
    "correction-list": 0,
    "tenure-list": 1,  # villages
    "meeting-list": 2,  # villages, organizations
    "matter-list": 1,  # villages
}


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_have_a_pinned_query_count(client, admin_user, branch, name, django_assert_num_queries):
    client.force_login(admin_user)
    _more_rows(branch, 2)
    with django_assert_num_queries(FIXED + 3 + EXTRA_QUERIES[name]):  # township choices, count, page, selects
        assert client.get(reverse(name)).status_code == 200
    _more_rows(branch, 4)
    with django_assert_num_queries(FIXED + 3 + EXTRA_QUERIES[name]):
        assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", LISTS)
def test_list_pages_and_exports_are_scoped(client, staff_user, branch, foreign_member, name):
    _more_rows(branch, 1)
    client.force_login(staff_user)
    page = client.get(reverse(name)).content.decode()
    assert foreign_member.person.name not in page
    export = client.get(reverse(name.replace("-list", "-export")))
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    cells = {str(c.value) for row in sheet.iter_rows() for c in row}
    assert foreign_member.person.name not in cells


def test_another_townships_records_answer_404(client, staff_user, foreign_member, other_branch):
    meeting = factories.MeetingFactory(organization=other_branch, village=None, topic="x")
    matter = Matter.objects.create(village=other_branch.village, township=other_branch.township, title="外乡事项")
    client.force_login(staff_user)
    for url in (
        reverse("person-detail", args=[foreign_member.person_id]),
        reverse("person-update", args=[foreign_member.person_id]),
        reverse("member-detail", args=[foreign_member.pk]),
        reverse("member-transition", args=[foreign_member.pk, "leave"]),
        reverse("meeting-detail", args=[meeting.pk]),
        reverse("meeting-evidence", args=[meeting.pk]),
        reverse("matter-detail", args=[matter.pk]),
        reverse("appraisal-create", args=[other_branch.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("person-reveal", args=[foreign_member.person_id])).status_code == 404


def test_no_page_or_export_shows_a_full_id_number(client, viewer_user, members):
    client.force_login(viewer_user)
    person = members[0].person
    for url in (
        reverse("person-list"),
        reverse("member-list"),
        reverse("person-detail", args=[person.pk]),
        reverse("member-detail", args=[members[0].pk]),
    ):
        page = client.get(url).content.decode()
        assert person.id_number not in page and person.phone not in page
        assert person.id_number_masked in page or url.endswith("/people/") is False
    export = client.get(reverse("member-export")).content
    cells = {str(c.value) for row in load_workbook(io.BytesIO(export)).active.iter_rows() for c in row}
    assert person.id_number not in cells and person.id_number_masked in cells


def test_reveal_is_for_the_roles_that_need_it_and_is_audited(client, viewer_user, admin_user, members):
    person = members[0].person
    client.force_login(viewer_user)
    assert client.post(reverse("person-reveal", args=[person.pk])).status_code == 403
    assert client.get(reverse("person-reveal", args=[person.pk])).status_code == 405
    client.force_login(admin_user)
    page = client.post(reverse("person-reveal", args=[person.pk])).content.decode()
    assert person.id_number in page
    event = AuditEvent.objects.get(action="reveal")
    assert (event.actor, event.target_id) == (admin_user, str(person.pk))


def test_an_eleven_month_activist_is_refused_on_the_page_with_the_rule(client, staff_user, branch, members):
    activist = factories.PartyMemberFactory(
        organization=branch,
        stage=Stage.ACTIVIST,
        activist_on=D(2025, 12, 1),
        candidate_on=None,
        admitted_on=None,
        confirmed_on=None,
    )
    client.force_login(staff_user)
    response = client.post(
        reverse("member-transition", args=[activist.pk, "candidate"]),
        {
            "on_date": "2026-11-02",
            "sponsors": [members[0].pk, members[1].pk],
            "political_check": "passed",
            "training_days": 3,
            "training_hours": 0,
            "notice_from": "2026-10-20",
            "notice_to": "2026-10-30",
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "细则第十四条" in page and "最早 2026-12-01" in page
    activist.refresh_from_db()
    assert activist.stage == Stage.ACTIVIST


def test_viewers_cannot_record(client, viewer_user, members, branch):
    client.force_login(viewer_user)
    assert client.get(reverse("member-transition", args=[members[0].pk, "leave"])).status_code == 403
    assert client.get(reverse("meeting-create")).status_code == 403
    assert client.get(reverse("member-import")).status_code == 403


def test_a_meeting_with_a_photo_is_recorded_and_its_evidence_served_through_scoping(
    client, staff_user, branch, members, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(staff_user)
    png = SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, content_type="image/png")
    response = client.post(
        reverse("meeting-create"),
        {
            "organization": branch.pk,
            "kind": "party_day",
            "held_on": "2026-10-05",
            "topic": "主题党日",
            "entitled": 6,
            "present": 5,
            "evidence": png,
            "evidence_kind": "photo",
        },
    )
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    evidence = client.get(reverse("meeting-evidence", args=[meeting.pk]))
    assert evidence.status_code == 200 and b"".join(evidence.streaming_content).startswith(b"\x89PNG")


def test_a_meeting_with_too_many_attendees_is_refused_on_the_page(client, staff_user, branch, members):
    client.force_login(staff_user)
    page = client.post(
        reverse("meeting-create"),
        {
            "organization": branch.pk,
            "kind": "party_day",
            "held_on": "2026-10-05",
            "topic": "主题党日",
            "entitled": 60,
            "present": 50,
        },
    ).content.decode()
    assert "多于该组织在册党员数" in page
    assert not Meeting.objects.exists()


def test_compliance_page_shows_what_is_missing(client, staff_user, branch, members):
    factories.MeetingFactory(organization=branch, held_on=D(2026, 1, 5), topic="一月", entitled=6, present=6)
    client.force_login(staff_user)
    page = client.get(reverse("meeting-compliance"), {"year": 2026}).content.decode()
    assert branch.name in page and "2026年2月" in page
    assert client.get(reverse("meeting-compliance"), {"year": "abc"}).status_code == 200


def test_roster_upload_page_lists_row_errors(client, staff_user, branch):
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "党员名册"
    sheet.append(ROSTER_HEADERS)
    sheet.append(
        [
            "张三",
            "男",
            "汉族",
            "1980-01-01",
            "110105198001010000",
            "",
            "",
            "",
            "",
            branch.name,
            "正式党员",
            "",
            "",
            "",
            "2010-01-01",
            "",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    client.force_login(staff_user)
    page = client.post(
        reverse("member-import"), {"file": SimpleUploadedFile("r.xlsx", buffer.getvalue())}
    ).content.decode()
    assert "所有记录均未导入" in page and "校验位" in page
    assert not PartyMember.objects.exists()


def test_alerts_page_and_export(client, admin_user, branch, members):
    client.force_login(admin_user)
    page = client.get(reverse("alert-list")).content.decode()
    assert "书记岗位空缺" in page or "书记岗位" in page
    assert client.get(reverse("alert-export")).status_code == 200
    assert AuditEvent.objects.filter(action="export").exists()


def test_county_settings_are_edited_by_the_admin_all_or_nothing(client, admin_user, viewer_user, county):
    client.force_login(viewer_user)
    assert client.get(reverse("county-settings")).status_code == 200
    assert client.post(reverse("county-settings"), {"pipeline.notice_working_days": "7"}).status_code == 403
    client.force_login(admin_user)
    page = client.post(
        reverse("county-settings"), {"pipeline.notice_working_days": "7", "pipeline.min_age": "12"}
    ).content.decode()
    assert "应在 18 到 30 之间" in page
    assert not CountySetting.objects.exists()
    client.post(reverse("county-settings"), {"pipeline.notice_working_days": "7"})
    assert CountySetting.objects.get(county=county, key="pipeline.notice_working_days").value == 7
    assert AuditEvent.objects.filter(action="update", detail__has_key="pipeline.notice_working_days").exists()


def test_village_cadres_page_shows_one_shoulder_and_vacancy(client, admin_user, township, village, members):
    person = members[0].person
    Tenure.objects.create(
        person=person, post=PostKind.VILLAGE_SECRETARY, township=township, village=village, started_on=D(2021, 10, 1)
    )
    Tenure.objects.create(
        person=person, post=PostKind.COMMITTEE_DIRECTOR, township=township, village=village, started_on=D(2021, 10, 1)
    )
    other = factories.VillageFactory(township=township, name="空缺村")
    Tenure.objects.create(
        person=members[1].person,
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=other,
        started_on=D(2021, 10, 1),
        ended_on=D(2025, 1, 1),
    )
    client.force_login(admin_user)
    page = client.get(reverse("village-cadres")).content.decode()
    assert 'text-bg-success">是</span>' in page and "空缺村" in page and "table-danger" in page
    # Pay is the 报酬测算's (dated standards, one rule), linked from here, no longer a column here.
    assert reverse("pay-home") in page and "月报酬" not in page


def test_the_full_roster_export_is_for_eligible_roles_and_audited(client, viewer_user, admin_user, members):
    client.force_login(viewer_user)
    assert client.get(reverse("member-export"), {"full": "1"}).status_code == 403
    client.force_login(admin_user)
    response = client.get(reverse("member-export"), {"full": "1"})
    cells = {str(c.value) for row in load_workbook(io.BytesIO(response.content)).active.iter_rows() for c in row}
    assert members[0].person.id_number in cells
    assert AuditEvent.objects.filter(action="reveal", detail__list="member-export").count() == 1
    assert AuditEvent.objects.filter(action="export", actor=admin_user).count() == 1


def test_an_export_audits_which_filters_were_used_but_never_a_typed_search(client, admin_user, members):
    # A search by name (or by an ID number typed into it) must not enter the audit trail; a
    # filter picked from a list (the stage) and the sort are kept as they were.
    client.force_login(admin_user)
    typed = members[0].person.name
    params = {"q": typed, "stage": "full", "sort": "-name", "full": "1", "page": "2"}
    assert client.get(reverse("member-export"), params).status_code == 200
    for action in ("export", "reveal"):
        (event,) = AuditEvent.objects.filter(action=action, actor=admin_user)
        assert event.detail["filters"] == "q=*&stage=full&sort=-name&full=1", (action, event.detail)
        assert typed not in str(event.detail)


def test_small_record_forms_save_through_their_services_or_show_the_refusal(
    client, staff_user, branch, members, township, village
):
    member = members[0]
    client.force_login(staff_user)
    assert client.get(reverse("mobile-start", args=[member.pk])).status_code == 200
    response = client.post(
        reverse("mobile-start", args=[member.pk]), {"destination": "浙江省义乌市", "since": "2026-02-01"}
    )
    assert response.status_code == 302 and MobileRecord.objects.filter(member=member, ended_on__isnull=True).exists()
    page = client.post(
        reverse("mobile-start", args=[member.pk]), {"destination": "再登记", "since": "2026-03-01"}
    ).content.decode()
    assert "已登记为流动党员" in page
    record = MobileRecord.objects.get(member=member, ended_on__isnull=True)
    response = client.post(reverse("mobile-update", args=[record.pk, "contact"]), {"contacted_on": "2026-04-02"})
    record.refresh_from_db()
    assert response.status_code == 302 and record.last_contact_on == D(2026, 4, 2)
    (contact,) = AuditEvent.objects.filter(action="update", target_id=str(record.pk), actor=staff_user)
    assert contact.detail == {"last_contact_on": "2026-04-02"}
    response = client.post(
        reverse("post-assign", args=[members[1].pk]), {"post_type": "policy", "started_on": "2026-03-01"}
    )
    assert response.status_code == 302 and MemberPost.objects.filter(member=members[1]).exists()
    correction = Correction.objects.create(
        member=members[2], township=township, started_on=D(2025, 12, 1), deadline=D(2026, 6, 1)
    )
    response = client.post(
        reverse("correction-close", args=[correction.pk]), {"outcome": "corrected", "outcome_on": "2026-05-01"}
    )
    correction.refresh_from_db()
    assert response.status_code == 302 and correction.outcome == "corrected"
    tenure = Tenure.objects.create(
        person=members[3].person,
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village=village,
        started_on=D(2021, 10, 1),
    )
    page = client.post(reverse("tenure-end", args=[tenure.pk]), {"ended_on": "2020-01-01"}).content.decode()
    assert "离任日期不能早于任职日期" in page
    assert (
        client.post(reverse("tenure-end", args=[tenure.pk]), {"ended_on": "2026-01-01", "reason": "换届"}).status_code
        == 302
    )
    tenure.refresh_from_db()
    assert tenure.ended_on == D(2026, 1, 1)


def test_the_appraisal_list_shows_only_the_users_township(client, staff_user, branch, other_branch):
    Appraisal.objects.create(organization=branch, township=branch.township, year=2025, held_on=D(2025, 12, 20))
    Appraisal.objects.create(
        organization=other_branch, township=other_branch.township, year=2025, held_on=D(2025, 12, 21)
    )
    client.force_login(staff_user)
    response = client.get(reverse("appraisal-list"))
    assert response.status_code == 200
    assert branch.name in response.content.decode()
    assert other_branch.name not in response.content.decode()


def test_the_end_date_convention_is_stated_on_the_form_and_the_page_and_scoring_reads_it_so(
    client, staff_user, township
):
    """离任日期 is the first day out of office (免职之日). 甲 last serves on 16 May 2025 and the clerk, told
    so by the form, enters 17 May; 乙 starts on 17 May. May has 31 days: 甲 1–16 May = 16 days,
    乙 17–31 May = 15 days, so the month is 甲's (DOMAIN §6: more days in the month)."""
    from assessments.selectors import secretary_days

    village = factories.VillageFactory(township=township, name="五月村")
    first = factories.TenureFactory(
        village=village, person=factories.PersonFactory(township=township, name="甲"), started_on=D(2025, 1, 1)
    )
    client.force_login(staff_user)
    form = client.get(reverse("tenure-end", args=[first.pk])).content.decode()
    assert "当日起不再任职" in form and "应填 3 月 17 日" in form
    assert client.post(reverse("tenure-end", args=[first.pk]), {"ended_on": "2025-05-17"}).status_code == 302
    second = factories.TenureFactory(
        village=village, person=factories.PersonFactory(township=township, name="乙"), started_on=D(2025, 5, 17)
    )
    first.refresh_from_db()
    page = client.get(reverse("person-detail", args=[first.person_id])).content.decode()
    assert "2025-01-01 至 2025-05-16 在任（2025-05-17 离任）" in page
    tenures = [(t.person_id, t.started_on, t.ended_on) for t in (first, second)]
    assert secretary_days(tenures, start=D(2025, 5, 1), end=D(2025, 5, 31)) == first.person_id


def test_a_member_on_the_roster_is_not_offered_an_application(client, staff_user, branch):
    member = factories.PartyMemberFactory(organization=branch)  # a 正式党员 by default
    outsider = factories.PersonFactory(township=branch.township)
    client.force_login(staff_user)
    assert "递交入党申请" not in client.get(reverse("person-detail", args=[member.person_id])).content.decode()
    assert "递交入党申请" in client.get(reverse("person-detail", args=[outsider.pk])).content.decode()


def test_settings_with_choices_are_picked_by_label_never_typed_as_codes(client, admin_user, viewer_user, county):
    from townships.county_settings import settings_for

    client.force_login(admin_user)
    page = client.get(reverse("county-settings")).content.decode()
    for key in ("grade.quota_rounding", "grade.quota_scope"):
        assert f'<select class="form-select form-select-sm" name="{key}"' in page
        assert f'name="{key}" value=' not in page  # no text box
    assert 'name="grade.tie_break__1"' in page and 'name="grade.tie_break__3"' in page
    assert ">第1项：民主测评得分</option>" in page
    response = client.post(
        reverse("county-settings"),
        {
            "grade.quota_scope": "township",
            "grade.tie_break__1": "concentrated",
            "grade.tie_break__2": "",
            "grade.tie_break__3": "vote",
        },
    )
    assert response.status_code == 302
    conf = settings_for(county.pk)
    assert conf["grade.quota_scope"] == "township" and conf["grade.tie_break"] == "concentrated,vote"
    client.force_login(viewer_user)  # read-only: the labels, in order, never the codes
    viewer_page = client.get(reverse("county-settings")).content.decode()
    assert "集中考核得分 → 民主测评得分" in viewer_page and "concentrated,vote" not in viewer_page
