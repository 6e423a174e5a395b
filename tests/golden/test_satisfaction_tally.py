"""Golden case: ballot tallies by the county's formula (cases/satisfaction_tally.toml), through the
pure arithmetic with the options, weights and bands read from county settings."""

from decimal import Decimal

import pytest

from assessments.ballots import Group, tally
from assessments.county_settings import satisfaction_bands, satisfaction_options
from tests.golden.runner import load
from townships.county_settings import CountySettings

CASE = load("satisfaction_tally.toml")
OPTIONS = ("very", "fairly", "basic", "not")


def _group(spec):
    return Group(
        spec["code"],
        spec["code"],
        spec["issued"],
        spec["returned"],
        spec["invalid"],
        {code: spec[code] for code in OPTIONS},
        Decimal(spec.get("weight", "1")),
    )


@pytest.mark.parametrize("case", CASE["cases"], ids=[c["name"] for c in CASE["cases"]])
def test_tally(case):
    conf = CountySettings(case.get("settings", {}))
    result = tally(
        [_group(g) for g in case["groups"]],
        satisfaction_options(conf),
        min_sample=conf["survey.min_sample"],
        bands=satisfaction_bands(conf),
        group_weighted=case.get("group_weighted", False),
    )
    assert result.valid == case["valid"]
    if "reason" in case:
        assert result.rate is None and result.score is None and result.band is None
        assert case["reason"] in result.reason
    else:
        assert result.rate == Decimal(case["rate"])
        assert result.score == Decimal(case["score"])
        assert result.band.code == case["band"]
        assert result.reason == ""


@pytest.mark.parametrize("case", CASE["refused"], ids=[c["name"] for c in CASE["refused"]])
def test_counts_that_do_not_add_up_are_refused_with_the_reason(case):
    conf = CountySettings({})
    with pytest.raises(ValueError, match=case["message"]):
        tally([_group(case["group"])], satisfaction_options(conf), min_sample=1, bands=satisfaction_bands(conf))
