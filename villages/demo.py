"""Demo stage 1, the registry: counties, townships, villages and the Party organization tree.

Deterministic for a seed, bulk inserts, county to province scale. ``assessments``' load_demo
command orchestrates the stages: ``villages.demo.generate_registry`` and
``townships.demo.create_demo_users`` draw from one ``random.Random`` for the seed; then every
county is detailed (``assessments.demo.detail_county``: ``cadres.demo.generate_records`` for people,
members, cadres and meetings, ``assessments.demo.generate_assessment`` for schemes, reports, scores
and ratings) from a stream of its own, so counties can be made in parallel processes. A new stage
is appended after the others so that what the earlier stages produce for a seed never changes.
"""

import datetime
import functools
import math
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction

from townships import demo_names as names
from townships.choices import TownshipKind
from townships.demo import BATCH_SIZE, FIRST_COUNTY_NAME
from townships.models import County, Township
from townships.services import township_refresh_totals

from .choices import OrganizationKind, ShowcaseType, VillageKind
from .models import PartyOrganization, Village

# 1,000 rows per INSERT keeps PostgreSQL round trips few; Django splits further
# where SQLite's bound-parameter limit needs it. Larger batches gain nothing measurable.
# One aggregate query recomputes this many townships' stored totals.
TOTALS_BATCH = 200


@dataclass(frozen=True)
class Size:
    counties: int
    townships_per_county: int
    villages_per_township: int
    # Villages per township vary by up to this much either way (0: exactly villages_per_township).
    villages_spread: int = 0

    # Limits of the name material and of the 3-digit division code segments.
    MAX_COUNTIES = 500
    MAX_TOWNSHIPS = 150
    MAX_VILLAGES = 150

    def check(self):
        """Raise ValueError when the size is outside what the generator can name and code."""
        if not 1 <= self.counties <= self.MAX_COUNTIES:
            raise ValueError(f"counties must be between 1 and {self.MAX_COUNTIES}")
        if not 1 <= self.townships_per_county <= self.MAX_TOWNSHIPS:
            raise ValueError(f"townships per county must be between 1 and {self.MAX_TOWNSHIPS}")
        if not 1 <= self.villages_per_township <= self.MAX_VILLAGES:
            raise ValueError(f"villages per township must be between 1 and {self.MAX_VILLAGES}")


PRESETS = {
    # ~300 villages; villages per township 12–22.
    "county": Size(counties=1, townships_per_county=18, villages_per_township=17, villages_spread=5),
    "city": Size(counties=6, townships_per_county=18, villages_per_township=17, villages_spread=5),
    # ~1,500 townships and ~25,000 villages.
    "province": Size(counties=90, townships_per_county=17, villages_per_township=17, villages_spread=5),
}

# Shares of the village Party organization kinds, by village size within a county.
VILLAGE_COMMITTEE_SHARE = 0.03  # the largest villages: a village Party committee (党委)
GENERAL_BRANCH_SHARE = 0.12  # the next largest: a general branch (党总支) with 2–3 branches
GENERAL_BRANCH_MIN_POPULATION = 2500
VILLAGE_COMMITTEE_MIN_POPULATION = 3000
JOINT_SHARE = 0.02  # villages in a joint branch (联合党支部) with a neighbour
JOINT_MAX_POPULATION = 1500  # "small": too few members for a branch of their own


@dataclass
class Summary:
    counties: int = 0
    townships: int = 0
    villages: int = 0
    organizations: int = 0
    kinds: Counter = field(default_factory=Counter)  # organization kind → count
    joint_branches: int = 0

    def add(self, other):
        self.counties += other.counties
        self.townships += other.townships
        self.villages += other.villages
        self.organizations += other.organizations
        self.kinds.update(other.kinds)
        self.joint_branches += other.joint_branches


# --- Names ----------------------------------------------------------------------


def _unique_pairs(rng, first, second, count, suffix="", exclude=()):
    excluded = set(exclude)
    pairs = [
        a + b + suffix
        for a in first
        for b in second
        if a != b and a + b not in names.UNFIT and a + b + suffix not in excluded
    ]
    rng.shuffle(pairs)
    if count > len(pairs):
        raise ValueError("not enough name material for this size")
    return pairs[:count]


def county_names(rng, count, first=FIRST_COUNTY_NAME):
    """``count`` distinct county names, the first one fixed (the demo county everyone logs in to)."""
    return [first, *_unique_pairs(rng, names.COUNTY_FIRST, names.COUNTY_SECOND, count - 1, "县", exclude=[first])]


def township_kinds(count):
    """About 10% 街道, 60% 镇, 30% 乡, in that order, as county lists put them."""
    subdistricts = max(1, round(count * 0.1))
    towns = round(count * 0.6)
    kinds = [TownshipKind.SUBDISTRICT] * subdistricts + [TownshipKind.TOWN] * towns
    kinds += [TownshipKind.TOWNSHIP] * (count - len(kinds))
    return kinds[:count]


def township_names(rng, kinds):
    """Distinct within a county: 街道 are named after the county seat, towns and townships after places."""
    result = []
    subdistrict_names = iter(names.SUBDISTRICTS)
    places = iter(_unique_pairs(rng, names.PLACE_FIRST, names.PLACE_SECOND, len(kinds)))
    suffix = {TownshipKind.SUBDISTRICT: "街道", TownshipKind.TOWN: "镇", TownshipKind.TOWNSHIP: "乡"}
    for kind in kinds:
        base = next(subdistrict_names, None) if kind == TownshipKind.SUBDISTRICT else None
        result.append((base or next(places)) + suffix[kind])
    return result


@functools.cache
def _village_candidates():
    candidates = [s + suffix for s in names.SURNAMES for suffix in names.VILLAGE_SUFFIXES]
    candidates += names.NAMED_VILLAGES
    candidates += [
        a + b + "村" for a in names.PLACE_FIRST for b in names.PLACE_SECOND if a != b and a + b not in names.UNFIT
    ]
    return tuple(candidates)


def village_names(rng, township_kind, count):
    """``count`` (name, kind) pairs distinct within a township, communities first.

    Communities (社区) are most of a 街道 and sit at some town seats; the rest are
    administrative villages (行政村).
    """
    if township_kind == TownshipKind.SUBDISTRICT:
        communities = max(1, round(count * 0.7))
    elif township_kind == TownshipKind.TOWN:
        communities = rng.choice([0, 1, 1, 2])
    else:
        communities = 0
    communities = min(communities, count, len(names.COMMUNITIES))
    result = [(n, VillageKind.COMMUNITY) for n in rng.sample(names.COMMUNITIES, communities)]
    used = {n for n, _kind in result}
    candidates = _village_candidates()
    while len(result) < count:
        name = rng.choice(candidates)
        if name not in used:
            used.add(name)
            result.append((name, VillageKind.VILLAGE))
    return result


# --- Codes ----------------------------------------------------------------------


def county_division_code(index):
    """411523, 411524 …: ten counties per prefecture-level city, so codes stay six digits and distinct."""
    return f"41{15 + index // 10:02d}{23 + index % 10:02d}"


# The 3-digit segments of GB/T 10114: 街道 001–099, 镇 101–199, 乡 201–399;
# 社区 001–199, 行政村 201–399.
_TOWNSHIP_CODE_BASE = {TownshipKind.SUBDISTRICT: 0, TownshipKind.TOWN: 100, TownshipKind.TOWNSHIP: 200}
_VILLAGE_CODE_BASE = {VillageKind.COMMUNITY: 0, VillageKind.VILLAGE: 200}


def _numbered(kinds, base):
    seen = Counter()
    codes = []
    for kind in kinds:
        seen[kind] += 1
        codes.append(f"{base[kind] + seen[kind]:03d}")
    return codes


def _term(rng):
    """A five-year term: most committees elected in autumn 2021, some in 2022."""
    start = rng.choice([datetime.date(2021, 10, 1), datetime.date(2021, 12, 1), datetime.date(2022, 3, 1)])
    return start, start.replace(year=start.year + settings.ORGANIZATION_TERM_YEARS)


# --- Stage 1: the registry ------------------------------------------------------


def generate_registry(*, rng, size, county_prefix=FIRST_COUNTY_NAME, progress=None):
    """Counties, townships, villages and the Party organization tree, one transaction per county.

    Returns the counties and a Summary; calls ``progress(index, county, summary)``
    after each county is committed.
    """
    size.check()
    summary = Summary()
    counties = []
    for index, name in enumerate(county_names(rng, size.counties, county_prefix)):
        with transaction.atomic():
            county, part = _generate_county(rng, size, index, name)
        counties.append(county)
        summary.add(part)
        if progress is not None:
            progress(index, county, part)
    return counties, summary


def _generate_county(rng, size, index, name):
    part = Summary(counties=1)
    county = County.objects.create(name=name, division_code=county_division_code(index))
    kinds = township_kinds(size.townships_per_county)
    townships = Township.objects.bulk_create(
        [
            Township(
                county=county,
                name=township_name,
                kind=kind,
                division_code=county.division_code + code,
                sort_key=f"{order:03d}",
            )
            for order, (township_name, kind, code) in enumerate(
                zip(township_names(rng, kinds), kinds, _numbered(kinds, _TOWNSHIP_CODE_BASE), strict=True), start=1
            )
        ],
        batch_size=BATCH_SIZE,
    )
    villages = []
    spread = size.villages_spread
    low, high = max(1, size.villages_per_township - spread), size.villages_per_township + spread
    for township in townships:
        planned = village_names(rng, township.kind, rng.randint(low, high) if spread else low)
        codes = _numbered([kind for _name, kind in planned], _VILLAGE_CODE_BASE)
        for order, ((village_name, kind), code) in enumerate(zip(planned, codes, strict=True), start=1):
            villages.append(_village(rng, township, village_name, kind, code, order))
    villages = Village.objects.bulk_create(villages, batch_size=BATCH_SIZE)
    _organization_tree(rng, townships, villages, part)
    part.townships, part.villages = len(townships), len(villages)
    ids = [t.pk for t in townships]
    for start in range(0, len(ids), TOTALS_BATCH):
        township_refresh_totals(township_ids=ids[start : start + TOTALS_BATCH])
    return county, part


def _village(rng, township, name, kind, code, order):
    if kind == VillageKind.VILLAGE:
        households = rng.randint(150, 1500)
        natural_villages, groups = rng.randint(1, 12), rng.randint(3, 20)
        showcase = rng.choice(ShowcaseType.values) if rng.random() < 0.2 else ""
    else:
        households = rng.randint(800, 3000)
        natural_villages, groups, showcase = 0, rng.randint(2, 8), ""
    return Village(
        township=township,
        name=name,
        kind=kind,
        division_code=township.division_code + code,
        sort_key=f"{order:03d}",
        natural_villages=natural_villages,
        villager_groups=groups,
        households=households,
        population=int(households * rng.uniform(2.9, 3.5)),  # ≈3.2 people per household
        showcase_type=showcase,
    )


def _village_plans(rng, villages):
    """Per village of one county: its organization kind, or the neighbour it shares a joint branch with.

    The largest ~3% get a village committee, the next ~12% a general branch, the
    rest a branch; ~2% of villages, small neighbours in one township, pair into
    joint branches. Returns ({village index: kind}, {first index: second index}).
    """
    order = sorted(range(len(villages)), key=lambda i: -villages[i].population)
    committees = math.ceil(len(villages) * VILLAGE_COMMITTEE_SHARE)
    generals = math.ceil(len(villages) * GENERAL_BRANCH_SHARE)
    kinds = dict.fromkeys(range(len(villages)), OrganizationKind.BRANCH)
    for rank, i in enumerate(order[: committees + generals]):
        population = villages[i].population
        if rank < committees and population >= VILLAGE_COMMITTEE_MIN_POPULATION:
            kinds[i] = OrganizationKind.COMMITTEE
        elif population >= GENERAL_BRANCH_MIN_POPULATION:
            kinds[i] = OrganizationKind.GENERAL_BRANCH

    def small(i):
        v = villages[i]
        return (
            kinds[i] == OrganizationKind.BRANCH
            and v.kind == VillageKind.VILLAGE
            and v.population < JOINT_MAX_POPULATION
        )

    candidates = [
        i
        for i in range(len(villages) - 1)
        if villages[i].township_id == villages[i + 1].township_id and small(i) and small(i + 1)
    ]
    wanted = max(1, round(len(villages) * JOINT_SHARE / 2)) if candidates else 0
    pairs, taken = {}, set()
    for i in rng.sample(candidates, len(candidates)):
        if len(pairs) == wanted:
            break
        if i not in taken and i + 1 not in taken:
            pairs[i] = i + 1
            taken.update((i, i + 1))
    return kinds, pairs


def _organization_tree(rng, townships, villages, summary):
    """The tree of one county in four levels, one bulk insert per level.

    Township committee (乡镇党委) → its office branch (机关党支部) and one
    organization per village (a branch, a general branch, a village committee,
    or a joint branch covering two villages) → branches of the general branches
    and village committees → 2–4 Party groups (党小组) in every branch.
    """
    kinds, pairs = _village_plans(rng, villages)
    partners = set(pairs.values())
    committees = []
    for township in townships:
        start, end = _term(rng)
        committees.append(
            PartyOrganization(
                township=township,
                name=f"中共{township.name}委员会",
                kind=OrganizationKind.COMMITTEE,
                term_start=start,
                term_end=end,
            )
        )
    committees = PartyOrganization.objects.bulk_create(committees, batch_size=BATCH_SIZE)
    committee_of = {c.township_id: c for c in committees}

    level1, joint = [], []
    for township in townships:
        committee = committee_of[township.pk]
        level1.append(
            PartyOrganization(
                township=township,
                name=f"{township.name}机关党支部",
                kind=OrganizationKind.BRANCH,
                parent=committee,
                term_start=committee.term_start,
                term_end=committee.term_end,
            )
        )
    for i, village in enumerate(villages):
        if i in partners:
            continue  # covered by its neighbour's joint branch
        kind = kinds[i]
        if i in pairs:
            neighbour = villages[pairs[i]]
            name = f"中共{village.name}{neighbour.name}联合支部委员会"
            joint.append((len(level1), neighbour))
        else:
            name = {
                OrganizationKind.COMMITTEE: f"中共{village.name}委员会",
                OrganizationKind.GENERAL_BRANCH: f"中共{village.name}总支部委员会",
                OrganizationKind.BRANCH: f"中共{village.name}支部委员会",
            }[kind]
        start, end = _term(rng)
        level1.append(
            PartyOrganization(
                township_id=village.township_id,
                village=village,
                name=name,
                kind=kind,
                parent=committee_of[village.township_id],
                term_start=start,
                term_end=end,
            )
        )
    level1 = PartyOrganization.objects.bulk_create(level1, batch_size=BATCH_SIZE)
    through = PartyOrganization.joint_villages.through
    through.objects.bulk_create(
        [through(partyorganization_id=level1[i].pk, village_id=v.pk) for i, v in joint], batch_size=BATCH_SIZE
    )

    level2, leaves = [], []
    for org in level1:
        if org.kind == OrganizationKind.BRANCH:
            leaves.append(org)
            continue
        count = rng.randint(3, 4) if org.kind == OrganizationKind.COMMITTEE else rng.randint(2, 3)
        for n in range(count):
            level2.append(
                PartyOrganization(
                    township_id=org.township_id,
                    village_id=org.village_id,
                    name=f"第{names.ORDINALS[n]}党支部",
                    kind=OrganizationKind.BRANCH,
                    parent=org,
                    term_start=org.term_start,
                    term_end=org.term_end,
                )
            )
    level2 = PartyOrganization.objects.bulk_create(level2, batch_size=BATCH_SIZE)

    groups = []
    for branch in [*leaves, *level2]:
        for n in range(rng.randint(2, 4)):
            groups.append(
                PartyOrganization(
                    township_id=branch.township_id,
                    village_id=branch.village_id,
                    name=f"第{names.ORDINALS[n]}党小组",
                    kind=OrganizationKind.GROUP,
                    parent=branch,
                )
            )
    PartyOrganization.objects.bulk_create(groups, batch_size=BATCH_SIZE)

    for org in (*committees, *level1, *level2, *groups):
        summary.kinds[org.kind] += 1
    summary.organizations += len(committees) + len(level1) + len(level2) + len(groups)
    summary.joint_branches += len(joint)


# --- Stage 2: demo logins -------------------------------------------------------
