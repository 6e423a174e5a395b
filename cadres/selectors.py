"""Reads for members, cadres and organizational life: due lists, compliance, alerts.

Every function takes querysets already narrowed by townships.scoping.scope_for
(or township ids taken from one) and runs a fixed number of aggregate queries,
however many villages are in scope.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractYear, TruncMonth
from django.utils.translation import gettext as _

from townships.county_settings import settings_for
from villages.choices import OrganizationKind
from villages.models import PartyOrganization, Village

from . import rules
from .choices import AlertCode, MeetingKind, PostKind, Stage
from .models import Meeting, MobileRecord, PartyMember, Person, ReserveCadre, Tenure, VillageContact
from .periods import MEETING_REQUIREMENTS, previous_month, units_ending_within

ROSTER_STAGES = (Stage.PROBATIONARY, Stage.FULL)
PIPELINE_STAGES = (Stage.APPLICANT, Stage.ACTIVIST, Stage.CANDIDATE)


def member_list(*, members):
    """The roster's rows with everything a page or export shows, in one query."""
    return members.select_related("person", "organization", "township", "village")


# --- Due lists --------------------------------------------------------------


@dataclass(frozen=True)
class DueLists:
    candidate_eligible: list
    probation_ending: list
    talk_overdue: list
    review_overdue: list
    probation_overdue: list


def pipeline_due(*, members, today, conf):
    """Who becomes eligible for the next step this month, and who is overdue."""
    month_end = rules.add_months(today.replace(day=1), 1) - datetime.timedelta(days=1)
    base = member_list(members=members.filter(is_active=True))
    activist_cutoff = rules.add_months(month_end, -conf["pipeline.activist_min_months"])
    review_cutoff = rules.add_months(today, -conf["pipeline.activist_review_months"])
    talk_cutoff = today - datetime.timedelta(days=conf["pipeline.talk_within_days"])
    return DueLists(
        candidate_eligible=list(base.filter(stage=Stage.ACTIVIST, activist_on__lte=activist_cutoff)),
        probation_ending=list(
            base.filter(stage=Stage.PROBATIONARY, probation_end__gte=today.replace(day=1), probation_end__lte=month_end)
        ),
        talk_overdue=list(base.filter(stage=Stage.APPLICANT, talked_on__isnull=True, applied_on__lt=talk_cutoff)),
        review_overdue=list(
            base.filter(stage__in=[Stage.ACTIVIST, Stage.CANDIDATE], last_reviewed_on__lt=review_cutoff)
        ),
        probation_overdue=list(base.filter(stage=Stage.PROBATIONARY, probation_end__lt=today)),
    )


# --- Organizational life: expected versus held ------------------------------


@dataclass
class KindCompliance:
    kind: str
    label: str
    expected: int = 0
    held: int = 0  # counted up to the requirement in each unit: extra meetings don't cover a missed month
    missing: list = field(default_factory=list)  # labels of units short of the requirement


@dataclass
class OrganizationCompliance:
    organization_id: int
    organization_name: str
    township_id: int
    village_id: int | None
    kinds: list

    @property
    def expected(self):
        return sum(k.expected for k in self.kinds)

    @property
    def held(self):
        return sum(k.held for k in self.kinds)

    @property
    def ratio(self):
        return self.held / self.expected if self.expected else 1.0


def _required_kinds(org_kind):
    if org_kind == OrganizationKind.GROUP:
        return [MeetingKind.GROUP]
    return [k for k in MEETING_REQUIREMENTS if k != MeetingKind.GROUP]


def meeting_compliance(*, organizations, start, end, conf):
    """Expected versus held meetings per organization for the units due within [start, end].

    Branch-level organizations (branches, general branches, village committees)
    owe every kind but group meetings; Party groups owe group meetings. Two queries.
    """
    orgs = list(
        organizations.filter(is_active=True)
        .exclude(kind=OrganizationKind.COMMITTEE, village__isnull=True)
        .values_list("pk", "name", "kind", "township_id", "village_id")
    )
    units_by_kind = {kind: units_ending_within(unit, start, end) for kind, (_key, unit) in MEETING_REQUIREMENTS.items()}
    earliest = min((u.start for units in units_by_kind.values() for u in units), default=start)
    counts = defaultdict(lambda: defaultdict(int))  # (org, kind) → month start → meetings
    rows = (
        Meeting.objects.filter(organization_id__in=[o[0] for o in orgs], held_on__gte=earliest, held_on__lte=end)
        .annotate(month=TruncMonth("held_on"))
        .values_list("organization_id", "kind", "month")
        .annotate(n=Count("pk"))
    )
    for org_id, kind, month, n in rows:
        month = month.date() if isinstance(month, datetime.datetime) else month
        counts[(org_id, kind)][month] += n
    result = []
    for org_id, name, org_kind, township_id, village_id in orgs:
        kinds = []
        for kind in _required_kinds(org_kind):
            setting_key, _unit = MEETING_REQUIREMENTS[kind]
            per_unit = conf[setting_key]
            row = KindCompliance(kind=kind, label=kind.label)
            for unit in units_by_kind[kind]:
                by_month = counts.get((org_id, kind), {})
                held = sum(n for month, n in by_month.items() if unit.start <= month <= unit.end)
                row.expected += per_unit
                row.held += min(held, per_unit)
                if held < per_unit:
                    row.missing.append(unit.label)
            if row.expected:
                kinds.append(row)
        result.append(OrganizationCompliance(org_id, name, township_id, village_id, kinds))
    return result


# --- Alerts -----------------------------------------------------------------


@dataclass(frozen=True)
class Alert:
    code: str
    township_id: int
    township_name: str
    village_id: int | None
    village_name: str
    message: str
    count: int = 1

    @property
    def label(self):
        return str(AlertCode(self.code).label)


def alerts_for(*, townships, today):
    """Every derived alert for the villages of the given (already scoped) townships.

    A fixed number of aggregate queries whatever the number of villages. One
    county's settings apply (the townships of one query share a county in practice;
    a superuser across counties gets the first county's thresholds).
    """
    township_rows = list(townships.values_list("pk", "name", "county_id"))
    if not township_rows:
        return []
    township_ids = [t[0] for t in township_rows]
    conf = settings_for(township_rows[0][2])
    villages = {
        v[0]: v
        for v in Village.objects.filter(township_id__in=township_ids, is_active=True).values_list(
            "pk", "name", "township_id", "township__name"
        )
    }
    alerts = []

    def add(code, village_id, message, count=1):
        _pk, name, township_id, township_name = villages[village_id]
        alerts.append(Alert(code, township_id, township_name, village_id, name, message, count))

    years_new = conf["alert.no_new_member_years"]
    years_candidate = conf["alert.no_candidate_years"]
    new_cutoff = rules.add_months(today, -12 * years_new)
    candidate_cutoff = rules.add_months(today, -12 * years_candidate)
    old_cutoff = rules.add_months(today, -12 * conf["alert.aging_age"])
    young_cutoff = rules.add_months(today, -12 * conf["alert.young_age"])
    on_roster = Q(is_active=True, stage__in=ROSTER_STAGES)
    member_stats = (
        PartyMember.objects.filter(village_id__in=list(villages))
        .values("village_id")
        .annotate(
            last_admitted=Max("admitted_on"),
            last_candidate=Max("candidate_on"),
            roster=Count("pk", filter=on_roster),
            old=Count("pk", filter=on_roster & Q(person__birth_date__lte=old_cutoff)),
            young=Count("pk", filter=on_roster & Q(person__birth_date__gt=young_cutoff)),
            talk_overdue=Count(
                "pk",
                filter=Q(is_active=True, stage=Stage.APPLICANT, talked_on__isnull=True)
                & Q(applied_on__lt=today - datetime.timedelta(days=conf["pipeline.talk_within_days"])),
            ),
            review_overdue=Count(
                "pk",
                filter=Q(is_active=True, stage__in=[Stage.ACTIVIST, Stage.CANDIDATE])
                & Q(last_reviewed_on__lt=rules.add_months(today, -conf["pipeline.activist_review_months"])),
            ),
            probation_overdue=Count("pk", filter=Q(is_active=True, stage=Stage.PROBATIONARY, probation_end__lt=today)),
        )
    )
    seen = set()
    for row in member_stats:
        village_id = row["village_id"]
        seen.add(village_id)
        if row["last_admitted"] is None or row["last_admitted"] < new_cutoff:
            add(AlertCode.NO_NEW_MEMBER, village_id, _("%(n)s 年以上未发展新党员。") % {"n": years_new})
        if row["last_candidate"] is None or row["last_candidate"] < candidate_cutoff:
            add(AlertCode.NO_CANDIDATE, village_id, _("%(n)s 年以上没有发展对象。") % {"n": years_candidate})
        if row["roster"]:
            share = row["old"] / row["roster"]
            if share > conf["alert.aging_share"]:
                add(
                    AlertCode.AGING,
                    village_id,
                    _("%(age)s 岁以上党员占 %(share).0f%%。") % {"age": conf["alert.aging_age"], "share": share * 100},
                )
            if row["young"] == 0:
                add(
                    AlertCode.NO_YOUNG_MEMBER,
                    village_id,
                    _("没有 %(age)s 岁以下党员。") % {"age": conf["alert.young_age"]},
                )
        overdue = row["talk_overdue"] + row["review_overdue"] + row["probation_overdue"]
        if overdue:
            add(
                AlertCode.PIPELINE_OVERDUE,
                village_id,
                _("谈话逾期 %(t)s 人，考察逾期 %(r)s 人，预备期满未处理 %(p)s 人。")
                % {"t": row["talk_overdue"], "r": row["review_overdue"], "p": row["probation_overdue"]},
                overdue,
            )
    for village_id in villages.keys() - seen:
        add(AlertCode.NO_NEW_MEMBER, village_id, _("没有党员记录。"))

    lost_cutoff = rules.add_months(today, -conf["alert.lost_contact_months"])
    lost = (
        MobileRecord.objects.filter(member__village_id__in=list(villages), ended_on__isnull=True)
        .filter(Q(last_contact_on__lt=lost_cutoff) | Q(last_contact_on__isnull=True))
        .values("member__village_id")
        .annotate(n=Count("pk"))
    )
    for row in lost:
        add(
            AlertCode.LOST_CONTACT,
            row["member__village_id"],
            _("%(n)s 名流动党员超过 %(m)s 个月未联系。") % {"n": row["n"], "m": conf["alert.lost_contact_months"]},
            row["n"],
        )

    vacancy_months = conf["alert.secretary_vacancy_months"]
    secretary = (
        Tenure.objects.filter(village_id__in=list(villages), post=PostKind.VILLAGE_SECRETARY)
        .values("village_id")
        .annotate(current=Count("pk", filter=Q(ended_on__isnull=True)), last_end=Max("ended_on"))
    )
    secretary_rows = {row["village_id"]: row for row in secretary}
    vacancy_cutoff = rules.add_months(today, -vacancy_months)
    for village_id in villages:
        row = secretary_rows.get(village_id)
        if row is None:
            add(AlertCode.SECRETARY_VACANT, village_id, _("村党组织书记岗位无任职记录。"))
        elif row["current"] == 0 and row["last_end"] <= vacancy_cutoff:
            months = (today.year - row["last_end"].year) * 12 + today.month - row["last_end"].month
            add(
                AlertCode.SECRETARY_VACANT,
                village_id,
                _("书记岗位自 %(since)s 起空缺约 %(m)s 个月。") % {"since": row["last_end"].isoformat(), "m": months},
            )

    unit = previous_month(today)
    compliance = meeting_compliance(
        organizations=PartyOrganization.objects.filter(village_id__in=list(villages)),
        start=unit.start,
        end=unit.end,
        conf=conf,
    )
    missing_by_village = defaultdict(int)
    for org in compliance:
        missing_by_village[org.village_id] += org.expected - org.held
    for village_id, missing in missing_by_village.items():
        if missing > 0:
            add(
                AlertCode.MEETINGS_MISSING,
                village_id,
                _("%(period)s 应开未开组织生活 %(n)s 次。") % {"period": unit.label, "n": missing},
                missing,
            )

    threshold = conf["alert.family_applicants"]
    families = (
        Person.objects.filter(
            village_id__in=list(villages),
            memberships__applied_on__gte=rules.add_months(today, -12),
        )
        .exclude(household_key="")
        .annotate(year=ExtractYear("memberships__applied_on"))
        .values("village_id", "household_key", "year")
        .annotate(n=Count("pk", distinct=True))
        .filter(n__gte=threshold)
    )
    for row in families:
        add(
            AlertCode.FAMILY_APPLICANTS,
            row["village_id"],
            _("%(year)s 年同一户籍地址有 %(n)s 人申请入党，请核查是否存在家族化倾向。")
            % {"year": row["year"], "n": row["n"]},
            row["n"],
        )
    alerts.sort(key=lambda a: (a.township_name, a.village_name, a.code))
    return alerts


# --- Village cadres: 一肩挑, vacancies, contacts, reserve pool, pay ----------------


@dataclass
class VillageCadres:
    village_id: int
    village_name: str
    township_name: str
    secretary: str = ""
    director: str = ""
    first_secretary: str = ""
    one_shoulder: bool = False
    secretary_vacant_since: datetime.date | None = None
    vacancy_months: int | None = None
    vacancy_flagged: bool = False
    contacts: list = field(default_factory=list)
    reserves: int = 0
    monthly_pay: int = 0  # the secretary's and director's posts, from the county pay table


def village_cadre_overview(*, townships, today, conf):
    """One row per village; five queries whatever the number of villages."""
    villages = list(
        Village.objects.filter(township__in=townships, is_active=True)
        .select_related("township")
        .order_by("township__sort_key", "township__name", "sort_key", "name")
    )
    ids = [v.pk for v in villages]
    rows = {v.pk: VillageCadres(v.pk, v.name, v.township.name) for v in villages}
    holders = {}
    current = Tenure.objects.filter(
        village_id__in=ids,
        ended_on__isnull=True,
        post__in=[PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR, PostKind.FIRST_SECRETARY],
    ).values_list("village_id", "post", "person_id", "person__name")
    for village_id, post, person_id, name in current:
        holders[(village_id, post)] = (person_id, name)
    last_end = dict(
        Tenure.objects.filter(village_id__in=ids, post=PostKind.VILLAGE_SECRETARY)
        .values_list("village_id")
        .annotate(last=Max("ended_on"))
    )
    for (village_id, post), (_person_id, name) in holders.items():
        if post == PostKind.FIRST_SECRETARY:
            rows[village_id].first_secretary = name
    threshold = conf["alert.secretary_vacancy_months"]
    for village_id, row in rows.items():
        secretary = holders.get((village_id, PostKind.VILLAGE_SECRETARY))
        director = holders.get((village_id, PostKind.COMMITTEE_DIRECTOR))
        row.secretary = secretary[1] if secretary else ""
        row.director = director[1] if director else ""
        row.one_shoulder = bool(secretary and director and secretary[0] == director[0])
        if row.one_shoulder:
            row.monthly_pay = conf["cadre.pay_one_shoulder_month"]
        else:
            row.monthly_pay = conf["cadre.pay_single_post_month"] * (bool(secretary) + bool(director))
        if not secretary:
            since = last_end.get(village_id)
            row.secretary_vacant_since = since
            if since:
                row.vacancy_months = (today.year - since.year) * 12 + today.month - since.month
            row.vacancy_flagged = since is None or row.vacancy_months >= threshold
    for village_id, name in VillageContact.objects.filter(village_id__in=ids, ended_on__isnull=True).values_list(
        "village_id", "person__name"
    ):
        rows[village_id].contacts.append(name)
    for village_id, n in (
        ReserveCadre.objects.filter(village_id__in=ids, removed_on__isnull=True)
        .values_list("village_id")
        .annotate(n=Count("pk"))
    ):
        rows[village_id].reserves = n
    return list(rows.values())
