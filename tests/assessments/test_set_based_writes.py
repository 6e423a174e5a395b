"""Finalize's set-based writes (issue 11): COPY into staging tables, ``INSERT … SELECT``, ranks
by window function. The SQL ranks are held to the rule as stated in Python
(``scoring.competition_ranks`` over ``scoring.ranking_key``) and to cases worked by hand."""

import json
import random
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from assessments import scoring
from assessments.choices import PeriodKind, Target
from assessments.models import Score
from assessments.services import rank_scores
from tests import factories
from townships.bulk import copy_rows, staging_table

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2026, 5


def _score(village, scheme, total, veto=False, target=Target.VILLAGE):
    return Score.objects.create(
        target=target,
        village=village,
        township=village.township,
        scheme=scheme,
        period_kind=PeriodKind.MONTH,
        year=YEAR,
        period=MONTH,
        total=Decimal(total),
        veto=veto,
        computed_at=timezone.now(),
    )


def _ranks():
    return {
        (s.target, s.village.name): (s.rank_in_county, s.rank_in_township)
        for s in Score.objects.filter(year=YEAR, period=MONTH).select_related("village")
    }


def test_ranks_by_hand_a_tie_shares_the_better_place_and_a_veto_goes_last(county, township, other_township, scheme):
    # Township A: 甲 950, 乙 950 (tie), 丙 990 but vetoed; township B: 丁 900.
    # County order (clean first, then total): 甲=乙 950 → 1, 1; 丁 900 → 3 (competition: 1224);
    # 丙 vetoed → 4 whatever its 990. Township A: 甲=乙 → 1, 1; 丙 → 3. Township B: 丁 → 1.
    names = {"甲": ("950", False), "乙": ("950", False), "丙": ("990", True)}
    for name, (total, veto) in names.items():
        _score(factories.VillageFactory(township=township, name=name), scheme, total, veto)
    _score(factories.VillageFactory(township=other_township, name="丁"), scheme, "900")
    rank_scores(county_id=county.pk, period_kind=PeriodKind.MONTH, year=YEAR, period=MONTH)
    assert _ranks() == {
        (Target.VILLAGE, "甲"): (1, 1),
        (Target.VILLAGE, "乙"): (1, 1),
        (Target.VILLAGE, "丁"): (3, 1),
        (Target.VILLAGE, "丙"): (4, 3),
    }


def test_ranks_are_per_target(county, township, scheme):
    # The same village scored as a village and as its secretary: two rankings, each starting at 1.
    village = factories.VillageFactory(township=township, name="甲")
    _score(village, scheme, "800", target=Target.VILLAGE)
    _score(village, scheme, "700", target=Target.VILLAGE_SECRETARY)
    rank_scores(county_id=county.pk, period_kind=PeriodKind.MONTH, year=YEAR, period=MONTH)
    assert set(_ranks().values()) == {(1, 1)}


def test_sql_ranks_equal_the_rule_stated_in_python(county, township, other_township, scheme):
    """Random totals drawn from few values (many ties) and some vetoes, in two townships."""
    rng = random.Random(11)
    for i in range(60):
        place = township if i % 3 else other_township
        village = factories.VillageFactory(township=place, name=f"村{i:02d}")
        _score(village, scheme, rng.choice(["700", "812.5", "812.50", "900", "1000"]), veto=rng.random() < 0.15)
    rank_scores(county_id=county.pk, period_kind=PeriodKind.MONTH, year=YEAR, period=MONTH)
    rows = list(Score.objects.filter(year=YEAR, period=MONTH).values("pk", "township_id", "total", "veto"))

    def expected(members):
        ranks = scoring.competition_ranks(members, key=lambda r: scoring.ranking_key(r["total"], r["veto"]))
        return {members[index]["pk"]: rank for index, rank in ranks.items()}

    county_ranks = expected(rows)
    township_ranks = {}
    for township_id in {r["township_id"] for r in rows}:
        township_ranks.update(expected([r for r in rows if r["township_id"] == township_id]))
    stored = {s.pk: (s.rank_in_county, s.rank_in_township) for s in Score.objects.filter(year=YEAR, period=MONTH)}
    assert stored == {pk: (county_ranks[pk], township_ranks[pk]) for pk in stored}


ODD = [
    (1, "tab\there", {"k": "line\nbreak"}, None),
    (2, "back\\slash \\N", [1, "二", None], "1.50"),
    (3, "", {}, "0"),
    (4, "carriage\rreturn 中文 \U0001f600", {"quote": "\"'"}, None),
]


def test_copy_rows_round_trips_odd_values():
    json_type = "jsonb" if connection.vendor == "postgresql" else "text"
    with (
        transaction.atomic(),
        staging_table("_odd", f"n integer, label text, data {json_type}, amount numeric(7, 2)"),
    ):
        assert copy_rows("_odd", ("n", "label", "data", "amount"), ODD) == len(ODD)
        with connection.cursor() as cursor:
            cursor.execute("SELECT n, label, data, amount FROM _odd ORDER BY n")
            back = cursor.fetchall()
    for (n, label, data, amount), (bn, blabel, bdata, bamount) in zip(ODD, back, strict=True):
        assert (bn, blabel) == (n, label)
        assert (json.loads(bdata) if isinstance(bdata, str) else bdata) == data
        assert (None if bamount is None else Decimal(str(bamount))) == (None if amount is None else Decimal(amount))
