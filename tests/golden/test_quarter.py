"""Golden case: a quarterly bulletin with a month missing for a village (cases/quarter_missing_month.toml)."""

import pytest

from assessments import services
from assessments.choices import RunKind
from assessments.models import Bulletin
from tests.golden.runner import County, load

pytestmark = pytest.mark.django_db

CASE = load("quarter_missing_month.toml")


def test_the_bulletin_ranks_only_complete_quarters_as_worked_by_hand():
    county = County()
    year, quarter = CASE["year"], CASE["quarter"]
    county.scheme(CASE["scheme"], year)
    months = [3 * (quarter - 1) + m for m in (1, 2, 3)]
    for spec in CASE["villages"]:
        village = county.village(spec["name"], spec["township"])
        for index, month in enumerate(months):
            progress = spec["progress"][index]
            if progress == "-":
                continue
            accidents = spec.get("accidents", [0, 0, 0])[index]
            county.report(village, year, month, {"key_project_progress": progress, "major_accidents": accidents})
    for month in months:
        county.run_month(year, month)
    run = services.scoring_run_start(
        actor=county.admin, county_id=county.county.pk, kind=RunKind.QUARTERLY, year=year, period=quarter, enqueue=False
    )
    services.run_synchronously(run)
    data = Bulletin.objects.get(county=county.county, year=year, quarter=quarter).data
    (section,) = data["targets"]
    expected = CASE["expected"]
    got = [
        [r["village"], r["rank_in_county"], r["rank_in_township"], r["average"], r["change"], r["veto"]]
        for r in section["rows"]
    ]
    assert sorted(got) == sorted(expected["rows"])
    # Vetoed rows come last in the printed order, whatever their average.
    assert [r[0] for r in got][-1] == "丁村"
    assert {v["village"]: v["missing"] for v in section["left_out"]} == expected["left_out"]
    assert [r["village"] for r in section["up"]] == expected["up"]
    assert [r["village"] for r in section["down"]] == expected["down"]
    assert [[x["village"], x["category"], x["points"]] for x in section["lagging"]] == expected["lagging"]
