"""Demo: the leaving allowance (离任生活补贴). The county's band table (句容's figures; its 3–9 years band
is an assumption the county replaces with its own document) and a handful of former village cadres:
some paid, one turning 60 this month, one not yet 60, one disqualified, one stopped at death.
Deterministic (no draws from the demo's random stream, so every later stage is unchanged)."""

import datetime
from decimal import Decimal

from townships import demo_names as names
from townships.dates import add_months

from .choices import AllowanceStopKind, DisqualificationKind, Gender, PostKind, Stage
from .models import (
    AllowanceBand,
    AllowanceDisqualification,
    AllowanceStop,
    AllowanceTable,
    PartyMember,
    Person,
    Tenure,
)

TABLE_NAME = "正常离任村干部生活补贴标准（演示：参照句容，3–9 年档为假设，以本县文件为准）"
BANDS = ((20, 525, 505, 485), (15, 505, 485, 465), (10, 485, 465, 445), (3, 465, 445, 425))


def _d(year, month, day=1):
    return datetime.date(year, month, day)


def generate_allowance(*, county, villages, today, id_number, organization_of):
    """``villages``: the county's villages in order; ``id_number(region, birth, male)``: a free ID;
    ``organization_of(village)``: the organization its members are kept on. Former secretaries (and
    the one given a Party penalty) are full members there, as the 条例 has a secretary be."""
    table = AllowanceTable.objects.create(county=county, name=TABLE_NAME, effective_from=_d(2020, 1))
    AllowanceBand.objects.bulk_create(
        AllowanceBand(table=table, min_years=y, secretary=Decimal(s), director=Decimal(d), other=Decimal(o))
        for y, s, d, o in BANDS
    )
    if not villages:
        return 0
    # Spread over the townships: the villages of each township in turn.
    by_township = {}
    for village in villages:
        by_township.setdefault(village.township_id, []).append(village)
    spread = [v for group in zip(*by_township.values(), strict=False) for v in group] or villages
    turning = _d(today.year - 60, today.month, 20)  # 60 on the 20th of this month: paid from this month
    cases = (
        # (post, started, ended (first day out), birth, what happens)
        (PostKind.VILLAGE_SECRETARY, _d(1998, 1), _d(2019, 1), _d(1952, 3, 12), None),
        (PostKind.COMMITTEE_DIRECTOR, _d(2008, 3), _d(2021, 3), _d(1957, 9, 2), None),
        (PostKind.VILLAGE_MEMBER, _d(2014, 1), _d(2021, 1), _d(1956, 6, 18), None),
        (PostKind.VILLAGE_SECRETARY, _d(2006, 1), _d(2022, 1), turning, None),
        (PostKind.VILLAGE_SECRETARY, _d(2005, 1), _d(2020, 1), _d(today.year - 58, 5, 5), None),
        (PostKind.COMMITTEE_DIRECTOR, _d(2002, 1), _d(2017, 1), _d(1951, 2, 14), "disqualified"),
        (PostKind.VILLAGE_MEMBER, _d(1995, 1), _d(2015, 1), _d(1941, 11, 3), "died"),
    )
    region = county.division_code[:6]
    people, tenures = [], []
    for index, (post, started, ended, birth, _what) in enumerate(cases):
        village = spread[index % len(spread)]
        person = Person(
            township_id=village.township_id,
            village=village,
            name=names.SURNAMES[(index * 7) % len(names.SURNAMES)] + names.GIVEN[(index * 5 + 3) % len(names.GIVEN)],
            gender=Gender.MALE,
            birth_date=birth,
            id_number=id_number(region, birth, True),
            occupation="退休",
            household_address=f"{village.name}1组{index + 1}号",
        )
        people.append(person)
        tenures.append((person, post, village, started, ended))
    Person.objects.bulk_create(people)
    Tenure.objects.bulk_create(
        Tenure(
            person=person,
            post=post,
            township_id=village.township_id,
            village=village,
            started_on=started,
            ended_on=ended,
            end_reason="正常离任",
        )
        for person, post, village, started, ended in tenures
    )
    PartyMember.objects.bulk_create(
        PartyMember(
            person=person,
            organization=(roll := organization_of(village)),
            township_id=roll.township_id,
            village_id=roll.village_id or village.pk,
            stage=Stage.FULL,
            admitted_on=_d(started.year - 6, 7),
            approved_on=_d(started.year - 6, 8),
            confirmed_on=_d(started.year - 5, 7),
        )
        for (person, post, village, started, _ended), (*_rest, what) in zip(tenures, cases, strict=True)
        if post == PostKind.VILLAGE_SECRETARY or what == "disqualified"
    )
    for person, (*_rest, what) in zip(people, cases, strict=True):
        if what == "disqualified":
            AllowanceDisqualification.objects.create(
                person=person,
                kind=DisqualificationKind.PARTY,
                occurred_on=_d(2018, 5, 10),
                reason="违反廉洁纪律，受党内严重警告处分",
            )
        elif what == "died":
            AllowanceStop.objects.create(
                person=person,
                kind=AllowanceStopKind.DEATH,
                stopped_on=add_months(today, -3).replace(day=5),
                reason="病故",
            )
    return len(people)
