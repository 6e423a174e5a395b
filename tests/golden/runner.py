"""Builds a golden case's inputs and runs them through the services the Celery tasks call.

Inputs go in the way a county's users put them in: schemes through ``indicator_save`` and
``scheme_activate``, reports through ``report_save`` / ``report_submit`` / ``report_review``,
runs through ``scoring_run_start`` and ``run_synchronously`` (the same steps as the tasks),
entries and overrides through ``score_override``, annual ratings through
``annual_rating_compute``, the removal rule through ``removal_rule_apply`` and decisions
through ``removal_decide``. The expected values are in the case files, worked out by hand.
"""

import datetime
import tomllib
from decimal import Decimal
from pathlib import Path

from assessments import services
from assessments.choices import RunKind, Target
from assessments.metrics import reported_codes
from assessments.models import Scheme, Score, ScoreItem, ScoringRun
from cadres.choices import PostKind
from cadres.models import Tenure
from tests import factories
from townships.models import CountySetting, Township

CASES = Path(__file__).parent / "cases"


def load(name):
    with open(CASES / name, "rb") as handle:
        return tomllib.load(handle)


class County:
    """A county made of the townships and villages a case names."""

    def __init__(self, name="金谷县"):
        self.county = factories.CountyFactory(name=name)
        self.admin = factories.county_admin(self.county, username=f"golden-admin-{self.county.pk}")
        self.townships, self.villages, self.people = {}, {}, {}

    def township(self, name):
        if name not in self.townships:
            self.townships[name] = factories.TownshipFactory(county=self.county, name=name)
        return self.townships[name]

    def village(self, name, township):
        if name not in self.villages:
            self.villages[name] = factories.VillageFactory(township=self.township(township), name=name)
        return self.villages[name]

    def person(self, name, township):
        if name not in self.people:
            self.people[name] = factories.PersonFactory(township=self.township(township), name=name)
        return self.people[name]

    def settings(self, values):
        for key, value in (values or {}).items():
            CountySetting.objects.update_or_create(county=self.county, key=key, defaults={"value": value})

    def scheme(self, spec, year):
        scheme = Scheme.objects.create(
            county=self.county,
            year=year,
            target=spec.get("target", Target.VILLAGE),
            name=f"{year}年度考核方案",
            full_marks=Decimal(str(spec["full_marks"])),
            bonus_cap=Decimal(str(spec.get("bonus_cap", 0))),
        )
        for position, item in enumerate(spec["indicators"]):
            services.indicator_save(
                actor=self.admin,
                scheme=scheme,
                code=item["code"],
                name=item["name"],
                category=item["category"],
                max_points=Decimal(str(item["max"])),
                method=item["method"],
                metric=item.get("metric", ""),
                params=item.get("params", {}),
                is_bonus=item.get("bonus", False),
                position=position,
            )
        services.scheme_activate(actor=self.admin, scheme=scheme)
        return scheme

    def report(self, unit, year, month, values, status="approved"):
        """A village's report, or — ``unit`` a township — the township's own (乡镇本级); the metrics
        not given are reported as 0."""
        if status == "none":
            return None
        level = "township" if isinstance(unit, Township) else "village"
        full = dict.fromkeys(reported_codes(level), 0)
        full.update(values or {})
        where = {"township": unit} if level == "township" else {"village": unit}
        report = services.report_save(actor=self.admin, year=year, month=month, values=full, **where)
        if status in ("submitted", "approved"):
            services.report_submit(actor=self.admin, report=report)
        if status == "approved":
            services.report_review(actor=self.admin, report=report, approve=True)
        return report

    def secretary(self, person, village, started_on, ended_on=None):
        return Tenure.objects.create(
            person=person,
            post=PostKind.VILLAGE_SECRETARY,
            township=village.township,
            village=village,
            started_on=started_on,
            ended_on=ended_on,
        )

    def run_month(self, year, month, *, allow_missing=True):
        run = services.scoring_run_start(
            actor=self.admin,
            county_id=self.county.pk,
            kind=RunKind.MONTHLY,
            year=year,
            period=month,
            enqueue=False,
            allow_missing=allow_missing,
        )
        services.run_synchronously(run)
        return ScoringRun.objects.get(pk=run.pk)

    def enter(self, *, village, indicator, points, reason, year, month, target=Target.VILLAGE):
        item = ScoreItem.objects.get(
            score__village=self.villages[village],
            score__target=target,
            score__year=year,
            score__period=month,
            score__period_kind="month",
            indicator__code=indicator,
        )
        services.score_override(actor=self.admin, item=item, points=points, reason=reason)

    def score(self, village, year, month, target=Target.VILLAGE):
        return Score.objects.get(
            village=self.villages[village], target=target, year=year, period=month, period_kind="month"
        )


def date(text):
    return datetime.date.fromisoformat(text)
