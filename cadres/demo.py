"""Demo stage 3, the records: people, members, cadres, meetings and 四议两公开 matters (see villages.demo)."""

import datetime

from django.db import transaction

from townships import demo_names as names
from townships.bulk import copy_objects
from villages.choices import MatterStep, OrganizationKind
from villages.models import Matter, MatterStepRecord, PartyOrganization, Village

from .choices import Education, Gender, MeetingKind, MemberPostType, PoliticalCheck, PostKind, Rating, Stage, Transition
from .demo_allowance import generate_allowance
from .demo_commitments import generate_commitments
from .identity import check_digit
from .models import (
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
from .rules import add_months, check_village_party_post
from .services import household_key

# --- Stage 3: records: people, members, cadres, meetings, matters ----------------


def _id_number(region, birth, used, male):
    """A valid, unused ID number: the sequence digits step until free (parity keeps the gender)."""
    for order in range(1 if male else 0, 1000, 2):
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        if first17 not in used:
            used.add(first17)
            return first17 + check_digit(first17)
    raise ValueError("no free ID number for this birth date")


def _add_months(day, months):
    return add_months(day, months)


def generate_records(*, rng, counties, today):
    """Members (≈1.2% of population), cadres with a few vacancies and 一肩挑, a year of
    meetings with real gaps, mobile members, 不合格 cases and 四议两公开 matters. Bulk inserts."""
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
                            gender=Gender.MALE if male else Gender.FEMALE,
                            birth_date=birth,
                            id_number=_id_number(region, birth, used_ids, male),
                            phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
                            education=rng.choice(
                                [
                                    Education.PRIMARY,
                                    Education.JUNIOR,
                                    Education.JUNIOR,
                                    Education.SECONDARY,
                                    Education.COLLEGE,
                                    Education.BACHELOR,
                                ]
                            ),
                            occupation=rng.choice(["农民", "农民", "个体经营", "村干部", "教师", "退休", "外出务工"]),
                            household_address=f"{village.name}{rng.randint(1, max(1, village.villager_groups))}组{rng.randint(1, 200)}号",
                        )
                    )
                    plans.append((village, rng.choice(rolls), stale))
            for person in people:
                person.household_key = household_key(person.household_address)
            people = copy_objects(Person, people)
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
                    member.political_check, member.training_days = PoliticalCheck.PASSED, 3
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
            members = copy_objects(PartyMember, members)
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
            copy_objects(MembershipEvent, events)
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
            copy_objects(MobileRecord, mobile)
            copy_objects(
                MemberPost,
                [
                    MemberPost(
                        member=m,
                        township_id=m.township_id,
                        post_type=rng.choice(MemberPostType.values),
                        started_on=datetime.date(today.year - 1, 3, 1),
                    )
                    for m in rng.sample(full, k=len(full) // 6)
                ],
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
                # A few secretaries left during the year: the post is vacant since.
                ended = today - datetime.timedelta(days=rng.randint(100, 260)) if rng.random() < 0.03 else None
                tenures.append(
                    Tenure(
                        person_id=secretary.person_id,
                        post=PostKind.VILLAGE_SECRETARY,
                        township_id=village.township_id,
                        village=village,
                        started_on=term,
                        ended_on=ended,
                        end_reason="调整" if ended else "",
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
            copy_objects(Tenure, tenures)
            copy_objects(VillageContact, contacts)
            copy_objects(ReserveCadre, reserves)
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
            copy_objects(Meeting, unique.values())
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
            appraisals = copy_objects(Appraisal, appraisals)
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
            copy_objects(AppraisalRating, ratings)
            copy_objects(Correction, corrections)
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
            matters = copy_objects(Matter, matters)
            for index, matter in enumerate(matters):
                year = today.year - 1 if index % 2 else today.year
                day = datetime.date(year, rng.randint(1, max(1, today.month - 1)), 5)
                for step in list(MatterStep)[: rng.randint(1, 6)]:
                    steps.append(MatterStepRecord(matter=matter, step=step, done_on=min(day, today)))
                    day += datetime.timedelta(days=rng.randint(3, 15))
            copy_objects(MatterStepRecord, steps)
            totals["commitments"] = totals.get("commitments", 0) + generate_commitments(county=county, today=today)
            totals["allowance"] = totals.get("allowance", 0) + generate_allowance(
                county=county,
                villages=villages,
                today=today,
                id_number=lambda region, birth, male, used=used_ids: _id_number(region, birth, used, male),
                organization_of=lambda village, rolls=roll_of, office=office_branch: (
                    rolls.get(village.pk) or [office[village.township_id]]
                )[0],
            )
            totals["people"] += len(people)
            totals["members"] += len(members)
    return totals
