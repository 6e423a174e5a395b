"""述职评议 (issue 21, items 1–2): the 述职 of village cadres feeding the annual rating's vote, the
township secretaries' composite and grade, bad input, the pages, scoping and query counts."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from assessments import services
from assessments.choices import DutyLevel, PeriodKind, RunKind, SchemeStatus, Target
from assessments.models import (
    AnnualRating,
    BallotGroup,
    BallotTally,
    DirtyPeriod,
    DutyReview,
    RatingSignOff,
    Scheme,
    Score,
    VoteResult,
)
from assessments.services.duty import duty_review_save
from cadres.choices import PostKind
from cadres.models import Tenure
from tests import factories
from townships.models import AuditEvent, CountySetting, Message

pytestmark = pytest.mark.django_db
YEAR = 2025

# The golden case's first tally (cases/duty_ballots.toml): score 82.33, 不称职 7 ÷ 86.
VILLAGE_GROUPS = [
    {"code": "members", "issued": 50, "returned": 48, "invalid": 2,
     "counts": {"excellent": 30, "competent": 10, "basic": 4, "incompetent": 2}},
    {"code": "representatives", "issued": 30, "returned": 30, "invalid": 0,
     "counts": {"excellent": 10, "competent": 10, "basic": 5, "incompetent": 5}},
    {"code": "township", "issued": 10, "returned": 10, "invalid": 0,
     "counts": {"excellent": 8, "competent": 2, "basic": 0, "incompetent": 0}},
]  # fmt: skip
# Township ballots: every group all 好 but 乡镇班子成员 (all 较好): (85 × 100 + 15 × 80) ÷ 100 = 97.
TOWNSHIP_GROUPS = [
    {"code": code, "issued": 10, "returned": 10, "invalid": 0,
     "counts": {"good": 10 if code != "leaders" else 0, "fair": 10 if code == "leaders" else 0, "average": 0, "poor": 0}}
    for code in ("county_committee", "departments", "leaders", "secretaries", "representatives")
]  # fmt: skip


def _scheme(county, target=Target.VILLAGE_SECRETARY, full_marks=1000):
    return Scheme.objects.create(
        county=county, year=YEAR, target=target, name="方案", status=SchemeStatus.ACTIVE, full_marks=full_marks
    )


def _months(village, person, scheme, total=800, months=range(1, 13)):
    now = timezone.now()
    Score.objects.bulk_create(
        Score(
            target=Target.VILLAGE_SECRETARY, village=village, person=person, township=village.township,
            scheme=scheme, period_kind=PeriodKind.MONTH, year=YEAR, period=m, total=Decimal(total), computed_at=now,
        )
        for m in months
    )  # fmt: skip


def _township_score(township, scheme, total, veto=False):
    return Score.objects.create(
        target=Target.TOWNSHIP, village=None, township=township, scheme=scheme, period_kind=PeriodKind.YEAR,
        year=YEAR, period=1, total=Decimal(total), veto=veto, computed_at=timezone.now(),
    )  # fmt: skip


def _village_save(actor, village, person, groups=VILLAGE_GROUPS, post=PostKind.VILLAGE_SECRETARY, **kwargs):
    return duty_review_save(
        actor=actor, level=DutyLevel.VILLAGE, person=person, post=post, township=None,
        village=village, year=YEAR, reported_on=datetime.date(YEAR, 12, 20), meeting="村党员大会", groups=groups,
        **kwargs,
    )  # fmt: skip


def _party_secretary(township, started_on=datetime.date(2020, 1, 1), ended_on=None, name=None):
    person = factories.PersonFactory(township=township, **({"name": name} if name else {}))
    Tenure.objects.create(
        person=person, township=township, village=None, post=PostKind.PARTY_SECRETARY,
        started_on=started_on, ended_on=ended_on,
    )  # fmt: skip
    return person


def _township_save(actor, township, person, groups=TOWNSHIP_GROUPS, **kwargs):
    return duty_review_save(
        actor=actor, level=DutyLevel.TOWNSHIP, person=person, post=PostKind.PARTY_SECRETARY, township=township,
        year=YEAR, reported_on=datetime.date(YEAR, 12, 28), meeting="述职评议大会", groups=groups, **kwargs,
    )  # fmt: skip


@pytest.fixture
def secretary_village(township):
    village = factories.village_with_secretary(township, "李家村")
    return village, Tenure.objects.get(village=village).person


# --- village cadres: the annual rating's vote ----------------------------------------------


def test_the_ballots_become_the_annual_vote_and_win_over_a_typed_value(admin_user, county, secretary_village):
    village, person = secretary_village
    _months(village, person, _scheme(county))
    VoteResult.objects.create(village=village, township=village.township, person=person, year=YEAR, score=500)
    review = _village_save(admin_user, village, person)
    assert review.tally.score == Decimal("82.33") and review.tally.group_weighted
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    rating = AnnualRating.objects.get(person=person, year=YEAR)
    # 82.33 × 10 = 823.30 out of 1000, on a 1000-point scheme 823.30; 不称职 7 ÷ 86 = 0.0814
    assert rating.vote == Decimal("823.30") and rating.incompetent_vote_share == Decimal("0.0814")
    assert rating.vote_source == "ballots"
    assert any("× 10 = 823.30" in line for line in rating.vote_working)
    # total = (800 × 40 + 800 × 40 + 823.30 × 20) ÷ 100 = 804.66
    assert rating.total == Decimal("804.66")


def test_a_typed_vote_without_ballots_is_history(admin_user, county, secretary_village, client):
    village, person = secretary_village
    _months(village, person, _scheme(county))
    VoteResult.objects.create(village=village, township=village.township, person=person, year=YEAR, score=900)
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    rating = AnnualRating.objects.get(person=person, year=YEAR)
    assert rating.vote_source == "typed" and rating.vote == Decimal("900.00")
    client.force_login(admin_user)
    page = client.get(reverse("secretary-detail", args=[person.pk])).content.decode()
    assert "录入值（历史）" in page


def test_ballots_after_the_rating_mark_the_year_for_a_rerun(admin_user, county, secretary_village):
    village, person = secretary_village
    _months(village, person, _scheme(county))
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    _village_save(admin_user, village, person)
    mark = DirtyPeriod.objects.get(county=county, kind=RunKind.ANNUAL, year=YEAR)
    assert mark.is_dirty


def test_a_signed_year_is_not_changed_the_county_is_told(admin_user, county, secretary_village):
    village, person = secretary_village
    _months(village, person, _scheme(county))
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    before = AnnualRating.objects.get(person=person, year=YEAR)
    AnnualRating.objects.update(signed_off_by=admin_user, signed_off_at=timezone.now())
    RatingSignOff.objects.create(county=county, year=YEAR, signed_by=admin_user, opinion="同意", digest="x")
    _village_save(admin_user, village, person)
    assert not DirtyPeriod.objects.filter(kind=RunKind.ANNUAL, year=YEAR).exists()
    assert AnnualRating.objects.get(pk=before.pk).vote == before.vote
    message = Message.objects.get(recipient=admin_user)
    assert "已审定" in message.title and person.name in message.title


# --- bad input: a Chinese message, nothing written ------------------------------------------


def _nothing_written():
    assert DutyReview.objects.count() == 0 and BallotTally.objects.count() == 0 and BallotGroup.objects.count() == 0


def test_ballots_for_someone_who_did_not_hold_the_post_are_refused(admin_user, township, secretary_village):
    village, _person = secretary_village
    stranger = factories.PersonFactory(township=township)
    with pytest.raises(Exception, match="未在李家村任村党组织书记"):
        _village_save(admin_user, village, stranger)
    _nothing_written()


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        ([{**VILLAGE_GROUPS[0], "code": "martians"}], "没有“martians”这一测评主体"),
        ([{**VILLAGE_GROUPS[0], "counts": {**VILLAGE_GROUPS[0]["counts"], "good": 1}}], "没有“good”这一选项"),
        ([{**VILLAGE_GROUPS[0], "returned": 47}], "应等于有效票 45"),
        ([{**VILLAGE_GROUPS[0], "issued": 40}], "收回票数 48 多于发出票数 40"),
    ],
)
def test_groups_options_and_counts_the_county_has_not_defined_are_refused(
    admin_user, secretary_village, groups, message
):
    village, person = secretary_village
    with pytest.raises(Exception, match=message):
        _village_save(admin_user, village, person, groups=groups)
    _nothing_written()


def test_a_township_secretary_who_did_not_hold_the_year_is_refused(admin_user, township):
    # 甲 until 10 June (5 months and 9 days of June), 乙 from 10 June: 乙 holds 7 months and is rated.
    first = _party_secretary(township, ended_on=datetime.date(YEAR, 6, 10), name="甲")
    second = _party_secretary(township, started_on=datetime.date(YEAR, 6, 10), name="乙")
    with pytest.raises(Exception, match="不是 城关镇 2025 年度参加述职评议的党委书记"):
        _township_save(admin_user, township, first)
    _nothing_written()
    assert _township_save(admin_user, township, second).person == second


# --- township secretaries: the composite --------------------------------------------------


def test_the_township_composite_and_grade_with_the_working(admin_user, county, township):
    person = _party_secretary(township)
    _township_score(township, _scheme(county, Target.TOWNSHIP), 880)
    review = _township_save(admin_user, township, person, comment="抓党建有力")
    # ballots 97.00; annual 880 × 100 ÷ 1000 = 88; (97 × 40 + 88 × 60) ÷ 100 = 91.60 → 好
    assert review.tally.score == Decimal("97.00")
    assert review.annual == Decimal("88.00") and review.composite == Decimal("91.60") and review.grade == "good"
    assert any("= 91.60" in line for line in review.working)
    assert AuditEvent.objects.filter(target_type__endswith="dutyreview").exists()


def test_without_an_annual_score_there_is_no_composite_and_the_reason_shows(admin_user, township):
    review = _township_save(admin_user, township, _party_secretary(township))
    assert review.composite is None and review.grade == ""
    assert any("乡镇年度考核得分尚未产生" in line for line in review.working)


def test_a_vetoed_township_is_poor(admin_user, county, township):
    _township_score(township, _scheme(county, Target.TOWNSHIP), 990, veto=True)
    review = _township_save(admin_user, township, _party_secretary(township))
    assert review.composite == Decimal("98.20") and review.grade == "poor"  # (97 × 40 + 99 × 60) ÷ 100


def test_a_tie_at_the_cap_waits_for_the_county(admin_user, county, township, other_township):
    CountySetting.objects.create(county=county, key="duty.township.good_cap", value=50)
    scheme = _scheme(county, Target.TOWNSHIP)
    third = factories.TownshipFactory(county=county, name="三乡")
    reviews = []
    for t in (township, other_township, third):
        _township_score(t, scheme, 900)
        reviews.append(_township_save(admin_user, t, _party_secretary(t)))
    # three at 92.80 ((97 × 40 + 90 × 60) ÷ 100 = (3880 + 5400) ÷ 100), floor(3 × 50 %) = 1 place: all 较好, pending
    rows = list(DutyReview.objects.order_by("pk"))
    assert {(r.composite, r.grade, r.tie_pending) for r in rows} == {(Decimal("92.80"), "fair", True)}
    from assessments.selectors import county_todo

    assert county_todo(user=admin_user)["review_ties"] == [YEAR]  # the county's to-do says so
    with pytest.raises(Exception, match="请填写决定意见"):
        services.duty_ties_decide(actor=admin_user, county_id=county.pk, year=YEAR, chosen=[rows[0].pk], opinion="")
    services.duty_ties_decide(actor=admin_user, county_id=county.pk, year=YEAR, chosen=[rows[0].pk], opinion="述职最好")
    assert [r.grade for r in DutyReview.objects.order_by("pk")] == ["good", "fair", "fair"]
    assert county_todo(user=admin_user)["review_ties"] == []
    services.township_reviews_compute(county_id=county.pk, year=YEAR)  # the same tie: the decision stands
    assert [r.grade for r in DutyReview.objects.order_by("pk")] == ["good", "fair", "fair"]


# --- pages --------------------------------------------------------------------------------


def _post_township(client, township, person, **extra):
    data = {
        "township": township.pk, "person": person.pk, "year": YEAR, "reported_on": f"{YEAR}-12-28",
        "meeting": "述职评议大会", "method": "meeting", "comment": "点评",
    }  # fmt: skip
    for g in TOWNSHIP_GROUPS:
        for field in ("issued", "returned", "invalid"):
            data[f"n-{g['code']}__{field}"] = g[field]
        for option, count in g["counts"].items():
            data[f"n-{g['code']}__{option}"] = count
    data.update(extra)
    return client.post(reverse("duty-create", args=["township"]), data)


def test_the_county_enters_a_township_secretarys_ballots_in_one_form(client, admin_user, county, township):
    person = _party_secretary(township)
    _township_score(township, _scheme(county, Target.TOWNSHIP), 880)
    client.force_login(admin_user)
    response = _post_township(client, township, person)
    review = DutyReview.objects.get()
    assert response.status_code == 302 and response.url == reverse("duty-detail", args=[review.pk])
    page = client.get(response.url).content.decode()
    assert "91.60" in page and "好" in page and "年度考核折合百分 = 880 × 100 ÷ 满分 1000 = 88.00" in page


def test_a_bad_form_shows_the_chinese_message_and_writes_nothing(client, admin_user, township):
    person = _party_secretary(township)
    client.force_login(admin_user)
    response = _post_township(client, township, person, **{"n-leaders__returned": 11})
    assert response.status_code == 200 and "收回票数 11 多于发出票数 10" in response.content.decode()
    _nothing_written()


def test_township_staff_may_not_enter_a_township_secretarys_review(client, staff_user, township):
    client.force_login(staff_user)
    assert client.get(reverse("duty-create", args=["township"])).status_code == 403


def test_another_townships_user_gets_404_on_every_route(client, admin_user, county, township, other_township):
    review = _township_save(admin_user, township, _party_secretary(township))
    client.force_login(factories.township_staff(other_township, username="other-staff"))
    for name in ("duty-detail", "duty-edit", "duty-report-file"):
        assert client.get(reverse(name, args=[review.pk])).status_code == 404, name
    page = client.get(reverse("duty-township-list") + f"?year={YEAR}").content.decode()
    assert review.person.name not in page
    api = client.get("/api/v1/duty-reviews/").json()
    assert api["count"] == 0
    assert client.get(f"/api/v1/duty-reviews/{review.pk}/").status_code == 404


def test_lists_exports_and_api_have_pinned_query_counts(
    client, admin_user, county, township, other_township, django_assert_num_queries
):
    scheme = _scheme(county, Target.TOWNSHIP)
    for t in (township, other_township):
        _township_score(t, scheme, 850)
        _township_save(admin_user, t, _party_secretary(t))
    for i in range(3):
        village = factories.village_with_secretary(township, f"村{i}")
        _village_save(admin_user, village, Tenure.objects.get(village=village).person)
    client.force_login(admin_user)
    client.get(reverse("duty-township-list"))  # warm the session and settings caches
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("duty-township-list") + "?sort=-composite").status_code == 200
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(reverse("duty-village-list")).status_code == 200
    with django_assert_num_queries(EXPORT_QUERIES):
        assert client.get(reverse("duty-village-export")).status_code == 200
    with django_assert_num_queries(API_QUERIES):
        body = client.get("/api/v1/duty-reviews/?level=village").json()
    assert body["count"] == 3 and body["results"][0]["tally"]["groups"]


LIST_QUERIES = 9  # session, user, settings, count, page rows with their joins …
EXPORT_QUERIES = 7
API_QUERIES = 8  # the groups are one prefetch, whatever the number of rows


# --- the workbook -------------------------------------------------------------------------


def _book(sheet_name, headers, rows):
    import io

    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = "duty.xlsx"
    return buffer


def _village_rows(village, person, members=(50, 48, 2, 30, 10, 4, 2), township_counts=(10, 10, 0, 8, 2, 0, 0)):
    issued, returned, invalid, *counts = members
    first = [person.name, YEAR, f"{YEAR}-12-20", "村党员大会", "党员", issued, returned, invalid,
             village.name, "村党组织书记", *counts]  # fmt: skip
    issued, returned, invalid, *counts = township_counts
    second = [person.name, YEAR, f"{YEAR}-12-20", "村党员大会", "乡镇领导", issued, returned, invalid,
              village.name, "村党组织书记", *counts]  # fmt: skip
    return [first, second]


def test_a_workbook_of_village_cadres_goes_in_whole(staff_user, township, secretary_village):
    from assessments.imports.duty import VillageDutyRow, duty_import

    village, person = secretary_village
    book = _book("述职述廉", VillageDutyRow.headers(), _village_rows(village, person))
    result = duty_import(actor=staff_user, township=township, upload=book, level="village")
    assert result.ok, (result.message, result.errors)
    review = DutyReview.objects.get()
    # 党员 87.826… × 40 + 乡镇领导 96 × 20 over 60: (3513.04 + 1920) ÷ 60 = 90.5507 → 90.55 (村民代表 not held)
    assert review.tally.score == Decimal("90.55") and BallotGroup.objects.count() == 2
    assert AuditEvent.objects.filter(action="import").exists()


def test_a_bad_row_refuses_the_whole_workbook(staff_user, township, secretary_village):
    from assessments.imports.duty import VillageDutyRow, duty_import

    village, person = secretary_village
    rows = _village_rows(village, person, township_counts=(10, 11, 0, 8, 3, 0, 0))
    result = duty_import(
        actor=staff_user, township=township, upload=_book("述职述廉", VillageDutyRow.headers(), rows), level="village"
    )
    assert not result.ok and "收回票数 11 多于发出票数 10" in str(result.errors)
    _nothing_written()


def test_a_rater_group_given_twice_for_one_person_refuses_the_whole_workbook(staff_user, township, secretary_village):
    from assessments.imports.duty import VillageDutyRow, duty_import

    village, person = secretary_village
    first, _second = _village_rows(village, person)
    result = duty_import(
        actor=staff_user, township=township, upload=_book("述职述廉", VillageDutyRow.headers(), [first, first]),
        level="village",
    )  # fmt: skip
    assert not result.ok and "与第 2 行是同一人同一测评主体" in str(result.errors), result.errors
    _nothing_written()


def test_a_workbook_township_secretary_who_did_not_hold_the_year_is_refused(admin_user, township):
    from assessments.imports.duty import TownshipDutyRow, duty_import

    first = _party_secretary(township, ended_on=datetime.date(YEAR, 3, 1), name="甲")
    _party_secretary(township, started_on=datetime.date(YEAR, 3, 1), name="乙")
    rows = [["甲", YEAR, f"{YEAR}-12-28", "述职评议会", "县委委员", 10, 10, 0, 10, 0, 0, 0]]
    result = duty_import(
        actor=admin_user, township=township, upload=_book("述职评议", TownshipDutyRow.headers(), rows),
        level="township",
    )  # fmt: skip
    assert not result.ok and "不是 城关镇 2025 年度参加述职评议的党委书记" in result.message, result
    assert first.name == "甲"
    _nothing_written()


def test_the_county_decides_a_tie_from_the_page_with_an_opinion(client, admin_user, county, township, other_township):
    CountySetting.objects.create(county=county, key="duty.township.good_cap", value=50)
    scheme = _scheme(county, Target.TOWNSHIP)
    for t in (township, other_township):
        _township_score(t, scheme, 900)
        _township_save(admin_user, t, _party_secretary(t))
    first, second = DutyReview.objects.order_by("pk")
    client.force_login(admin_user)
    page = client.get(reverse("duty-detail", args=[first.pk])).content.decode()
    assert page.count('name="chosen"') == 2  # every tied review is decided together
    client.post(reverse("duty-ties", args=[YEAR]), {"chosen": [first.pk]})  # no opinion: nothing decided
    assert DutyReview.objects.filter(tie_pending=True).count() == 2
    client.post(reverse("duty-ties", args=[YEAR]), {"chosen": [first.pk], "opinion": "述职更扎实"})
    assert [(r.grade, r.tie_pending) for r in DutyReview.objects.order_by("pk")] == [("good", False), ("fair", False)]
    assert AuditEvent.objects.filter(detail__duty_tie=YEAR).count() == 2


def test_a_correction_replaces_the_counts_and_a_second_entry_is_refused(admin_user, secretary_village):
    village, person = secretary_village
    review = _village_save(admin_user, village, person)
    with pytest.raises(Exception, match="年度的述职已录入"):
        _village_save(admin_user, village, person)
    # 党员 only, all 优秀: 100 (the other groups gone)
    corrected = _village_save(
        admin_user, village, person, review=review, version=review.version,
        groups=[{"code": "members", "issued": 12, "returned": 12, "invalid": 0,
                 "counts": {"excellent": 12, "competent": 0, "basic": 0, "incompetent": 0}}],
    )  # fmt: skip
    assert corrected.pk == review.pk and corrected.tally.score == Decimal("100.00") and corrected.version == 2
    assert BallotGroup.objects.count() == 1 and BallotTally.objects.count() == 1
    with pytest.raises(Exception, match="已被他人修改"):
        _village_save(admin_user, village, person, review=review, version=1)
    assert AuditEvent.objects.filter(action="update", target_type__endswith="dutyreview").count() == 1


def test_a_later_annual_township_score_is_taken_in_by_the_annual_run_and_the_county_button(
    client, admin_user, county, township
):
    review = _township_save(admin_user, township, _party_secretary(township))
    assert review.composite is None  # no annual township score yet
    _township_score(township, _scheme(county, Target.TOWNSHIP), 880)
    # What the annual run does once the townships' year is scored (services/townships.py).
    services.township_reviews_compute(county_id=county.pk, year=YEAR)
    review.refresh_from_db()
    assert (review.composite, review.grade) == (Decimal("91.60"), "good")
    Score.objects.filter(target=Target.TOWNSHIP).update(total=Decimal(500))
    client.force_login(admin_user)
    assert "重新计算综合得分" in client.get(reverse("duty-township-list") + f"?year={YEAR}").content.decode()
    client.post(reverse("duty-recompute", args=[YEAR]))
    review.refresh_from_db()
    # (97 × 40 + 50 × 60) ÷ 100 = 68.80 → 一般
    assert (review.composite, review.grade) == (Decimal("68.80"), "average")
    assert AuditEvent.objects.filter(detail__duty_recompute=YEAR).exists()


def test_the_director_reports_and_deputies_only_when_the_county_says_so(admin_user, county, township):
    village = factories.VillageFactory(township=township, name="王庄村")
    director = factories.PersonFactory(township=township, village=village)
    deputy = factories.PersonFactory(township=township, village=village)
    for person, post in ((director, PostKind.COMMITTEE_DIRECTOR), (deputy, PostKind.VILLAGE_DEPUTY_SECRETARY)):
        Tenure.objects.create(
            person=person, township=township, village=village, post=post, started_on=datetime.date(2021, 1, 1)
        )
    review = _village_save(admin_user, village, director, post=PostKind.COMMITTEE_DIRECTOR)
    assert review.tally.target_kind == "village_cadre" and review.tally.score == Decimal("82.33")
    with pytest.raises(Exception, match="不在本县规定的述职述廉职务之内"):
        _village_save(admin_user, village, deputy, post=PostKind.VILLAGE_DEPUTY_SECRETARY)
    CountySetting.objects.create(county=county, key="duty.village.deputies", value=1)
    assert _village_save(admin_user, village, deputy, post=PostKind.VILLAGE_DEPUTY_SECRETARY).pk


def test_the_person_page_lists_their_duty_reviews_to_those_who_may_read_them(
    client, admin_user, county, township, other_township
):
    person = _party_secretary(township)
    _township_score(township, _scheme(county, Target.TOWNSHIP), 880)
    _township_save(admin_user, township, person)
    client.force_login(admin_user)
    page = client.get(reverse("person-detail", args=[person.pk])).content.decode()
    # (97 × 40 + 88 × 60) ÷ 100 = 91.60 → 好
    assert "述职与测评" in page and f"{YEAR} · 乡镇党委书记抓基层党建述职评议" in page and "综合得分 91.60，好" in page
    other = factories.township_staff(other_township, username="other-duty")
    client.force_login(other)
    assert client.get(reverse("person-detail", args=[person.pk])).status_code == 404
