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
