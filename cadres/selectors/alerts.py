"""Derived alerts (预警) for the villages of the townships in scope, in a fixed number of queries."""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, Max, Q
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from townships.county_settings import settings_for
from villages.models import PartyOrganization, Village

from .. import rules
from ..choices import AlertCode, PostKind, Stage
from ..models import MobileRecord, PartyMember, Person, Tenure
from ..periods import previous_month
from .life import meeting_compliance
from .members import ROSTER_STAGES


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
