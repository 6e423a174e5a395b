"""The township level through the pages and the API: the townships' ranking (month, quarter, year),
its export, a township's own scorecard, the scores API, and what a township scheme may read."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import PeriodKind, Target
from assessments.models import Indicator, Scheme, Score
from tests import factories
from tests.golden.runner import County
from townships.models import AuditEvent

pytestmark = pytest.mark.django_db

YEAR = 2026
VILLAGE_SCHEME = {
    "target": "village",
    "full_marks": 100,
    "indicators": [
        {"code": "R1", "name": "重点项目推进", "category": "industry", "max": 100, "method": "ratio",
         "metric": "key_project_progress", "params": {"target": 100}},
    ],
}  # fmt: skip
TOWNSHIP_SCHEME = {
    "target": "township",
    "full_marks": 100,
    "indicators": [
        {"code": "T1", "name": "村平均分", "category": "party_building", "max": 100, "method": "ratio",
         "metric": "village_mean_total", "params": {"target": 100}},
    ],
}  # fmt: skip


@pytest.fixture
def scored():
    """东镇 (甲村 80, 60 → 乙村 …) and 西乡 scored for January and February: 东镇 70 then 90, 西乡 90 then 80."""
    county = County()
    county.scheme(VILLAGE_SCHEME, YEAR)
    county.scheme(TOWNSHIP_SCHEME, YEAR)
    progress = {("甲村", "东镇"): [80, 100], ("乙村", "东镇"): [60, 80], ("丙村", "西乡"): [90, 80]}
    for (name, township), values in progress.items():
        village = county.village(name, township)
        for month, value in enumerate(values, start=1):
            county.report(village, YEAR, month, {"key_project_progress": value})
    for month in (1, 2):
        county.run_month(YEAR, month)
    return county


def _page(client, user, **params):
    client.force_login(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("township-ranking"), params)
    assert response.status_code == 200
    return response, len(captured)


def test_the_county_reads_every_township_with_its_rank_and_change(client, scored):
    response, queries = _page(client, scored.admin, kind="month", year=YEAR, period=2)
    rows = [(r["rank"], r["township"], r["total"], r["change"]) for r in response.context["rows"]]
    # February: 东镇 (100 + 80) / 2 = 90, up 20 from January's 70; 西乡 80, down 10 from 90.
    assert [(rank, name, float(total), float(change)) for rank, name, total, change in rows] == [
        (1, "东镇", 90.0, 20.0),
        (2, "西乡", 80.0, -10.0),
    ]
    # Pinned: session, user, the latest month, the visible townships, the scores, the previous month,
    # the townships left out, the trend, and the session's save (savepoint, update, release); the
    # number does not grow with the townships (one query each for rows, previous month and trend).
    assert queries == 11
    scored.village("丁村", "北乡")  # a third township, with no score: listed as left out, same queries
    response, more = _page(client, scored.admin, kind="month", year=YEAR, period=2)
    assert more == queries
    assert [r["township"] for r in response.context["left_out"]] == ["北乡"]


def test_a_township_reads_its_own_row_only(client, scored):
    staff = factories.township_staff(scored.townships["西乡"], username="xixiang")
    response, _queries = _page(client, staff, kind="month", year=YEAR, period=2)
    assert [(r["rank"], r["township"]) for r in response.context["rows"]] == [(2, "西乡")]
    assert "东镇" not in response.content.decode()
    east = Score.objects.get(township=scored.townships["东镇"], target=Target.TOWNSHIP, period=2)
    client.force_login(staff)
    assert client.get(reverse("score-detail", args=[east.pk])).status_code == 404
    own = Score.objects.get(township=scored.townships["西乡"], target=Target.TOWNSHIP, period=2)
    page = client.get(reverse("score-detail", args=[own.pk]))
    assert page.status_code == 200 and "全县乡镇第 2 名" in page.content.decode()


def test_a_quarter_with_a_month_unscored_lists_every_township_as_left_out(client, scored):
    response, _queries = _page(client, scored.admin, kind="quarter", year=YEAR, period=1)
    assert response.context["rows"] == []
    assert [(r["township"], r["why"]) for r in response.context["left_out"]] == [
        ("东镇", "3月（无村评分）"),
        ("西乡", "3月（无村评分）"),
    ]


def test_the_year_ranks_the_annual_township_scores(client, scored):
    from assessments.services.townships import township_year_compute

    scored.settings({"annual.min_months": 2})
    township_year_compute(county_id=scored.county.pk, year=YEAR)
    response, _queries = _page(client, scored.admin, kind="year", year=YEAR)
    # 东镇 (70 + 90) / 2 = 80, 西乡 (90 + 80) / 2 = 85.
    assert [(r["rank"], r["township"], float(r["total"])) for r in response.context["rows"]] == [
        (1, "西乡", 85.0),
        (2, "东镇", 80.0),
    ]


@pytest.mark.parametrize(
    "params", [{"kind": "decade"}, {"period": "abc"}, {"period": "13"}, {"kind": "quarter", "period": "9"}]
)
def test_nonsense_parameters_show_the_default_with_a_message(client, scored, params):
    response, _queries = _page(client, scored.admin, year=YEAR, **params)
    assert [str(m) for m in response.context["messages"]]


def test_the_export_is_audited(client, scored):
    client.force_login(scored.admin)
    before = AuditEvent.objects.count()
    response = client.get(reverse("township-ranking-export"), {"kind": "month", "year": YEAR, "period": 1})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert AuditEvent.objects.count() == before + 1


def test_the_scores_api_serves_township_scores_scoped(scored):
    api = APIClient()
    api.force_authenticate(scored.admin)
    body = api.get("/api/v1/scores/", {"target": "township", "year": YEAR, "period": 1}).json()
    assert sorted((r["township_name"], r["village"], r["village_name"]) for r in body["results"]) == [
        ("东镇", None, None),
        ("西乡", None, None),
    ]
    staff = factories.township_staff(scored.townships["东镇"], username="dongzhen")
    api.force_authenticate(staff)
    body = api.get("/api/v1/scores/", {"target": "township"}).json()
    assert {r["township_name"] for r in body["results"]} == {"东镇"}


def test_a_township_scheme_reads_township_metrics_only(scored):
    township_scheme = Scheme.objects.get(county=scored.county, target=Target.TOWNSHIP)
    draft = Scheme.objects.create(
        county=scored.county, year=YEAR + 1, target=Target.TOWNSHIP, name="草稿", full_marks=100
    )
    before = Indicator.objects.count()
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            actor=scored.admin, scheme=draft, code="X1", name="信访", category="bottom_lines", max_points=100,
            method="deduction", metric="petitions", params={"per_event": 10}, position=0,
        )  # fmt: skip
    assert "村级指标" in str(error.value)
    village_draft = Scheme.objects.create(county=scored.county, year=YEAR + 1, target=Target.VILLAGE, name="草稿")
    with pytest.raises(ValidationError) as error:
        services.indicator_save(
            actor=scored.admin, scheme=village_draft, code="X1", name="村平均分", category="party_building",
            max_points=100, method="ratio", metric="village_mean_total", params={"target": 100}, position=0,
        )  # fmt: skip
    assert "乡镇指标" in str(error.value)
    assert Indicator.objects.count() == before
    assert township_scheme.status == "locked"  # it scored a month


def test_scores_of_villages_and_townships_keep_their_own_keys(scored):
    """(target, unit, period) is unique for each kind of unit: a re-run replaces, never duplicates."""
    scored.run_month(YEAR, 1)
    assert Score.objects.filter(target=Target.TOWNSHIP, period_kind=PeriodKind.MONTH, period=1).count() == 2
    assert Score.objects.filter(target=Target.VILLAGE, period_kind=PeriodKind.MONTH, period=1).count() == 3


def test_a_township_last_two_quarters_running_proposes_one_county_talk(scored):
    """东镇 last among 3 townships in Q1 and Q2 (published bulletins) → one 约谈 of its Party secretary
    by the county for Q2; applying Q2 again raises nothing new."""
    import datetime

    from django.utils import timezone

    from assessments.models import Bulletin, Talk
    from assessments.services.talks import talks_apply
    from cadres.choices import PostKind
    from cadres.models import Tenure

    east, west = scored.townships["东镇"], scored.townships["西乡"]
    south = scored.township("南镇")
    secretary = scored.person("东镇党委书记", "东镇")
    Tenure.objects.create(
        person=secretary, post=PostKind.PARTY_SECRETARY, township=east, started_on=datetime.date(2020, 1, 1)
    )

    def row(township, rank):
        return {"township_id": township.pk, "township": township.name, "rank_in_county": rank, "veto": False}

    for quarter in (1, 2):
        Bulletin.objects.create(
            county=scored.county,
            year=YEAR,
            quarter=quarter,
            published_at=timezone.now(),
            data={"targets": [{"target": "township", "rows": [row(west, 1), row(south, 2), row(east, 3)]}]},
        )
    talks_apply(county_id=scored.county.pk, year=YEAR, quarter=1)
    assert not Talk.objects.exists()  # once is not twice running
    talks_apply(county_id=scored.county.pk, year=YEAR, quarter=2)
    talks_apply(county_id=scored.county.pk, year=YEAR, quarter=2)
    (talk,) = Talk.objects.all()
    assert (talk.person, talk.township, talk.village, talk.level, talk.period) == (
        secretary,
        east,
        None,
        "county",
        f"{YEAR}Q2",
    )
