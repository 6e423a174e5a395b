"""The two commitment metrics a scheme can read (定·查·评 into the assessment), worked by hand, and a
grade entered after a month was scored making the months it feeds dirty."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessments.choices import RunKind
from assessments.metrics import MetricPeriod, read_derived
from assessments.models import DirtyPeriod, ScoringRun
from cadres import services
from cadres.models import Commitment
from tests import factories
from townships.county_settings import settings_for

pytestmark = pytest.mark.django_db

CODES = ["commitments_done_rate", "commitments_completed"]


def _at(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))


@pytest.fixture
def world(township, village, other_village, staff_user):
    branch = factories.PartyOrganizationFactory(township=township, village=village, name="李家村党支部")
    made = {}
    # 2026: c1 (done/not done, one milestone due 6-30, met 100 % on 6-15); c2 (5 公里: 1-3 km by 3-31
    # met 3-01, 5 km by 9-30: 3 km on 5-01, 5 km on 8-10); c3 (one milestone, never met).
    made["c1"] = factories.commitment(
        branch, actor=staff_user, year=2026, title="c1", milestones=[("完工", datetime.date(2026, 6, 30), None)]
    )
    made["c2"] = factories.commitment(
        branch,
        actor=staff_user,
        year=2026,
        title="c2",
        quantity=Decimal(5),
        milestones=[("一期", datetime.date(2026, 3, 31), Decimal(1)), ("二期", datetime.date(2026, 9, 30), Decimal(5))],
    )
    made["c3"] = factories.commitment(
        branch, actor=staff_user, year=2026, title="c3", milestones=[("完工", datetime.date(2026, 10, 31), None)]
    )
    first, second = made["c2"].milestones.order_by("due_on")
    for commitment, milestone, day, quantity, percent in (
        (made["c1"], made["c1"].milestones.get(), datetime.date(2026, 6, 15), None, 100),
        (made["c2"], first, datetime.date(2026, 3, 1), Decimal(1), None),
        (made["c2"], second, datetime.date(2026, 5, 1), Decimal(3), None),
        (made["c2"], second, datetime.date(2026, 8, 10), Decimal(5), None),
    ):
        services.progress_record(
            actor=staff_user, commitment=commitment, milestone=milestone, on_date=day,
            quantity=quantity, percent=percent, note="进展",
        )  # fmt: skip
    # 2025: two commitments, graded 完成 and 未完成 on 2025-12-10.
    for title, grade in (("old-1", "done"), ("old-2", "not_done")):
        old = factories.commitment(
            branch, actor=staff_user, year=2025, title=title, milestones=[("完工", datetime.date(2025, 6, 30), None)]
        )
        services.commitment_grade(actor=staff_user, commitment=old, grade=grade, note="年终评定")
        Commitment.objects.filter(pk=old.pk).update(graded_at=_at(datetime.date(2025, 12, 10)))
    return made


def _read(village, month, year=2026):
    conf = settings_for(village.township.county_id)
    values = read_derived(MetricPeriod(township_ids=[village.township_id], year=year, month=month, conf=conf), CODES)
    return tuple(values[code].get(village.pk) for code in CODES)


def test_the_commitment_metrics_as_worked_by_hand(world, village, other_village, staff_user):
    # May: 2026 not graded → 2025's grades: 1 完成 of 2 = 50.00 %; completed in 2026 by 5-31: c1 not
    # yet (met 6-15), c2 not (5 km on 8-10), c3 not → 0
    assert _read(village, 5) == (50.0, 0)
    # June: c1 met on 6-15 → 1
    assert _read(village, 6) == (50.0, 1)
    # August: c2's second milestone met on 8-10 (its first on 3-01) → 2
    assert _read(village, 8) == (50.0, 2)
    # Year end: c1 完成, c2 基本完成, c3 完成 (graded though its milestone was never met)
    for title, grade in (("c1", "done"), ("c2", "basic"), ("c3", "done")):
        services.commitment_grade(actor=staff_user, commitment=world[title], grade=grade, note="年终评定")
        Commitment.objects.filter(pk=world[title].pk).update(graded_at=_at(datetime.date(2026, 12, 2)))
    # December (grades given on 12-02): 2 完成 of 3 = 66.666… → 66.67 %; completed: c1 and
    # c2 by their milestones, c3 by its grade → 3
    assert _read(village, 12) == (66.67, 3)
    # November's end is before the grades: still last year's 50 %, and c3 not completed
    assert _read(village, 11) == (50.0, 2)
    # A village without commitments has no value (nothing to compare a typed 承诺事项完成 with)
    assert _read(other_village, 12) == (None, None)


def test_a_grade_makes_the_scored_months_from_now_on_dirty(
    world, county, staff_user, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    for year, month in ((today.year, today.month), (2026, 1)):
        ScoringRun.objects.create(county=county, kind=RunKind.MONTHLY, year=year, period=month)
    with django_capture_on_commit_callbacks(execute=False):
        services.commitment_grade(actor=staff_user, commitment=world["c1"], grade="done", note="年终评定")
    dirty = {(d.year, d.period) for d in DirtyPeriod.objects.filter(county=county) if d.is_dirty}
    assert dirty == {(today.year, today.month)}  # January never saw a grade given today
