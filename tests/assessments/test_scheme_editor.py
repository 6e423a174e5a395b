"""The scheme editor in plain Chinese and the what-if preview (试算).

The preview's expected figures are worked from the demo scheme's B04 rule (安全生产, 60 points,
deduction per incident) on three villages whose reports differ only in safety incidents."""

from decimal import Decimal

import pytest
from django.urls import reverse

from assessments import services
from assessments.choices import RunKind
from assessments.models import Indicator, Score
from assessments.services.preview import scheme_what_if
from tests import factories
from tests.assessments.test_services import good_values

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 3


def edit_url(scheme, indicator):
    return reverse("indicator-edit", args=[scheme.pk, indicator.pk])


def form_data(indicator, **changes):
    data = {
        "parent": indicator.parent_id,
        "code": indicator.code,
        "name": indicator.name,
        "category": indicator.category,
        "max_points": indicator.max_points,
        "method": indicator.method,
        "metric": indicator.metric,
        "department": indicator.department,
        "position": indicator.position,
        "direction": "desc",
    }
    return {**data, **changes}


@pytest.fixture
def draft(scheme, admin_user):
    scheme.status = "locked"
    scheme.save()
    return services.scheme_copy(actor=admin_user, scheme=scheme)


def test_the_form_offers_labelled_metrics_and_parameter_fields_never_json(client, admin_user, draft):
    b04 = draft.indicators.get(code="B04")
    client.force_login(admin_user)
    page = client.get(edit_url(draft, b04)).content.decode()
    assert "JSON" not in page and "{&quot;" not in page
    assert "安全生产事故（月报，起）" in page  # the metric by name, unit and source
    assert ">safety_incidents<" not in page  # its code is the option's value only
    assert "每次扣分" in page and 'data-param-for="deduction"' in page
    assert 'value="20"' in page  # today's deduction per event, in its own field


def test_a_deduction_edited_in_its_field_is_stored_as_the_rule_reads_it(client, admin_user, draft):
    b04 = draft.indicators.get(code="B04")
    client.force_login(admin_user)
    response = client.post(edit_url(draft, b04), form_data(b04, per_event="60"))
    assert response.status_code == 302
    assert Indicator.objects.get(pk=b04.pk).params == {"per_event": 60}
    detail = client.get(reverse("scheme-detail", args=[draft.pk])).content.decode()
    assert "满分 60 分，每次扣 60 分，扣完为止" in detail


def test_tiers_are_rows_sorted_from_the_highest(client, admin_user, draft):
    c01 = draft.indicators.get(code="C01")
    client.force_login(admin_user)
    data = form_data(c01, tier_1_low="1", tier_1_points="10", tier_2_low="50000", tier_2_points="80")
    assert client.post(edit_url(draft, c01), data).status_code == 302
    assert Indicator.objects.get(pk=c01.pk).params == {"tiers": [[50000, 80], [1, 10]]}


@pytest.mark.parametrize(
    "code, changes, field, message",
    [
        ("B04", {"per_event": ""}, "per_event", "请填写每次扣分"),
        ("C01", {"tier_1_low": "100", "tier_1_points": ""}, "tier_1_points", "下限和得分须同时填写"),
        ("C01", {}, "tier_1_low", "至少要设一档"),
        ("B04", {"per_event": "abc"}, "per_event", "输入一个数字"),
        ("B04", {"per_event": "10", "metric": ""}, "metric", "请选择数据来源"),
    ],
)
def test_bad_parameters_get_a_chinese_message_and_change_nothing(
    client, admin_user, draft, code, changes, field, message
):
    indicator = draft.indicators.get(code=code)
    before = indicator.params
    client.force_login(admin_user)
    response = client.post(edit_url(draft, indicator), form_data(indicator, **changes))
    assert response.status_code == 200
    assert any(message in error for error in response.context["form"].errors[field])
    assert Indicator.objects.get(pk=indicator.pk).params == before


def test_a_new_version_keeps_the_tree_of_categories(admin_user, scheme):
    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    roots = copy.indicators.filter(parent__isnull=True)
    assert sorted(roots.values_list("code", flat=True)) == ["A", "B", "C", "D"]
    assert copy.indicators.get(code="B04").parent.code == "B"


# --- What-if ------------------------------------------------------------------------


@pytest.fixture
def scored(scheme, admin_user, township, county):
    """March scored with the active scheme: 甲 had one safety incident, 乙 none, 丙 two."""
    incidents = {"甲村": 1, "乙村": 0, "丙村": 2}
    for name, n in incidents.items():
        village = factories.village_with_secretary(township, name)
        report = services.report_save(
            actor=admin_user, village=village, year=YEAR, month=MONTH, values=good_values(safety_incidents=n)
        )
        services.report_submit(actor=admin_user, report=report)
        services.report_review(actor=admin_user, report=report, approve=True)
    run = services.scoring_run_start(
        actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH, enqueue=False
    )
    services.run_synchronously(run)
    return {s.village.name: s for s in Score.objects.select_related("village")}


def by_village(result):
    return {r["village"]: r for r in result["rows"]}


def test_an_unchanged_copy_moves_nobody(scored, scheme, admin_user):
    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    result = scheme_what_if(scheme=copy)
    assert (result["year"], result["month"]) == (YEAR, MONTH)
    rows = by_village(result)
    assert set(rows) == {"甲村", "乙村", "丙村"}
    for name, row in rows.items():
        assert row["change"] == 0 and row["move"] == 0
        assert row["total_now"] == scored[name].total  # the same records, the same rule: the stored total


def test_a_heavier_deduction_moves_the_ranking_as_worked_by_hand(scored, scheme, admin_user):
    # B04 (60 points): 20 per incident now → 甲 40, 乙 60, 丙 20; 60 per incident after → 甲 0, 乙 60, 丙 0.
    # Everything else is equal, so now 乙 > 甲 > 丙 (ranks 1, 2, 3); after 乙 first, 甲 and 丙 tie at 2.
    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    services.indicator_save(
        actor=admin_user, scheme=copy, indicator=copy.indicators.get(code="B04"), params={"per_event": 60}
    )
    rows = by_village(scheme_what_if(scheme=copy))
    assert {n: r["change"] for n, r in rows.items()} == {"甲村": Decimal(-40), "乙村": 0, "丙村": Decimal(-20)}
    assert {n: (r["rank_now"], r["rank_after"]) for n, r in rows.items()} == {
        "甲村": (2, 2),
        "乙村": (1, 1),
        "丙村": (3, 2),
    }
    assert rows["丙村"]["move"] == 1
    assert Score.objects.count() == 3  # nothing written
    assert {s.village.name: s.total for s in Score.objects.select_related("village")} == {
        n: s.total for n, s in scored.items()
    }


def test_the_preview_page_shows_the_movers_and_refuses_a_broken_scheme(client, scored, scheme, admin_user):
    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    services.indicator_save(
        actor=admin_user, scheme=copy, indicator=copy.indicators.get(code="B04"), params={"per_event": 60}
    )
    client.force_login(admin_user)
    page = client.get(reverse("scheme-what-if", args=[copy.pk])).content.decode()
    assert "3 个村中，2 个村的得分或名次发生变化" in page
    assert "丙村：名次 3 → 2" in page
    Indicator.objects.filter(scheme=copy, code="B04").update(params={})  # a deduction without its amount
    page = client.get(reverse("scheme-what-if", args=[copy.pk])).content.decode()
    assert "方案有误，无法试算" in page and "每次扣分" in page


def test_no_scored_month_yet_is_said_plainly(client, scheme, admin_user, viewer_user):
    client.force_login(admin_user)
    assert "还没有已评分的月份" in client.get(reverse("scheme-what-if", args=[scheme.pk])).content.decode()
    client.force_login(viewer_user)
    assert client.get(reverse("scheme-what-if", args=[scheme.pk])).status_code == 403
