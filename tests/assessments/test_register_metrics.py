"""The member-register metrics read as the records stood at each month's end, so a month scored again
after later changes counts what it counted then (DOMAIN §6: re-running a past period gives the result
it gave then). Worked by hand; 失联 after 6 months without contact (set below).

Members of one village's branch, year 2026:
  A  发展对象 from 01-15, admitted 04-10        → a candidate at the end of Feb and Mar, not Apr; developed in Apr
  B  发展对象 from 02-01, off the roster 03-20   → a candidate at the end of Feb only
  C  发展对象 from 03-31 (the month's last day)  → a candidate at the end of Mar and Apr
  D  full member since 2012                      → never a candidate
  candidates: Feb A, B = 2; Mar A, C = 2; Apr C = 1.   developed this year: Feb 0, Mar 0, Apr 1.

Mobile members (流动党员), lost when the last contact is before (month's end − 6 months):
  M1 (D) away 2025-06-01, last contact 2025-07-01, back 2026-03-15
     Feb: cutoff 2025-08-28, 07-01 before it, still away → lost; Mar, Apr: back by the month's end → not counted
  M2 (E) away 2025-09-01, last contact 2025-09-30, still away
     Feb: cutoff 2025-08-28 → not lost; Mar: cutoff 2025-09-30, not before it (the edge) → not lost;
     Apr: cutoff 2025-10-30 → lost
  lost: Feb 1, Mar 0, Apr 1.
"""

import datetime

import pytest

from assessments.metrics import MetricPeriod, read_derived
from cadres.choices import Stage
from cadres.models import MobileRecord
from tests import factories
from townships.county_settings import settings_for
from townships.models import CountySetting

pytestmark = pytest.mark.django_db

D = datetime.date
EXPECTED = {  # month: (candidates, members_developed, lost_contact_mobile)
    2: (2, 0, 1),
    3: (2, 0, 0),
    4: (1, 1, 1),
}


@pytest.fixture
def branch(county, township, village):
    CountySetting.objects.update_or_create(county=county, key="alert.lost_contact_months", defaults={"value": 6})
    branch = factories.PartyOrganizationFactory(township=township, village=village, name="李家村党支部")
    never = {"admitted_on": None, "confirmed_on": None}
    factories.PartyMemberFactory(organization=branch, stage=Stage.PROBATIONARY, candidate_on=D(2026, 1, 15),
                                 admitted_on=D(2026, 4, 10), confirmed_on=None)  # fmt: skip
    factories.PartyMemberFactory(organization=branch, stage=Stage.CANDIDATE, candidate_on=D(2026, 2, 1),
                                 is_active=False, left_on=D(2026, 3, 20), **never)  # fmt: skip
    factories.PartyMemberFactory(organization=branch, stage=Stage.CANDIDATE, candidate_on=D(2026, 3, 31), **never)
    d = factories.PartyMemberFactory(organization=branch)
    e = factories.PartyMemberFactory(organization=branch)
    MobileRecord.objects.create(member=d, township=township, destination="苏州", since=D(2025, 6, 1),
                                last_contact_on=D(2025, 7, 1), ended_on=D(2026, 3, 15))  # fmt: skip
    MobileRecord.objects.create(member=e, township=township, destination="杭州", since=D(2025, 9, 1),
                                last_contact_on=D(2025, 9, 30))  # fmt: skip
    return branch


@pytest.mark.parametrize("month", sorted(EXPECTED))
def test_member_metrics_as_the_records_stood_at_the_months_end(branch, village, month):
    period = MetricPeriod(
        township_ids=[village.township_id], year=2026, month=month, conf=settings_for(village.township.county_id)
    )
    read = read_derived(period, ["candidates", "members_developed", "lost_contact_mobile"])
    got = tuple(read[code].get(village.pk, 0) for code in ("candidates", "members_developed", "lost_contact_mobile"))
    assert got == EXPECTED[month]
