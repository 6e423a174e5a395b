"""The Django side of `make bench`: ``python -m tests.bench.probe NAME '{json args}'``.

Each probe runs in its own process (so its peak memory is its own), with the environment the
runner gives it (DATABASE_URL of the size's database, REDIS_URL, DEBUG off), and prints one JSON
object as the last line of its output. Timings are in seconds.
"""

import io
import json
import os
import resource
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

TERMINAL = ("succeeded", "failed")


def _peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _first_county():
    from townships.models import County

    return County.objects.order_by("pk").first()


def _county_user():
    from townships.models import User

    return User.objects.get(username="county")


# --- Scoring ----------------------------------------------------------------------------


def scoring_target(args):
    """The latest open month of the first county that has approved reports; the rating year."""
    from assessments.models import AnnualRating, MonthlyReport, PeriodLock, Score

    county = _first_county()
    closed = set(PeriodLock.objects.filter(county=county).values_list("year", "month"))
    months = (
        MonthlyReport.objects.filter(township__county=county, status="approved")
        .values_list("year", "month")
        .distinct()
        .order_by("-year", "-month")
    )
    month = next(((y, m) for y, m in months if (y, m) not in closed), None)
    rating_year = (
        AnnualRating.objects.filter(township__county=county).order_by("-year").values_list("year", flat=True).first()
    )
    if rating_year is None:
        # A year with at least six scored months can be rated even if it never was.
        years = {}
        for y, _p in (
            Score.objects.filter(township__county=county, period_kind="month").values_list("year", "period").distinct()
        ):
            years[y] = years.get(y, 0) + 1
        rating_year = max((y for y, n in years.items() if n >= 6), default=None)
    from villages.models import Village

    return {
        "county_id": county.pk,
        "county": county.name,
        "year": month[0] if month else None,
        "month": month[1] if month else None,
        "rating_year": rating_year,
        "villages": Village.objects.filter(township__county=county, is_active=True).count(),
        "counties": type(county).objects.count(),
        "all_villages": Village.objects.filter(is_active=True).count(),
    }


def scoring_run(args):
    """One run through the real service and the real workers; poll until it ends."""
    from assessments.models import ScoringRun
    from assessments.services import scoring_run_start

    ScoringRun.objects.exists()  # the connection is opened before the clock starts
    started = time.perf_counter()
    run = scoring_run_start(
        actor=None,
        county_id=args["county_id"],
        kind=args["kind"],
        year=args["year"],
        period=args.get("period", 0),
        enqueue=True,
        allow_missing=True,
    )
    deadline = started + args.get("timeout", 600)
    while time.perf_counter() < deadline:
        run = ScoringRun.objects.get(pk=run.pk)
        if run.status in TERMINAL:
            break
        time.sleep(0.02)
    wall = time.perf_counter() - started
    return {
        "run": run.pk,
        "status": run.status if run.status in TERMINAL else f"{run.status} after {wall:.0f} s (timed out)",
        "error": run.error[:300],
        "seconds": wall,
        "villages_scored": run.villages_scored,
        "targets_scored": run.targets_scored,
        "chunks": run.chunks_total,
    }


def scoring_counties_run(args):
    """``score monthly`` for every county at once (score_counties), through the real workers;
    poll until every run it started has ended."""
    from assessments.models import ScoringRun
    from assessments.services import score_counties

    ScoringRun.objects.exists()  # the connection is opened before the clock starts
    started = time.perf_counter()
    runs, skipped = score_counties(year=args["year"], month=args["month"], allow_missing=True, enqueue=True)
    ids = [r.pk for r in runs]
    pending = set(ids)
    deadline = started + args.get("timeout", 900)
    while pending and time.perf_counter() < deadline:
        pending -= set(ScoringRun.objects.filter(pk__in=pending, status__in=TERMINAL).values_list("pk", flat=True))
        time.sleep(0.05)
    wall = time.perf_counter() - started
    ended = list(ScoringRun.objects.filter(pk__in=ids).values_list("status", "villages_scored"))
    return {
        "seconds": wall,
        "runs": len(ids),
        "skipped": len(skipped),
        "failed": sum(1 for status, _n in ended if status != "succeeded"),
        "villages": sum(n or 0 for _status, n in ended),
    }


def _copy_through_temp(cursor, table, select_sql, params):
    """COPY the selected rows out and into a TEMP copy of ``table``: the write the floor stands for."""
    cursor.execute(f"CREATE TEMP TABLE bench_{table} (LIKE {table}) ON COMMIT DROP")
    buffer = io.StringIO()
    cursor.copy_expert(cursor.mogrify(f"COPY ({select_sql}) TO STDOUT", params).decode(), buffer)
    buffer.seek(0)
    cursor.copy_expert(f"COPY bench_{table} FROM STDIN", buffer)
    return buffer.getvalue().count("\n")


def scoring_floor(args):
    """One query reading the run's inputs, plus a COPY of the month's score and item rows."""
    county_id, year, month = args["county_id"], args["year"], args["month"]
    samples, counts = [], {}
    for _ in range(args.get("repeat", 5)):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.connection.cursor()
            raw.execute(
                "SELECT r.id, r.village_id, r.values, r.is_late, v.name, v.township_id "
                "FROM assessments_monthlyreport r JOIN villages_village v ON v.id = r.village_id "
                "JOIN townships_township t ON t.id = r.township_id "
                "WHERE t.county_id = %s AND r.year = %s AND r.month = %s AND r.status = 'approved'",
                [county_id, year, month],
            )
            counts["inputs"] = len(raw.fetchall())
            scores = (
                "SELECT s.* FROM assessments_score s JOIN townships_township t ON t.id = s.township_id "
                "WHERE t.county_id = %s AND s.period_kind = 'month' AND s.year = %s AND s.period = %s"
            )
            counts["scores"] = _copy_through_temp(raw, "assessments_score", scores, [county_id, year, month])
            items = (
                "SELECT i.* FROM assessments_scoreitem i JOIN assessments_score s ON s.id = i.score_id "
                "JOIN townships_township t ON t.id = s.township_id "
                "WHERE t.county_id = %s AND s.period_kind = 'month' AND s.year = %s AND s.period = %s"
            )
            counts["items"] = _copy_through_temp(raw, "assessments_scoreitem", items, [county_id, year, month])
        samples.append(time.perf_counter() - started)
    return {"samples": samples, **counts}


def rating_floor(args):
    """Read the year's monthly scores of the county, write as many rating rows (COPY into a TEMP table)."""
    county_id, year = args["county_id"], args["year"]
    samples, counts = [], {}
    for _ in range(args.get("repeat", 5)):
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            raw = cursor.connection.cursor()
            raw.execute(
                "SELECT s.id, s.person_id, s.village_id, s.township_id, s.period, s.total, s.veto "
                "FROM assessments_score s JOIN townships_township t ON t.id = s.township_id "
                "WHERE t.county_id = %s AND s.period_kind = 'month' AND s.year = %s",
                [county_id, year],
            )
            counts["scores"] = len(raw.fetchall())
            ratings = (
                "SELECT a.* FROM assessments_annualrating a JOIN townships_township t ON t.id = a.township_id "
                "WHERE t.county_id = %s AND a.year = %s"
            )
            counts["ratings"] = _copy_through_temp(raw, "assessments_annualrating", ratings, [county_id, year])
        samples.append(time.perf_counter() - started)
    return {"samples": samples, **counts}


# --- Landing page -----------------------------------------------------------------------


def landing(args):
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(_county_user())
    for _ in range(2):  # warm-up: templates, caches, connections
        response = client.get("/")
        assert response.status_code == 200, response.status_code
    samples = []
    for _ in range(args.get("repeat", 10)):
        started = time.perf_counter()
        client.get("/")
        samples.append(time.perf_counter() - started)
    with CaptureQueriesContext(connection) as captured:
        client.get("/")
    statements = [q["sql"] for q in captured.captured_queries]
    replay = []
    for _ in range(args.get("repeat", 10)):
        started = time.perf_counter()
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
        replay.append(time.perf_counter() - started)
    return {"samples": samples, "floor_samples": replay, "queries": len(statements), "peak_mb": _peak_mb()}


# --- Export ------------------------------------------------------------------------------


def export(args):
    from django.test import Client
    from openpyxl import Workbook, load_workbook

    path = args.get("path", "/assessment/scores/export.xlsx")
    client = Client()
    client.force_login(_county_user())
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    body = b"".join(response) if response.streaming else response.content
    sheet = load_workbook(io.BytesIO(body), read_only=True).worksheets[0]
    title = sheet.title
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    samples, floor = [], []
    for _ in range(args.get("repeat", 5)):
        started = time.perf_counter()
        response = client.get(path)
        b"".join(response) if response.streaming else response.content
        samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        workbook = Workbook(write_only=True)
        ws = workbook.create_sheet(title)
        for row in rows:
            ws.append(row)
        workbook.save(io.BytesIO())
        floor.append(time.perf_counter() - started)
    return {
        "samples": samples,
        "floor_samples": floor,
        "rows": len(rows) - 1,
        "cells": sum(len(r) for r in rows),
        "peak_mb": _peak_mb(),
    }


# --- Roster import -----------------------------------------------------------------------


def import_prepare(args):
    """A roster workbook of ``rows`` new members for the county's first township, in the template's format."""
    import datetime

    from openpyxl import Workbook

    from cadres.identity import parse_id_number  # noqa: F401 (the check digit below must pass it)
    from cadres.imports import ROSTER_HEADERS, ROSTER_SHEET, _organizations
    from cadres.models import Person
    from townships.models import Township
    from villages.choices import OrganizationKind

    township = Township.objects.filter(county=_first_county(), is_active=True).order_by("pk").first()
    organizations = _organizations(township)
    name, organization = next(
        (key, org)
        for key, org in sorted(organizations.items())
        if org.kind != OrganizationKind.COMMITTEE or org.parent_id is not None
        if org.village_id is not None
    )
    region = "659001"
    if Person.objects.filter(id_number__startswith=region).exists():
        raise RuntimeError(f"ID numbers of region {region} already exist; the bench roster would collide")
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    checks = "10X98765432"
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(ROSTER_SHEET)
    sheet.append(list(ROSTER_HEADERS))
    base = datetime.date(1960, 1, 1)
    for i in range(args["rows"]):
        birth = base + datetime.timedelta(days=i % 12000)
        male = i % 2 == 0
        order = (i // 12000) * 2 + (1 if male else 0) + 100
        first17 = f"{region}{birth:%Y%m%d}{order:03d}"
        id_number = first17 + checks[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]
        admitted = datetime.date(2010 + i % 10, 1 + i % 12, 1 + i % 28)
        row = {
            "姓名": f"测试{i}",
            "性别": "男" if male else "女",
            "民族": "汉族",
            "出生日期": birth,
            "身份证号": id_number,
            "联系电话": f"138{i:08d}",
            "学历": "初中",
            "职业": "农民",
            "户籍地址": f"{organization.village.name}{i}号",
            "所在党组织": name,
            "发展阶段": "正式党员",
            "申请入党日期": admitted - datetime.timedelta(days=700),
            "确定积极分子日期": admitted - datetime.timedelta(days=500),
            "列为发展对象日期": admitted - datetime.timedelta(days=200),
            "入党日期": admitted,
            "转正日期": admitted + datetime.timedelta(days=370),
        }
        sheet.append([row[h] for h in ROSTER_HEADERS])
    workbook.save(args["path"])
    return {"township_id": township.pk, "organization": name, "rows": args["rows"]}


def import_run(args):
    """The page's service on the workbook, in a transaction rolled back afterwards."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cadres.imports import roster_import
    from townships.models import Township

    township = Township.objects.get(pk=args["township_id"])
    actor = _county_user()
    content = open(args["path"], "rb").read()
    samples, messages = [], []
    for _ in range(args.get("repeat", 3)):
        upload = SimpleUploadedFile("roster.xlsx", content)
        started = time.perf_counter()
        with transaction.atomic():
            result = roster_import(actor=actor, township=township, upload=upload)
            samples.append(time.perf_counter() - started)
            transaction.set_rollback(True)
        messages.append(str(result.message)[:200])
        if not result.ok:
            errors = [str(e) for e in (result.errors or [])[:3]]
            raise RuntimeError(f"import refused: {result.message} {errors}")
    return {"samples": samples, "message": messages[-1], "peak_mb": _peak_mb()}


def import_parse(args):
    """The floor: openpyxl read-only parse of the same file, every cell's value."""
    from openpyxl import load_workbook

    samples = []
    for _ in range(args.get("repeat", 3)):
        started = time.perf_counter()
        workbook = load_workbook(args["path"], read_only=True, data_only=True)
        count = sum(1 for _row in workbook.worksheets[0].iter_rows(values_only=True))
        workbook.close()
        samples.append(time.perf_counter() - started)
    return {"samples": samples, "rows": count, "peak_mb": _peak_mb()}


# --- API ---------------------------------------------------------------------------------


def api_token(args):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("issue_token", args["name"], "--county", str(_first_county().pk), stdout=out)
    return {"token": out.getvalue().strip()}


PROBES = {
    name: fn
    for name, fn in globals().items()
    if callable(fn) and not name.startswith("_") and fn.__module__ == __name__ and name not in ("main",)
}


def main(argv):
    name = argv[0]
    args = json.loads(argv[1]) if len(argv) > 1 else {}
    result = PROBES[name](args)
    if "samples" in result:
        result["median"] = statistics.median(result["samples"])
    if "floor_samples" in result:
        result["floor_median"] = statistics.median(result["floor_samples"])
    result.setdefault("peak_mb", _peak_mb())
    sys.stdout.write("\n" + json.dumps(result, default=str) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
