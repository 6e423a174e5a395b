"""The demo county generator: deterministic for a seed, bulk inserts, county to province scale.

Stages are separate functions sharing one ``random.Random`` so later stages
(members, cadres, meetings, reports) can be appended without changing what the
earlier ones produce for the same seed.
"""

import datetime
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction

from villages.choices import OrganizationKind, ShowcaseType, VillageKind
from villages.models import PartyOrganization, Village

from .choices import Role, TownshipKind
from .models import County, Township, User
from .services import township_refresh_totals

DEMO_PASSWORD = "demo2026"  # noqa: S105 - the documented demo password
# 1,000 rows per INSERT keeps SQLite under its variable limit and PostgreSQL
# round trips few; larger batches gain nothing measurable.
BATCH_SIZE = 1000

PRESETS = {
    # counties, townships per county, mean villages per township
    "county": (1, 18, 17),
    "city": (6, 18, 17),
    "province": (90, 17, 17),
}

_COUNTY_A = "青清柳石白安永长凤龙桃兴平和宁新东西南北金银红黄云松梅竹桂丰"
_COUNTY_B = "山河门水平宁阳安城川源林岭泉江台州丰乐华昌盛"
_PLACE_A = "东西南北石柳白青红黄马杨高新大小长永安兴和平龙凤桃杏梨枣松柏金银双三五前后上下沙河泉山岭湾坪桥"
_PLACE_B = "门河水山岭桥庄营集店堡寨屯沟湾坪口泉林园塘坡头台冲洼铺"
_SURNAMES = "李王张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
_VILLAGE_SUFFIX = ("家村", "庄村", "营村", "湾村", "寨村", "店村", "集村", "堡村", "屯村", "沟村")
_NAMED_VILLAGES = (
    "红星村 胜利村 前进村 和平村 幸福村 团结村 光明村 新华村 民主村 建设村 永丰村 五一村 东风村 向阳村 解放村 "
    "长青村 双河村 石桥村 柳树沟村 桃园村 杏花村 金星村 联合村 友谊村 新农村 丰收村 太平村 兴旺村 富民村 和谐村"
).split()
_COMMUNITIES = (
    "幸福社区 东关社区 西关社区 南关社区 北关社区 新华社区 建设社区 文化社区 和平社区 人民社区 花园社区 滨河社区 "
    "府前社区 站前社区 光明社区 长安社区 锦绣社区 阳光社区 育才社区 振兴社区"
).split()
_ORDINALS = "一二三四五六七八九十"


@dataclass(frozen=True)
class Size:
    counties: int
    townships_per_county: int
    villages_per_township: int


@dataclass
class Summary:
    counties: int = 0
    townships: int = 0
    villages: int = 0
    organizations: int = 0
    users: int = 0


def _unique_pairs(rng, first, second, count, suffix=""):
    pairs = [a + b for a in first for b in second if a != b]
    rng.shuffle(pairs)
    if count > len(pairs):
        raise ValueError("not enough name material for this size")
    return [p + suffix for p in pairs[:count]]


def _township_kinds(rng, count):
    """About 60% 镇, 30% 乡, 10% 街道; 街道 first, as county lists put them."""
    subdistricts = max(1, round(count * 0.1))
    towns = round(count * 0.6)
    kinds = [TownshipKind.SUBDISTRICT] * subdistricts + [TownshipKind.TOWN] * towns
    kinds += [TownshipKind.TOWNSHIP] * (count - len(kinds))
    return kinds[:count]


def _township_names(rng, kinds):
    names = []
    subdistrict_names = iter(["城关", "东城", "西城", "南城", "北城", "城南", "城北", "新城", "老城", "开发区"])
    place_names = iter(_unique_pairs(rng, _PLACE_A, _PLACE_B, len(kinds)))
    for kind in kinds:
        if kind == TownshipKind.SUBDISTRICT:
            base = next(subdistrict_names, None) or next(place_names)
            names.append(base + "街道")
        else:
            names.append(next(place_names) + ("镇" if kind == TownshipKind.TOWN else "乡"))
    return names


def _village_names(rng, township_kind, count):
    """Unique names within a township: mostly 行政村, 社区 under 街道 and at town seats."""
    if township_kind == TownshipKind.SUBDISTRICT:
        communities = max(1, round(count * 0.7))
    elif township_kind == TownshipKind.TOWN:
        communities = rng.choice([0, 1, 1, 2])
    else:
        communities = 0
    communities = min(communities, count)
    names = [(n, VillageKind.COMMUNITY) for n in rng.sample(_COMMUNITIES, min(communities, len(_COMMUNITIES)))]
    used = {n for n, _kind in names}
    candidates = [s + suffix for s in _SURNAMES for suffix in _VILLAGE_SUFFIX] + _NAMED_VILLAGES
    candidates += [a + b + "村" for a in _PLACE_A for b in _PLACE_B if a != b]
    while len(names) < count:
        name = rng.choice(candidates)
        if name not in used:
            used.add(name)
            names.append((name, VillageKind.VILLAGE))
    return names


def _term(rng):
    start = rng.choice([datetime.date(2021, 10, 1), datetime.date(2021, 12, 1), datetime.date(2022, 3, 1)])
    return start, start.replace(year=start.year + 5)


def generate_registry(*, rng, size, county_prefix=None):
    """Counties, townships, villages and the Party organization tree. Returns the counties and a Summary."""
    summary = Summary()
    county_names = _unique_pairs(rng, _COUNTY_A, _COUNTY_B, size.counties, "县")
    if county_prefix:
        county_names = [county_prefix] + county_names[1:]
    counties = []
    for county_index, county_name in enumerate(county_names):
        with transaction.atomic():
            county = County.objects.create(name=county_name, division_code=f"{411500 + county_index * 3 + 23}")
            counties.append(county)
            kinds = _township_kinds(rng, size.townships_per_county)
            townships = Township.objects.bulk_create(
                [
                    Township(
                        county=county,
                        name=name,
                        kind=kind,
                        division_code=f"{county.division_code}{index + 1:03d}",
                        sort_key=f"{index + 1:03d}",
                    )
                    for index, (name, kind) in enumerate(zip(_township_names(rng, kinds), kinds, strict=True))
                ],
                batch_size=BATCH_SIZE,
            )
            villages = []
            low, high = max(1, size.villages_per_township - 5), size.villages_per_township + 5
            for township in townships:
                count = rng.randint(low, high)
                for index, (name, kind) in enumerate(_village_names(rng, township.kind, count)):
                    households = rng.randint(150, 1500) if kind == VillageKind.VILLAGE else rng.randint(800, 3000)
                    villages.append(
                        Village(
                            township=township,
                            name=name,
                            kind=kind,
                            division_code=f"{township.division_code}{(200 if kind == VillageKind.VILLAGE else 0) + index + 1:03d}",
                            sort_key=f"{index + 1:03d}",
                            natural_villages=rng.randint(1, 12) if kind == VillageKind.VILLAGE else 0,
                            villager_groups=rng.randint(3, 20) if kind == VillageKind.VILLAGE else rng.randint(2, 8),
                            households=households,
                            population=int(households * rng.uniform(2.8, 3.6)),
                            showcase_type=rng.choice(ShowcaseType.values) if rng.random() < 0.2 else "",
                        )
                    )
            villages = Village.objects.bulk_create(villages, batch_size=BATCH_SIZE)
            summary.organizations += _organization_tree(rng, townships, villages)
            summary.counties += 1
            summary.townships += len(townships)
            summary.villages += len(villages)
            ids = [t.pk for t in townships]
            for start in range(0, len(ids), 200):
                township_refresh_totals(township_ids=ids[start : start + 200])
    return counties, summary


def _organization_tree(rng, townships, villages):
    """Committee per township; per village a branch, a general branch with branches, or a village
    committee; a few joint branches; 2–4 Party groups under each branch. Four bulk inserts."""
    committees = {}
    top = []
    for township in townships:
        start, end = _term(rng)
        top.append(
            PartyOrganization(
                township=township,
                name=f"中共{township.name}委员会",
                kind=OrganizationKind.COMMITTEE,
                term_start=start,
                term_end=end,
            )
        )
    for org in PartyOrganization.objects.bulk_create(top, batch_size=BATCH_SIZE):
        committees[org.township_id] = org
    by_township = {}
    for village in villages:
        by_township.setdefault(village.township_id, []).append(village)
    level1, plans, joint = [], [], []
    for township in townships:
        committee = committees[township.pk]
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
        plans.append(("groups", len(level1) - 1))
        members = by_township.get(township.pk, [])
        skip = set()
        for index, village in enumerate(members):
            if village.pk in skip:
                continue
            start, end = _term(rng)
            small = village.population < 900 and village.kind == VillageKind.VILLAGE
            neighbour = members[index + 1] if index + 1 < len(members) else None
            if small and neighbour is not None and neighbour.population < 1200 and rng.random() < 0.25:
                # 联合党支部: two small villages too few members for a branch each.
                skip.add(neighbour.pk)
                name = f"中共{village.name}{neighbour.name}联合支部委员会"
                kind = OrganizationKind.BRANCH
                joint.append((len(level1), neighbour))
            elif village.population > 6500:
                name, kind = f"中共{village.name}委员会", OrganizationKind.COMMITTEE
            elif village.population > 2500:
                name, kind = f"中共{village.name}总支部委员会", OrganizationKind.GENERAL_BRANCH
            else:
                name, kind = f"中共{village.name}支部委员会", OrganizationKind.BRANCH
            level1.append(
                PartyOrganization(
                    township=township,
                    village=village,
                    name=name,
                    kind=kind,
                    parent=committee,
                    term_start=start,
                    term_end=end,
                )
            )
            plans.append(("groups" if kind == OrganizationKind.BRANCH else "branches", len(level1) - 1))
    level1 = PartyOrganization.objects.bulk_create(level1, batch_size=BATCH_SIZE)
    through = PartyOrganization.joint_villages.through
    through.objects.bulk_create(
        [through(partyorganization_id=level1[i].pk, village_id=v.pk) for i, v in joint], batch_size=BATCH_SIZE
    )
    level2, branch_parents = [], []
    for plan, index in plans:
        parent = level1[index]
        if plan == "branches":
            for n in range(rng.randint(2, 3)):
                level2.append(
                    PartyOrganization(
                        township_id=parent.township_id,
                        village_id=parent.village_id,
                        name=f"第{_ORDINALS[n]}党支部",
                        kind=OrganizationKind.BRANCH,
                        parent=parent,
                        term_start=parent.term_start,
                        term_end=parent.term_end,
                    )
                )
        else:
            branch_parents.append(parent)
    level2 = PartyOrganization.objects.bulk_create(level2, batch_size=BATCH_SIZE)
    groups = []
    for branch in [*branch_parents, *level2]:
        for n in range(rng.randint(2, 4)):
            groups.append(
                PartyOrganization(
                    township_id=branch.township_id,
                    village_id=branch.village_id,
                    name=f"第{_ORDINALS[n]}党小组",
                    kind=OrganizationKind.GROUP,
                    parent=branch,
                )
            )
    PartyOrganization.objects.bulk_create(groups, batch_size=BATCH_SIZE)
    return len(top) + len(level1) + len(level2) + len(groups)


def create_demo_users(*, county):
    """county / viewer / town01… for the first county; one password hash for all."""
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
        User.objects.filter(county=county, role=Role.TOWNSHIP_STAFF).select_related("township").order_by("username")
    ):
        rows.append((user.username, Role.TOWNSHIP_STAFF.label, user.township.name))
    return rows


# --- Records: people, members, cadres, meetings, matters (issue: records) ------

_GIVEN = "建国志强秀英桂兰国华明华红梅海燕晓东丽娟文斌春生秋菊玉兰德福永强小平卫东爱民金凤淑珍俊杰子豪欣怡雨涵浩然宇轩思远佳怡"


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
                            name=rng.choice(_SURNAMES)
                            + rng.choice(_GIVEN)
                            + (rng.choice(_GIVEN) if rng.random() < 0.6 else ""),
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
                pool = members_by_village.get(village.pk, [])
                if not pool:
                    continue
                secretary = rng.choice(pool)
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
