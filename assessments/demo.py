"""Demo assessment data: this year's 1000-point scheme, monthly reports, runs, votes and history."""

import datetime
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor, as_completed
from decimal import Decimal

from django.db import connection, connections, transaction
from django.db.models import Count
from django.utils import timezone

from cadres.choices import PostKind
from cadres.demo import generate_records
from cadres.models import Meeting, Tenure
from townships.bulk import copy_objects
from townships.choices import EntryStatus
from townships.county_settings import settings_for
from townships.demo import quiet_logger
from townships.models import County
from villages.models import PartyOrganization

from . import ballots
from .choices import (
    BallotKind,
    Category,
    PeriodKind,
    ReportStatus,
    RunKind,
    SchemeStatus,
    SurveyMethod,
    SurveyPurpose,
    TallyTarget,
    Target,
)
from .county_settings import rater_groups, satisfaction_bands, satisfaction_options
from .demo_duty import demo_duty
from .demo_honours import demo_honours
from .demo_pay import demo_pay
from .demo_talks import demo_talks
from .models import (
    AnnualRating,
    BallotGroup,
    BallotTally,
    Bulletin,
    Indicator,
    MonthlyReport,
    Scheme,
    Score,
    ScoreItem,
)
from .services import (
    annual_rating_compute,
    bulletin_compute,
    rank_scores,
    run_synchronously,
    scores_retotal,
    scoring_run_start,
)
from .services.runs import townships_rescore
from .services.townships import township_year_compute

P, S, IND, L = Category.PARTY_BUILDING, Category.BOTTOM_LINES, Category.INDUSTRY, Category.LIVELIHOOD

# (code, name, category, points, method, metric, params, department, evidence)
SCHEME = [
    ("A01", "组织生活开展率（三会一课、主题党日）", P, 80, "ratio", "meetings_ratio", {"target": 1}, "组织部", True),
    ("A02", "发展党员", P, 40, "per_item", "members_developed", {"per_item": 20}, "组织部", True),
    ("A03", "发展对象储备", P, 30, "tiered", "candidates", {"tiers": [[2, 30], [1, 15], [0, 0]]}, "组织部", False),
    ("A04", "流动党员管理（失联扣分）", P, 30, "deduction", "lost_contact_mobile", {"per_event": 10}, "组织部", False),
    ("A05", "村党组织书记在岗", P, 50, "deduction", "secretary_vacant", {"per_event": 50}, "组织部", False),
    ("A06", "“四议两公开”规范运行", P, 40, "per_item", "matters_completed", {"per_item": 20}, "组织部", True),
    ("A07", "民主评议党员开展", P, 30, "binary", "appraisal_done", {}, "组织部", True),
    ("A08", "三会一课开展次数", P, 20, "per_item", "meetings_held", {"per_item": 5}, "组织部", True),
    ("A09", "党建工作述职述廉", P, 30, "manual", "", {}, "组织部", True),
    ("A10", "党员群众满意度（测评）", P, 50, "ratio", "satisfaction_rate", {"target": 100}, "组织部", False),
    ("B01", "信访总量控制", S, 50, "deduction", "petitions", {"per_event": 5}, "信访局", False),
    ("B02", "越级上访", S, 60, "deduction", "petitions_skip_level", {"per_event": 20}, "信访局", False),
    ("B03", "违章建筑控制（新增）", S, 40, "deduction", "illegal_buildings_new", {"per_event": 10}, "自然资源局", True),
    ("B04", "安全生产", S, 60, "deduction", "safety_incidents", {"per_event": 20}, "应急管理局", False),
    ("B05", "党风廉政（违纪违法）", S, 40, "deduction", "discipline_cases", {"per_event": 20}, "纪委", False),
    ("B90", "重特大安全事故（一票否决）", S, 0, "veto", "major_accidents", {}, "应急管理局", False),
    ("B91", "群体性事件（一票否决）", S, 0, "veto", "mass_incidents", {}, "政法委", False),
    (
        "C01",
        "村集体经济收入",
        IND,
        80,
        "tiered",
        "collective_income",
        {"tiers": [[50000, 80], [10000, 40], [1, 10]]},
        "农业农村局",
        True,
    ),
    ("C02", "重点项目推进", IND, 60, "ratio", "key_project_progress", {"target": 100}, "发改局", True),
    (
        "C03",
        "集体经济收入排名（乡镇内）",
        IND,
        40,
        "rank",
        "collective_income",
        {"direction": "desc", "min_share": 0.25},
        "农业农村局",
        False,
    ),
    ("C04", "违章建筑拆除", IND, 20, "per_item", "illegal_buildings_removed", {"per_item": 5}, "自然资源局", True),
    ("D01", "群众满意度", L, 50, "ratio", "satisfaction", {"target": 100}, "县委办", False),
    ("D02", "民生实事承诺事项完成", L, 50, "per_item", "pledged_matters_done", {"per_item": 10}, "县委办", True),
    ("D03", "人居环境整治", L, 50, "ratio", "environment_score", {"target": 100}, "农业农村局", True),
    ("E01", "示范创建加分", L, 20, "manual", "", {}, "组织部", True),
]
BONUS = {"E01"}
CATEGORY_NAMES = {P: "抓党建", S: "守底线", IND: "强产业", L: "惠民生"}


def create_scheme(*, county, year, target=Target.VILLAGE_SECRETARY):
    scheme = Scheme.objects.create(
        county=county,
        year=year,
        target=target,
        name=f"{year}年度村党组织书记千分制考核方案"
        if target == Target.VILLAGE_SECRETARY
        else f"{year}年度村级千分制考核方案",
        status=SchemeStatus.ACTIVE,
        full_marks=1000,
        bonus_cap=30,
    )
    parents = {}
    for position, (category, name) in enumerate(CATEGORY_NAMES.items()):
        parents[category] = Indicator.objects.create(
            scheme=scheme, code=f"{'ABCD'[position]}", name=name, category=category, position=position
        )
    Indicator.objects.bulk_create(
        [
            Indicator(
                scheme=scheme,
                parent=parents[category],
                code=code,
                name=name,
                category=category,
                max_points=points,
                method=method,
                metric=metric,
                params=params,
                department=department,
                evidence_required=evidence,
                is_bonus=code in BONUS,
                position=index,
            )
            for index, (code, name, category, points, method, metric, params, department, evidence) in enumerate(SCHEME)
        ]
    )
    return scheme


# The township scheme (乡镇党委抓基层党建考核, 100 points): township metrics — aggregates of its
# villages, and what the township reports of itself (乡镇本级月报: 信访量排名, 中心组学习).
TOWNSHIP_SCHEME = [
    ("T01", "村党组织书记考核平均分", P, 40, "ratio", "secretary_mean_total", {"target": 1000}),
    ("T02", "全乡镇组织生活开展率", P, 15, "ratio", "township_meetings_ratio", {"target": 1}),
    ("T03", "软弱涣散村党组织整顿", P, 15, "deduction", "weak_villages", {"per_event": 5}),
    ("T04", "村书记上年度评定优秀比例", P, 10, "ratio", "excellent_share", {"target": 30}),
    ("T05", "信访量排名（乡镇本级）", P, 10, "rank", "township_petitions", {"direction": "asc", "min_share": 0.2}),
    ("T06", "党委理论学习中心组学习", P, 10, "ratio", "theory_study_sessions", {"target": 1}),
]


def create_township_scheme(*, county, year):
    scheme = Scheme.objects.create(
        county=county,
        year=year,
        target=Target.TOWNSHIP,
        name=f"{year}年度乡镇党委抓基层党建工作考核方案",
        status=SchemeStatus.ACTIVE,
        full_marks=100,
        bonus_cap=0,
    )
    parent = Indicator.objects.create(scheme=scheme, code="T", name="抓基层党建", category=P, position=0)
    Indicator.objects.bulk_create(
        [
            Indicator(
                scheme=scheme,
                parent=parent,
                code=code,
                name=name,
                category=category,
                max_points=points,
                method=method,
                metric=metric,
                params=params,
                department="组织部",
                position=index + 1,
            )
            for index, (code, name, category, points, method, metric, params) in enumerate(TOWNSHIP_SCHEME)
        ]
    )
    return scheme


def _report_values(rng, quality, month, income_so_far):
    bad = quality < 0.25
    values = {
        "petitions": rng.choice([0, 0, 0, 1, 2]) + (rng.randint(2, 6) if bad else 0),
        "petitions_skip_level": (1 if bad and rng.random() < 0.5 else 0) + (1 if rng.random() < 0.03 else 0),
        "mass_incidents": 1 if bad and rng.random() < 0.08 else 0,
        "safety_incidents": 1 if rng.random() < (0.25 if bad else 0.04) else 0,
        "major_accidents": 0,
        "discipline_cases": 1 if bad and rng.random() < 0.15 else 0,
        "illegal_buildings_new": rng.choice([0, 0, 0, 1]) + (rng.randint(1, 3) if bad else 0),
        "illegal_buildings_removed": rng.randint(0, 3),
        "key_project_progress": min(100, round(40 + quality * 60 + rng.uniform(-10, 10), 1)),
        "pledged_matters_done": rng.randint(1, 4) + (2 if quality > 0.6 else 0),
        "collective_income": income_so_far,
        "satisfaction": round(min(100, 55 + quality * 45 + rng.uniform(-5, 5)), 1),
        "environment_score": round(min(100, 60 + quality * 40 + rng.uniform(-5, 5)), 1),
        "meetings_reported": 0,  # filled from the records below, sometimes misreported
    }
    return values


def _township_reports(*, rng, county, year, last_month, today):
    """Every township's own report (乡镇本级月报) of the year's months, approved; in the latest
    month of this year one township has not filed its own yet (it shows in its to-do)."""
    townships = list(county.townships.order_by("sort_key", "name").values_list("pk", flat=True))
    late_township = townships[-1] if townships else None
    reports = []
    for township_id in townships:
        busy = rng.random()  # some townships carry more petitions than others all year
        for month in range(1, last_month + 1):
            if year == today.year and month == last_month and township_id == late_township:
                continue
            reports.append(
                MonthlyReport(
                    village=None,
                    township_id=township_id,
                    year=year,
                    month=month,
                    status=ReportStatus.APPROVED,
                    values={
                        "township_petitions": rng.randint(0, 3) + round(busy * 6),
                        "township_petitions_resolved": round(rng.uniform(85, 100), 1),
                        "theory_study_sessions": 1 if rng.random() < 0.9 else 0,
                        "committee_party_building": rng.randint(1, 2),
                        "secretary_village_visits": rng.randint(4, 12),
                        "warning_talks": rng.randint(0, 4),
                        "key_tasks_progress": round(rng.uniform(70, 100), 1),
                    },
                    submitted_at=datetime.datetime(year, month % 12 + 1 if month < 12 else 12, 3, tzinfo=datetime.UTC),
                )
            )
    copy_objects(MonthlyReport, reports)


def _enter_manual_items(*, rng, run, quality):
    """The assessor's entries (人工评分项) for a month, so only the latest month stays provisional."""
    # One UPDATE per indicator and tenth of its maximum, not one per item.
    buckets = {}
    for pk, village_id, max_points in ScoreItem.objects.filter(score__run=run, indicator__method="manual").values_list(
        "pk", "score__village_id", "indicator__max_points"
    ):
        share = min(10, max(3, round((quality[village_id] + rng.uniform(-0.1, 0.1)) * 10)))
        points = (max_points * share / 10).quantize(Decimal("0.01"))
        buckets.setdefault(points, []).append(pk)
    now = timezone.now()
    for points, pks in buckets.items():
        ScoreItem.objects.filter(pk__in=pks).update(
            override_points=points, override_reason="评分人评定（演示数据）", overridden_at=now
        )
    scores_retotal(Score.objects.filter(run=run).values_list("pk", flat=True))
    rank_scores(county_id=run.county_id, period_kind=PeriodKind.MONTH, year=run.year, period=run.period)
    townships_rescore(county_id=run.county_id, year=run.year, month=run.period)  # they follow the entries


def _demo_surveys(*, rng, county, quality, years):
    """A year-end 三评 satisfaction survey (满意度测评) of every village Party organization for each
    year before ``years[-1]``, with counts per rater group drawn from the village's quality, computed
    by the county's formula; returns {(village, year): rate} for the typed values to agree with."""
    conf = settings_for(county.pk)
    options = satisfaction_options(conf)
    bands = satisfaction_bands(conf)
    groups = rater_groups(conf)
    organizations = list(
        PartyOrganization.objects.filter(township__county=county, village__isnull=False, parent__village__isnull=True)
        .order_by("village_id", "pk")
        .values_list("pk", "village_id", "township_id")
    )
    seen, tallies, rows, rates = set(), [], [], {}
    for year in years:
        for org_id, village_id, township_id in organizations:
            if (village_id, year) in seen:
                continue
            seen.add((village_id, year))
            q = quality.get(village_id, 0.5)
            group_rows = []
            for code, label in groups:
                issued = rng.randint(25, 60) if code != "members" else rng.randint(15, 35)
                returned = issued - rng.randint(0, 3)
                invalid = rng.randint(0, 2)
                valid = returned - invalid
                good = max(0.05, min(0.98, 0.45 + q * 0.5 + rng.uniform(-0.08, 0.08)))
                very = round(valid * good * 0.6)
                fairly = round(valid * good) - very
                basic = round((valid - very - fairly) * 0.6)
                counts = {"very": very, "fairly": fairly, "basic": basic, "not": valid - very - fairly - basic}
                group_rows.append(ballots.Group(code, label, issued, returned, invalid, counts))
            result = ballots.tally(group_rows, options, min_sample=conf["survey.min_sample"], bands=bands)
            tally = BallotTally(
                kind=BallotKind.SATISFACTION,
                purpose=SurveyPurpose.SANPING,
                target_kind=TallyTarget.ORGANIZATION,
                county_id=county.pk,
                township_id=township_id,
                village_id=village_id,
                organization_id=org_id,
                year=year,
                held_on=datetime.date(year, 12, 15),
                method=SurveyMethod.MEETING,
                options=[[o.code, o.label, str(o.weight), o.in_rate] for o in options],
                valid=result.valid,
                rate=result.rate,
                score=result.score,
                band=result.band.code if result.band else "",
                reason=result.reason,
                working=list(result.working),
                status=EntryStatus.APPROVED,
            )
            tallies.append(tally)
            rows.append(group_rows)
            rates[(village_id, year)] = result.rate
    copy_objects(BallotTally, tallies)
    copy_objects(
        BallotGroup,
        [
            BallotGroup(
                tally_id=tally.pk,
                position=i,
                code=g.code,
                label=g.label,
                issued=g.issued,
                returned=g.returned,
                invalid=g.invalid,
                counts=g.counts,
            )
            for tally, group_rows in zip(tallies, rows, strict=True)
            for i, g in enumerate(group_rows)
        ],
    )
    return rates


def _joint_secretary(*, county, today):
    """联村任职: the first township's first village secretary also becomes the secretary of its last
    village from 1 March this year (that village's secretary is moved on), so one person is scored in
    two villages, rated once and paid once."""
    township = county.townships.order_by("sort_key", "pk").first()
    current = list(
        Tenure.objects.filter(township=township, post=PostKind.VILLAGE_SECRETARY, ended_on__isnull=True).order_by(
            "village__sort_key", "village_id"
        )
    )
    start = datetime.date(today.year, 3, 1)
    if len(current) < 2 or today <= start or current[-1].started_on >= start:
        return None
    first, second = current[0], current[-1]
    Tenure.objects.filter(pk=second.pk).update(ended_on=start, end_reason="调整（跨村任职）")
    return Tenure.objects.create(
        person_id=first.person_id,
        post=PostKind.VILLAGE_SECRETARY,
        township=township,
        village_id=second.village_id,
        started_on=start,
    )


def generate_assessment(*, rng, county, today, years=None):
    """Schemes, a year (and this year so far) of approved monthly reports, scores, votes and ratings."""
    years = years or (today.year - 1, today.year)
    _joint_secretary(county=county, today=today)
    villages = list(county.townships.values_list("villages__pk", "villages__township_id"))
    villages = [(v, t) for v, t in villages if v]
    quality = {v: rng.betavariate(5, 1.6) for v, _t in villages}  # most villages do well, a few badly
    # Last year's 三评 and the one before: every month scored reads a survey, and the typed
    # 群众满意度 of the months after one agrees with it (the cross-check finds what is misreported).
    rates = _demo_surveys(
        rng=random.Random(f"{county.pk}:surveys"), county=county, quality=quality, years=(years[0] - 1, years[0])
    )
    for year in years:
        create_scheme(county=county, year=year)
        create_township_scheme(county=county, year=year)
        last_month = 12 if year < today.year else today.month - 1
        meetings = {}
        for village_id, month, n in (
            Meeting.objects.counted()
            .filter(township__county=county, held_on__year=year)
            .values_list("village_id", "held_on__month")
            .annotate(n=Count("pk"))
        ):
            meetings[(village_id, month)] = n
        reports = []
        for village_id, township_id in villages:
            income = 0
            # Month-end as it really is: in the latest month a few villages have not filed yet and a
            # few wait for review, so the month is scored without them and the run lists who is missing.
            latest = rng.random()
            for month in range(1, last_month + 1):
                income += int(rng.uniform(0, 12000) * (0.2 + quality[village_id]))
                values = _report_values(rng, quality[village_id], month, income)
                surveyed = rates.get((village_id, year - 1 if month < 12 else year))
                if surveyed is not None:
                    values["satisfaction"] = float(surveyed)
                held = meetings.get((village_id, month), 0)
                values["meetings_reported"] = held + (rng.randint(1, 3) if rng.random() < 0.03 else 0)
                late = rng.random() < 0.05
                status = ReportStatus.APPROVED
                if year == today.year and month == last_month:
                    if latest < 0.06:
                        continue  # 缺报
                    if latest < 0.10:
                        status = ReportStatus.SUBMITTED  # 待审核
                reports.append(
                    MonthlyReport(
                        village_id=village_id,
                        township_id=township_id,
                        year=year,
                        month=month,
                        status=status,
                        values=values,
                        is_late=late,
                        submitted_at=datetime.datetime(
                            year, month % 12 + 1 if month < 12 else 12, 3 if not late else 9, tzinfo=datetime.UTC
                        ),
                    )
                )
        copy_objects(MonthlyReport, reports)
        _township_reports(
            rng=random.Random(f"{county.pk}:{year}:township-reports"),
            county=county,
            year=year,
            last_month=last_month,
            today=today,
        )
        for month in range(1, last_month + 1):
            run = scoring_run_start(
                actor=None,
                county_id=county.pk,
                kind=RunKind.MONTHLY,
                year=year,
                period=month,
                enqueue=False,
                allow_missing=True,
            )
            run_synchronously(run)
            if not (year == today.year and month == last_month):
                _enter_manual_items(rng=rng, run=run, quality=quality)
        for quarter in range(1, last_month // 3 + 1):
            bulletin = bulletin_compute(county_id=county.pk, year=year, quarter=quarter)
            if (year, quarter) != (today.year, last_month // 3):  # the latest waits for the county to publish it
                Bulletin.objects.filter(pk=bulletin.pk).update(published_at=timezone.now())
    # Last year's 述职 (the votes) and a rating history, so the removal rule has something to find.
    last_year = years[0]
    secretaries = dict(
        Tenure.objects.filter(
            township__county=county, post=PostKind.VILLAGE_SECRETARY, ended_on__isnull=True
        ).values_list("village_id", "person_id")
    )
    # The four weakest secretaries make the removal rule visible: two are voted 不称职 this
    # time (one of them was 不称职 last time too → flagged; the other → watch list), and a
    # third was 不称职 last time only (→ watch list).
    township_of = dict(villages)
    # One village per person: a secretary of two villages (联村任职) has one rating history.
    by_person = {}
    for v in sorted((v for v, _t in villages if v in secretaries), key=lambda v: quality[v]):
        by_person.setdefault(secretaries[v], v)
    weakest = sorted(by_person.values(), key=lambda v: quality[v])[:4]
    voted_out = set(weakest[:2])
    planned = []
    for village_id, township_id in villages:
        person_id = secretaries.get(village_id)
        if person_id is None:
            continue
        q = quality[village_id]
        planned.append(
            (
                village_id,
                township_id,
                person_id,
                round(600 + 380 * q + rng.uniform(-20, 20), 2),
                0.4 if village_id in voted_out else round(max(0.0, 0.2 - q / 5), 4),
            )
        )
    # The vote is the 述职述廉 ballots' (drawn to give the planned vote and 不称职 share); no typed vote.
    demo_duty(
        rng=random.Random(f"{county.pk}:duty"),
        county=county,
        year=last_year,
        votes=planned,
        quality=quality,
        villages=villages,
    )
    history = [
        AnnualRating(
            person_id=secretaries[village_id],
            village_id=village_id,
            township_id=township_of[village_id],
            year=last_year - 1,
            daily=Decimal(560) if grade == "incompetent" else Decimal(780),
            total=Decimal(560) if grade == "incompetent" else Decimal(780),
            grade=grade,
            reason="历史数据（演示）",
        )
        for village_id, grade in zip(weakest, ["incompetent", "competent", "incompetent", "competent"], strict=False)
    ]
    AnnualRating.objects.bulk_create(history)
    with transaction.atomic():
        annual_rating_compute(county_id=county.pk, year=last_year)
    township_year_compute(county_id=county.pk, year=last_year)
    # The ratings written above are what the townships' 优秀/不称职 shares read: score the townships
    # of the months already scored again (what an annual run's dirty months lead to).
    for year in years:
        for month in range(1, (12 if year < today.year else today.month - 1) + 1):
            townships_rescore(county_id=county.pk, year=year, month=month)
    demo_talks(rng=rng, county=county, today=today)
    demo_honours(county=county, today=today)
    demo_pay(county=county, today=today)


# --- Every county in detail, in parallel ------------------------------------------


def detail_county(*, seed, county_id, today, assessment=True):
    """Records and (unless ``assessment`` is false) the assessment of one county.

    Each county draws from a random stream of its own, named by the seed and its division code,
    so its data is the same whichever process makes it and in whatever order.
    """
    county = County.objects.get(pk=county_id)
    rng = random.Random(f"{seed}:{county.division_code}")
    totals = generate_records(rng=rng, counties=[county], today=today)
    if assessment:
        with quiet_logger("celery.app.trace"):
            generate_assessment(rng=rng, county=county, today=today)
    return county.name, totals


def _detail_in_child(kwargs):
    try:
        return detail_county(**kwargs)
    finally:
        connections.close_all()


def detail_counties(*, seed, county_ids, today, assessment=True, jobs=1, progress=None):
    """``detail_county`` for each county, ``jobs`` at a time in forked processes (PostgreSQL only:
    SQLite has one writer). ``progress(done, total, name, totals)`` follows each county."""
    tasks = [{"seed": seed, "county_id": pk, "today": today, "assessment": assessment} for pk in county_ids]
    summed = {"people": 0, "members": 0, "meetings": 0}

    def done(index, result):
        name, totals = result
        for key in summed:
            summed[key] += totals[key]
        if progress:
            progress(index, len(tasks), name, totals)

    if jobs <= 1 or len(tasks) <= 1 or connection.vendor != "postgresql":
        for index, kwargs in enumerate(tasks, 1):
            done(index, detail_county(**kwargs))
        return summed
    # Children must not share the parent's database socket: close it before forking.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        futures = [pool.submit(_detail_in_child, kwargs) for kwargs in tasks]
        for index, future in enumerate(as_completed(futures), 1):
            done(index, future.result())
    return summed
