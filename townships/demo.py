"""The demo county generator: deterministic for a seed, bulk inserts, county to province scale.

Stages are separate functions sharing one ``random.Random``: ``generate_registry``
(counties, townships, villages, the Party organization tree), ``create_demo_users``,
``generate_records`` (people, members, cadres, meetings) and, in ``assessments.demo``,
the assessment. A new stage is appended after the others so that what the earlier
stages produce for a seed never changes.
"""

import datetime
import functools
import math
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from villages.choices import OrganizationKind, ShowcaseType, VillageKind
from villages.models import PartyOrganization, Village

from . import demo_names as names
from .choices import Role, TownshipKind
from .models import County, Township, User
from .services import township_refresh_totals

DEMO_PASSWORD = "demo2026"  # noqa: S105 - the documented demo password
DEMO_USERNAMES = ("county", "viewer")  # plus town01, town02, … one per township of the first county
FIRST_COUNTY_NAME = "青山县"
# 1,000 rows per INSERT keeps PostgreSQL round trips few; Django splits further
# where SQLite's bound-parameter limit needs it. Larger batches gain nothing measurable.
BATCH_SIZE = 1000
# One aggregate query recomputes this many townships' stored totals.
TOTALS_BATCH = 200
# Members, cadres, meetings and the assessment are generated for the first few
# counties only: a whole province of them (a million people, six million
# meeting rows) would take an hour and gigabytes, and demo logins exist for the
# first county alone.
DETAILED_COUNTIES = 3


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


def create_demo_users(*, county):
    """county / viewer / town01… for one county, town users in the townships' order.

    One password hash for all: hashing is deliberately slow (~0.3 s each).
    """
    password = make_password(DEMO_PASSWORD)
    users = [
        User(username="county", first_name="组织部管理员", role=Role.COUNTY_ADMIN, county=county, password=password),
        User(username="viewer", first_name="组织部查看员", role=Role.COUNTY_VIEWER, county=county, password=password),
    ]
    for index, township in enumerate(county.townships.order_by("sort_key", "name"), start=1):
        users.append(
            User(
                username=f"town{index:02d}",
                first_name=f"{township.name}党建办",
                role=Role.TOWNSHIP_STAFF,
                county=county,
                township=township,
                password=password,
            )
        )
    User.objects.bulk_create(users, batch_size=BATCH_SIZE)
    return users


def demo_logins(county):
    """(username, role label, scope) rows for printing."""
    rows = [("county", Role.COUNTY_ADMIN.label, county.name), ("viewer", Role.COUNTY_VIEWER.label, county.name)]
    for user in (
        User.objects.filter(county=county, role=Role.TOWNSHIP_STAFF, username__startswith="town")
        .select_related("township")
        .order_by("username")
    ):
        rows.append((user.username, Role.TOWNSHIP_STAFF.label, user.township.name))
    return rows


# --- Stage 3: records: people, members, cadres, meetings, matters ----------------


def _id_number(region, birth, used, male):
    """A valid, unused ID number: the sequence digits step until free (parity keeps the gender)."""
    from cadres.identity import check_digit

    for order in range(1 if male else 0, 1000, 2):
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + check_digit(first17)
    raise ValueError("no free ID number for this birth date")


def _add_months(day, months):
    from cadres.rules import add_months

    return add_months(day, months)


def generate_records(*, rng, counties, today):
    """Members (≈1.2% of population), cadres with a few vacancies and 一肩挑, a year of
    meetings with real gaps, mobile members, 不合格 cases and 四议两公开 matters. Bulk inserts."""
    from cadres.choices import MeetingKind, MemberPostType, PostKind, Rating, Stage, Transition
    from cadres.models import (
        Appraisal,
        AppraisalRating,
        Correction,
        Meeting,
        MemberPost,
        MembershipEvent,
        MobileRecord,
        PartyMember,
        Person,
        ReserveCadre,
        Tenure,
        VillageContact,
    )
    from cadres.rules import check_village_party_post
    from cadres.services import household_key
    from villages.choices import MatterStep
    from villages.models import Matter, MatterStepRecord

    totals = {"people": 0, "members": 0, "meetings": 0}
    for county in counties:
        with transaction.atomic():
            townships = list(county.townships.order_by("sort_key"))
            villages = list(Village.objects.filter(township__county=county).order_by("pk"))
            orgs = list(PartyOrganization.objects.filter(township__county=county).order_by("pk"))
            roll_of = {}  # village id → organizations members are kept on
            office_branch = {}
            covering = (OrganizationKind.BRANCH, OrganizationKind.COMMITTEE, OrganizationKind.GENERAL_BRANCH)
            for org in orgs:
                if org.village_id and org.kind in covering:
                    roll_of.setdefault(org.village_id, []).append(org)
                if org.village_id is None and org.kind == OrganizationKind.BRANCH:
                    office_branch[org.township_id] = org
            # Members sit on branches: under a general branch or village committee, on its branches.
            has_branches = {o.parent_id for o in orgs if o.kind == OrganizationKind.BRANCH and o.parent_id}
            for village_id, candidates in roll_of.items():
                roll_of[village_id] = [o for o in candidates if o.pk not in has_branches] or candidates
            joint = dict(
                PartyOrganization.joint_villages.through.objects.filter(
                    partyorganization__township__county=county
                ).values_list("village_id", "partyorganization_id")
            )
            by_pk = {o.pk: o for o in orgs}
            for village_id, org_id in joint.items():
                roll_of[village_id] = [by_pk[org_id]]
            region = county.division_code[:6]
            used_ids = set()
            people, plans = [], []
            for village in villages:
                rolls = roll_of.get(village.pk) or [office_branch[village.township_id]]
                count = max(3, int(village.population * rng.uniform(0.009, 0.017)))
                stale = rng.random() < 0.12  # villages that stopped recruiting years ago
                for _n in range(count):
                    male = rng.random() < 0.76
                    age = int(min(90, max(19, rng.gauss(56, 15))))
                    birth = datetime.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                    people.append(
                        Person(
                            township_id=village.township_id,
                            village_id=village.pk,
                            name=rng.choice(names.SURNAMES)
                            + rng.choice(names.GIVEN)
                            + (rng.choice(names.GIVEN) if rng.random() < 0.6 else ""),
                            gender="male" if male else "female",
                            birth_date=birth,
                            id_number=_id_number(region, birth, used_ids, male),
                            phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                            education=rng.choice(["primary", "junior", "junior", "secondary", "college", "bachelor"]),
                            occupation=rng.choice(["农民", "农民", "个体经营", "村干部", "教师", "退休", "外出务工"]),
                            household_address=f"{village.name}{rng.randint(1, max(1, village.villager_groups))}组{rng.randint(1, 200)}号",
                        )
                    )
                    plans.append((village, rng.choice(rolls), stale))
            for person in people:
                person.household_key = household_key(person.household_address)
            people = Person.objects.bulk_create(people, batch_size=BATCH_SIZE)
            members, events = [], []
            for person, (village, roll, stale) in zip(people, plans, strict=True):
                age = today.year - person.birth_date.year
                latest = today if not stale else today.replace(year=today.year - 4)
                roll_stage = rng.random()
                if stale or age < 22:
                    roll_stage = min(roll_stage, 0.85)
                if roll_stage < 0.86 or age < 22:
                    stage = Stage.FULL
                elif roll_stage < 0.89:
                    stage = Stage.PROBATIONARY
                elif roll_stage < 0.92:
                    stage = Stage.CANDIDATE
                elif roll_stage < 0.96:
                    stage = Stage.ACTIVIST
                else:
                    stage = Stage.APPLICANT
                if age < 22 and stage == Stage.FULL:
                    stage = Stage.APPLICANT
                earliest = person.birth_date.replace(year=person.birth_date.year + 19)
                span = max(30, (latest - earliest).days)
                member = PartyMember(
                    person=person,
                    organization=roll,
                    township_id=roll.township_id,
                    village_id=roll.village_id or village.pk,
                    stage=stage,
                )
                if stage == Stage.FULL:
                    admitted = earliest + datetime.timedelta(days=rng.randint(0, max(1, span - 400)))
                    admitted = min(admitted, latest - datetime.timedelta(days=400))
                    member.admitted_on = admitted
                    member.applied_on = _add_months(admitted, -rng.randint(26, 40))
                    member.activist_on = _add_months(admitted, -rng.randint(14, 24))
                    member.candidate_on = _add_months(admitted, -rng.randint(1, 2))
                    member.confirmed_on = _add_months(admitted, 12)
                elif stage == Stage.PROBATIONARY:
                    admitted = today - datetime.timedelta(days=rng.randint(30, 420))
                    member.admitted_on, member.approved_on = admitted, admitted + datetime.timedelta(days=30)
                    member.probation_end = _add_months(admitted, 12)
                    member.applied_on = _add_months(admitted, -30)
                    member.activist_on = _add_months(admitted, -15)
                    member.candidate_on = _add_months(admitted, -2)
                elif stage == Stage.CANDIDATE:
                    member.candidate_on = today - datetime.timedelta(days=rng.randint(20, 200))
                    member.activist_on = _add_months(member.candidate_on, -rng.randint(12, 20))
                    member.applied_on = _add_months(member.activist_on, -rng.randint(3, 10))
                    member.last_reviewed_on = member.candidate_on
                    member.political_check, member.training_days = "passed", 3
                elif stage == Stage.ACTIVIST:
                    member.activist_on = today - datetime.timedelta(days=rng.randint(30, 500))
                    member.applied_on = _add_months(member.activist_on, -rng.randint(3, 10))
                    member.last_reviewed_on = member.activist_on + datetime.timedelta(days=rng.randint(0, 200))
                    member.last_reviewed_on = min(member.last_reviewed_on, today)
                else:
                    member.applied_on = today - datetime.timedelta(days=rng.randint(5, 120))
                    member.talked_on = (
                        member.applied_on + datetime.timedelta(days=rng.randint(5, 25)) if rng.random() < 0.7 else None
                    )
                    if member.talked_on and member.talked_on > today:
                        member.talked_on = None
                members.append(member)
            members = PartyMember.objects.bulk_create(members, batch_size=BATCH_SIZE)
            date_field = {
                Stage.FULL: "admitted_on",
                Stage.PROBATIONARY: "admitted_on",
                Stage.CANDIDATE: "candidate_on",
                Stage.ACTIVIST: "activist_on",
                Stage.APPLICANT: "applied_on",
            }
            events = [
                MembershipEvent(
                    member=m,
                    transition=Transition.REGISTER,
                    on_date=getattr(m, date_field[m.stage]),
                    detail={"stage": m.stage, "source": "demo"},
                )
                for m in members
            ]
            MembershipEvent.objects.bulk_create(events, batch_size=BATCH_SIZE)
            full = [m for m in members if m.stage == Stage.FULL]
            mobile = []
            for member in rng.sample(full, k=len(full) // 25):
                since = today - datetime.timedelta(days=rng.randint(200, 1500))
                last = today - datetime.timedelta(days=rng.randint(10, 120 if rng.random() < 0.8 else 400))
                mobile.append(
                    MobileRecord(
                        member=member,
                        township_id=member.township_id,
                        destination=rng.choice(
                            [
                                "广东省东莞市",
                                "浙江省义乌市",
                                "江苏省苏州市",
                                "北京市朝阳区",
                                "上海市松江区",
                                "河南省郑州市",
                            ]
                        ),
                        since=since,
                        last_contact_on=max(last, since),
                    )
                )
            MobileRecord.objects.bulk_create(mobile, batch_size=BATCH_SIZE)
            MemberPost.objects.bulk_create(
                [
                    MemberPost(
                        member=m,
                        township_id=m.township_id,
                        post_type=rng.choice(MemberPostType.values),
                        started_on=datetime.date(today.year - 1, 3, 1),
                    )
                    for m in rng.sample(full, k=len(full) // 6)
                ],
                batch_size=BATCH_SIZE,
            )
            # Cadres: township leadership and village posts; about 3% secretaries vacant.
            members_by_village = {}
            for member in full:
                members_by_village.setdefault(member.village_id, []).append(member)
            tenures, contacts, reserves = [], [], []
            leaders_by_township = {}
            office_people = {}
            for member in full:
                office = office_branch.get(member.township_id)
                if office is not None and member.organization_id == office.pk:
                    office_people.setdefault(member.township_id, []).append(member.person_id)
            term = datetime.date(2021, 10, 15)
            for township in townships:
                pool = (
                    office_people.get(township.pk) or [m.person_id for m in full if m.township_id == township.pk][:10]
                )
                posts = [
                    PostKind.PARTY_SECRETARY,
                    PostKind.TOWNSHIP_HEAD,
                    PostKind.DEPUTY_SECRETARY,
                    PostKind.CONGRESS_CHAIR,
                    PostKind.ORGANIZATION_MEMBER,
                    PostKind.PUBLICITY_MEMBER,
                    PostKind.DISCIPLINE_SECRETARY,
                    PostKind.DEPUTY_HEAD,
                ]
                leaders = []
                for post, person_id in zip(posts, pool, strict=False):
                    tenures.append(Tenure(person_id=person_id, post=post, township=township, started_on=term))
                    leaders.append(person_id)
                leaders_by_township[township.pk] = leaders
            for village in villages:
                # Full members kept by this village's organization: the only people the
                # 条例 allows as its secretary (cadres.rules.check_village_party_post).
                pool = members_by_village.get(village.pk, [])
                if not pool:
                    continue
                secretary = rng.choice(pool)
                check_village_party_post(
                    post=PostKind.VILLAGE_SECRETARY,
                    name=secretary.person.name,
                    stage=secretary.stage,
                    in_village_organization=secretary.village_id == village.pk,
                )
                if rng.random() < 0.03:
                    ended = today - datetime.timedelta(days=rng.randint(100, 260))
                    tenures.append(
                        Tenure(
                            person_id=secretary.person_id,
                            post=PostKind.VILLAGE_SECRETARY,
                            township_id=village.township_id,
                            village=village,
                            started_on=term,
                            ended_on=ended,
                            end_reason="调整",
                        )
                    )
                else:
                    tenures.append(
                        Tenure(
                            person_id=secretary.person_id,
                            post=PostKind.VILLAGE_SECRETARY,
                            township_id=village.township_id,
                            village=village,
                            started_on=term,
                        )
                    )
                director = secretary if rng.random() < 0.7 else rng.choice(pool)
                tenures.append(
                    Tenure(
                        person_id=director.person_id,
                        post=PostKind.COMMITTEE_DIRECTOR,
                        township_id=village.township_id,
                        village=village,
                        started_on=term,
                    )
                )
                for other in rng.sample(pool, k=min(2, len(pool))):
                    tenures.append(
                        Tenure(
                            person_id=other.person_id,
                            post=PostKind.VILLAGE_MEMBER,
                            township_id=village.township_id,
                            village=village,
                            started_on=term,
                        )
                    )
                leaders = leaders_by_township.get(village.township_id)
                if leaders:
                    contacts.append(
                        VillageContact(
                            person_id=rng.choice(leaders),
                            township_id=village.township_id,
                            village=village,
                            started_on=datetime.date(today.year, 1, 1),
                        )
                    )
                young = [m for m in pool if today.year - m.person.birth_date.year < 40]
                for member in rng.sample(young, k=min(len(young), rng.randint(0, 2))):
                    reserves.append(
                        ReserveCadre(
                            person_id=member.person_id,
                            township_id=village.township_id,
                            village=village,
                            added_on=datetime.date(today.year - 1, 6, 1),
                            note="致富带头人",
                        )
                    )
            Tenure.objects.bulk_create(tenures, batch_size=BATCH_SIZE)
            VillageContact.objects.bulk_create(contacts, batch_size=BATCH_SIZE)
            ReserveCadre.objects.bulk_create(reserves, batch_size=BATCH_SIZE)
            # A year of organizational life with the gaps real villages have.
            roll_counts = {}
            for member in members:
                if member.stage in (Stage.FULL, Stage.PROBATIONARY):
                    roll_counts[member.organization_id] = roll_counts.get(member.organization_id, 0) + 1
            meetings = []
            last_month = today.replace(day=1) - datetime.timedelta(days=1)
            # Last year in full and this year so far: the assessment scores both.
            months = [(today.year - 1, m) for m in range(1, 13)]
            months += [(today.year, m) for m in range(1, last_month.month + 1)] if last_month.year == today.year else []
            for org in orgs:
                if org.kind == OrganizationKind.COMMITTEE and org.village_id is None:
                    continue
                roll = org.parent_id if org.kind == OrganizationKind.GROUP else org.pk
                entitled = roll_counts.get(roll, 0)
                if org.kind != OrganizationKind.GROUP and org.pk in has_branches:
                    entitled = sum(roll_counts.get(o.pk, 0) for o in orgs if o.parent_id == org.pk)
                if entitled == 0:
                    continue
                diligence = rng.uniform(0.7, 1.0)
                kinds = (
                    [MeetingKind.GROUP]
                    if org.kind == OrganizationKind.GROUP
                    else [MeetingKind.PARTY_DAY, MeetingKind.BRANCH_COMMITTEE]
                )
                for year, month in months:
                    for kind in kinds:
                        if rng.random() < diligence:
                            meetings.append((org, kind, datetime.date(year, month, rng.randint(1, 28)), entitled))
                    if org.kind != OrganizationKind.GROUP and month % 3 == 0:
                        for kind in (MeetingKind.BRANCH_GENERAL, MeetingKind.LECTURE):
                            if rng.random() < diligence:
                                meetings.append((org, kind, datetime.date(year, month, rng.randint(1, 28)), entitled))
            topics = {
                MeetingKind.PARTY_DAY: [
                    "学习党的二十届四中全会精神",
                    "人居环境整治志愿服务",
                    "重温入党誓词",
                    "防汛安全宣传",
                ],
                MeetingKind.BRANCH_COMMITTEE: [
                    "研究发展党员工作",
                    "讨论村集体经济项目",
                    "部署秋收秋种",
                    "研究困难群众帮扶",
                ],
                MeetingKind.BRANCH_GENERAL: ["通报村务财务", "讨论接收预备党员", "学习贯彻《农村基层组织工作条例》"],
                MeetingKind.LECTURE: ["书记讲党课：抓党建促乡村振兴", "党纪学习教育专题党课"],
                MeetingKind.GROUP: ["学习近期重要讲话", "收集群众意见", "党员联系户走访"],
            }
            rows = [
                Meeting(
                    organization=org,
                    township_id=org.township_id,
                    village_id=org.village_id,
                    kind=kind,
                    held_on=day,
                    topic=f"{rng.choice(topics[kind])}（{day.month}月）",
                    entitled=entitled,
                    present=max(1, int(entitled * rng.uniform(0.65, 1.0))),
                )
                for org, kind, day, entitled in meetings
            ]
            unique = {(m.organization_id, m.kind, m.held_on, m.topic): m for m in rows}
            Meeting.objects.bulk_create(list(unique.values()), batch_size=BATCH_SIZE)
            totals["meetings"] += len(unique)
            # Last year's democratic appraisal in most branches; a few 不合格 in 限期改正.
            appraisals, ratings, corrections = [], [], []
            by_org = {}
            for member in full:
                by_org.setdefault(member.organization_id, []).append(member)
            for org_id in by_org:
                for year in (today.year - 2, today.year - 1):
                    if rng.random() < 0.1 or org_id not in by_pk:
                        continue
                    appraisals.append(
                        Appraisal(
                            organization_id=org_id,
                            township_id=by_pk[org_id].township_id,
                            year=year,
                            held_on=datetime.date(year, 12, rng.randint(10, 28)),
                        )
                    )
            appraisals = Appraisal.objects.bulk_create(appraisals, batch_size=BATCH_SIZE)
            for appraisal in appraisals:
                roll_members = by_org[appraisal.organization_id]
                excellent = set(rng.sample(range(len(roll_members)), k=len(roll_members) // 5))
                for index, member in enumerate(roll_members):
                    rating = Rating.EXCELLENT if index in excellent else Rating.QUALIFIED
                    if index not in excellent and rng.random() < 0.004:
                        rating = Rating.UNQUALIFIED
                        corrections.append(
                            Correction(
                                member=member,
                                township_id=member.township_id,
                                started_on=appraisal.held_on,
                                deadline=_add_months(appraisal.held_on, 6),
                                reason="民主评议不合格",
                            )
                        )
                    ratings.append(AppraisalRating(appraisal=appraisal, member=member, rating=rating))
            AppraisalRating.objects.bulk_create(ratings, batch_size=BATCH_SIZE)
            Correction.objects.bulk_create(corrections, batch_size=BATCH_SIZE)
            # 四议两公开: two matters per township at different steps.
            matters, steps = [], []
            for township in townships:
                candidates = [v for v in villages if v.township_id == township.pk]
                for village in rng.sample(candidates, k=min(4, len(candidates))):
                    matters.append(
                        Matter(
                            village=village,
                            township=township,
                            title=rng.choice(
                                [
                                    "村集体光伏发电项目",
                                    "村道硬化工程",
                                    "集体土地流转",
                                    "农田水利设施修缮",
                                    "村级活动场所改造",
                                ]
                            ),
                        )
                    )
            matters = Matter.objects.bulk_create(matters, batch_size=BATCH_SIZE)
            for index, matter in enumerate(matters):
                year = today.year - 1 if index % 2 else today.year
                day = datetime.date(year, rng.randint(1, max(1, today.month - 1)), 5)
                for step in list(MatterStep)[: rng.randint(1, 6)]:
                    steps.append(MatterStepRecord(matter=matter, step=step, done_on=min(day, today)))
                    day += datetime.timedelta(days=rng.randint(3, 15))
            MatterStepRecord.objects.bulk_create(steps, batch_size=BATCH_SIZE)
            totals["people"] += len(people)
            totals["members"] += len(members)
    return totals
