"""A small but complete county for the security checks (issue 10, checks 1–3).

Two townships (A and B) of one county, two villages each, with every kind of record the
product keeps: the demo generators fill members, meetings, tenures, matters, appraisals,
reports, scores, ratings and bulletins; a few records the demo leaves out (a weak-and-lax
designation, meeting evidence, a draft and a submitted report) are added here. Actors:
the county administrator, the county viewer, one township user of each township, a
read-only API client of the county, and a village login of each of township A's villages
(A1: the village the world's objects belong to; A2: its neighbour in the same township).
"""

import datetime
import random
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.db.models import Model
from django.test import TestCase

from assessments.choices import ReportStatus, TalkCause, TalkLevel
from assessments.demo import generate_assessment
from assessments.models import (
    BallotTally,
    Bulletin,
    Honour,
    Indicator,
    MonthlyReport,
    PayLine,
    PayPeriod,
    PayStandard,
    RectificationItem,
    Scheme,
    Score,
    ScoringRun,
    Talk,
)
from assessments.services.duty import duty_review_save
from cadres.choices import CommitmentStatus, InspectionFinding, InspectionLevel
from cadres.demo import generate_records
from cadres.models import (
    Appraisal,
    Commitment,
    Correction,
    Inspection,
    Meeting,
    MobileRecord,
    PartyMember,
    Person,
    ProgressEntry,
    Tenure,
)
from tests import factories, snapshot
from townships.demo import quiet_logger
from villages.choices import OrganizationKind
from villages.demo import Size, generate_registry
from villages.models import Matter, PartyOrganization, Village
from villages.services import weak_add_step, weak_designate

TODAY = datetime.date(2026, 6, 15)
MISSING = 987654  # a primary key no table reaches in this world


def _first(queryset):
    row = queryset.order_by("pk").first()
    assert row is not None, f"the world lacks a {queryset.model.__name__}"
    return row


def build_world():
    """Build the county; the caller runs on_commit callbacks at once (the scoring runs)."""
    rng = random.Random(2026)
    counties, _summary = generate_registry(
        rng=rng, size=Size(counties=1, townships_per_county=2, villages_per_township=2)
    )
    county = counties[0]
    generate_records(rng=rng, counties=[county], today=TODAY)
    with quiet_logger("celery.app.trace"):
        generate_assessment(rng=rng, county=county, today=TODAY)
    township_a, township_b = county.townships.order_by("sort_key", "pk")[:2]

    w = SimpleNamespace(county=county, a=township_a, b=township_b)
    w.admin = factories.county_admin(county, username="iso-admin")
    w.viewer = factories.county_viewer(county, username="iso-viewer")
    w.staff_a = factories.township_staff(township_a, username="iso-staff-a")
    w.staff_b = factories.township_staff(township_b, username="iso-staff-b")
    w.client_user = factories.api_client_user(county, username="iso-bi")

    in_a = {"township": township_a}
    w.village = _first(Village.objects.filter(**in_a))
    w.organization = _first(
        PartyOrganization.objects.filter(**in_a, village=w.village).exclude(kind=OrganizationKind.GROUP)
    )
    w.matter = _first(Matter.objects.filter(**in_a))
    w.tenure = _first(Tenure.objects.filter(**in_a, village__isnull=False, ended_on__isnull=True))
    w.secretary = w.tenure.person
    w.person = _first(Person.objects.filter(**in_a))
    w.member = _first(PartyMember.objects.filter(**in_a))
    w.mobile = _first(MobileRecord.objects.filter(**in_a))
    w.correction = Correction.objects.filter(**in_a).order_by("pk").first()
    if w.correction is None:
        w.correction = Correction.objects.create(
            member=w.member,
            township=township_a,
            started_on=datetime.date(2026, 1, 10),
            deadline=datetime.date(2026, 7, 10),
            reason="限期改正",
        )
    # Of village A1 (the objects a village login of A2 must not reach).
    w.meeting = _first(Meeting.objects.filter(**in_a, village=w.village))
    w.meeting.evidence.save("minutes.pdf", ContentFile(b"%PDF-1.4 minutes of township A"), save=True)
    w.score = _first(Score.objects.filter(**in_a, village=w.village))
    w.township_score = _first(Score.objects.filter(**in_a, village__isnull=True))  # township A's own score
    w.survey = _first(BallotTally.objects.surveys().filter(**in_a, village=w.village))
    w.weak = weak_designate(actor=w.admin, village=w.village, year=2026, reason="书记空缺")
    weak_add_step(actor=w.staff_a, designation=w.weak, done_on=datetime.date(2026, 3, 1), description="选优配强")
    w.report_draft = MonthlyReport.objects.create(
        village=w.village, township=township_a, year=2026, month=11, status=ReportStatus.DRAFT,
        values=factories.report_values(),
    )  # fmt: skip
    w.report_submitted = MonthlyReport.objects.create(
        village=w.village, township=township_a, year=2026, month=12, status=ReportStatus.SUBMITTED,
        values=factories.report_values(),
    )  # fmt: skip
    w.scheme = _first(Scheme.objects.filter(county=county))
    w.indicator = _first(Indicator.objects.filter(scheme=w.scheme))
    w.bulletin = _first(Bulletin.objects.filter(county=county))
    w.run = _first(ScoringRun.objects.filter(county=county))
    w.appraisal = _first(Appraisal.objects.filter(**in_a))
    w.sister_village = _first(Village.objects.filter(**in_a).exclude(pk=w.village.pk))
    w.village_staff = factories.village_staff(w.village, username="iso-village-a1")
    w.sister_staff = factories.village_staff(w.sister_village, username="iso-village-a2")
    # 定·查·评 (the demo's): an approved commitment of this year with a plan file, a progress entry with
    # its photo, a 督查 finding with an open 整改.
    w.commitment = _first(Commitment.objects.filter(**in_a, year=TODAY.year, status=CommitmentStatus.APPROVED))
    w.commitment.plan_file.save("plan.pdf", ContentFile(b"%PDF-1.4 plan of township A"), save=True)
    w.progress = _first(ProgressEntry.objects.filter(commitment__township=township_a))
    w.progress.evidence.save("site.png", ContentFile(b"\x89PNG\r\n\x1a\n township A"), save=True)
    w.inspection = Inspection.objects.create(
        commitment=w.commitment, township=township_a, village=w.commitment.village, level=InspectionLevel.COUNTY,
        inspected_on=datetime.date(2026, 6, 1), finding=InspectionFinding.BEHIND, rectification="加快进度",
        rectify_by=datetime.date(2026, 6, 30),
    )  # fmt: skip
    # 约谈 and the 整改台账: a proposal about village A1's secretary, an open item of township A.
    w.talk = Talk.objects.create(
        person=w.secretary, township=township_a, village=w.tenure.village, level=TalkLevel.TOWNSHIP,
        cause=TalkCause.WEAK, year=2026, period="2026", reason="2026 年认定为软弱涣散村党组织：书记空缺",
    )  # fmt: skip
    w.rectification = RectificationItem.objects.create(
        township=township_a, talk=w.talk, problem="村班子软弱（乡镇甲）", measure="选优配强",
        deadline=datetime.date(2026, 5, 31), responsible=w.secretary,
    )  # fmt: skip
    # A 述职述廉 of village A1's secretary with its ballots (township A's; B must not see them).
    secretary = _first(Tenure.objects.filter(**in_a, village=w.village, post="village_secretary"))
    w.duty = duty_review_save(
        actor=w.admin, level="village", person=secretary.person, post="village_secretary", township=None,
        village=w.village, year=TODAY.year, reported_on=datetime.date(TODAY.year, 6, 1), meeting="党员大会",
        groups=[{"code": "members", "issued": 12, "returned": 12, "invalid": 0,
                 "counts": {"excellent": 10, "competent": 2, "basic": 0, "incompetent": 0}}],
    )  # fmt: skip
    # 村干部报酬 (the demo's): its standard, the current half-year computed; a line of township A's.
    w.pay_standard = PayStandard.objects.get(county=county)
    w.pay_period = PayPeriod.objects.get(county=county, year=2026, half=1)
    w.pay_line = _first(PayLine.objects.filter(period=w.pay_period, township=township_a))
    # 表彰与推荐: a nomination of township A's (B must not see it).
    w.honour = Honour.objects.create(
        county=county, year=2026, kind="excellent_member", township=township_a, person=w.secretary,
        reason="带头致富（乡镇甲）",
    )  # fmt: skip
    # 离任生活补贴 (the demo's): a former village cadre of township A (the allowance page names them).
    w.retired = _first(Person.objects.filter(**in_a, tenures__end_reason="正常离任").distinct())
    return w


def build_world_after_commit():
    """build_world, then its on_commit callbacks (the scoring runs), as after a commit."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return build_world()


def reload_world(w):
    """The world's model instances read again from the database (after a restore)."""
    fresh = SimpleNamespace()
    for name, value in vars(w).items():
        setattr(fresh, name, type(value)._base_manager.get(pk=value.pk) if isinstance(value, Model) else value)
    return fresh


def world_once(key, build, **replay):
    """``build()``'s world, built once per test process and restored for the tests after
    (tests/snapshot.py). ``key`` names the way it is built: callers that build it the same way
    share it. ``replay``: where the build's log records and Celery task results go."""
    return snapshot.once(key, build, reload=reload_world, **replay)
