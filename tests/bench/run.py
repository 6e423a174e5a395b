"""`make bench`: the benchmarks of issue 11, each a ratio to a floor measured back to back.

    make bench                          # every benchmark at county, city and province
    make bench ONLY=scoring SIZE=county # one benchmark (comma-separated lists work too)

It runs on PostgreSQL (data directory var/bench/pgdata, kept between runs), a throwaway Redis,
real Celery workers and gunicorn with DEBUG off. Each size has its own database (bench_county,
bench_city, bench_province), generated with ``load_demo`` only when it is missing; the generation
time is kept in var/bench/generated.json so a reused database still reports it. Every benchmark runs
several times and reports the median; its floor is measured in the same run. A benchmark that fails
is recorded with its error and the others go on. Results: one table on stdout, docs/benchmarks.md
and docs/benchmarks.json (merged with earlier results when ONLY or SIZE narrows the run).
"""

import datetime
import fcntl
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
import traceback
import urllib.request

import psycopg2

from . import infra
from .infra import BENCH_DIR, ROOT, log

SIZES = ("county", "city", "province")
# Order matters: workers follows scoring, whose one-worker median it reuses back to back.
BENCHMARKS = ("generate", "scoring", "workers", "rating", "landing", "export", "import", "api")
# Runs per benchmark (median reported) and warm-up runs, by size.
REPEAT = {"county": 5, "city": 3, "province": 3}
GENERATED = BENCH_DIR / "generated.json"
DOCS_JSON = ROOT / "docs" / "benchmarks.json"
DOCS_MD = ROOT / "docs" / "benchmarks.md"
GENERATE_GOAL_S = 600
IMPORT_ROWS = 20_000
EXPORTS = (("export", "/assessment/scores/export.xlsx"), ("export-meetings", "/records/meetings/export.xlsx"))
WRK = ("-t2", "-c32", "-d10s")
# The API's page sizes measured (500 is the largest a client may ask for); each against a plain
# Django view serving the same bytes (tests/bench/urls.py).
API_PAGES = (100, 500)
API_PATH = "/api/v1/scores/?page_size={size}"
BARE_PATH = "/bench/bare/{size}/"


def _now():
    return datetime.datetime.now().astimezone()


def _list(value, allowed, what):
    if not value:
        return list(allowed)
    chosen = [v.strip() for v in value.split(",") if v.strip()]
    unknown = [v for v in chosen if v not in allowed]
    if unknown:
        raise SystemExit(f"make bench: unknown {what} {', '.join(unknown)}; choose from {', '.join(allowed)}")
    return [v for v in allowed if v in chosen]


# The goal of each ratio and which way is better: "min" (at most) or "max" (at least).
GOALS = {
    "generate": (1.0, "min"),
    "scoring": (3.0, "min"),
    "scoring-flat": (1.2, "min"),
    "workers": (1.5, "max"),
    "workers-counties": (1.5, "max"),
    "rating": (3.0, "min"),
    "landing": (1.5, "min"),
    "export": (1.3, "min"),
    "export-meetings": (1.3, "min"),
    "import": (2.0, "min"),
    "api": (0.5, "max"),
    "api-500": (0.5, "max"),
    "api-p99": (200, "min"),
}


def row(benchmark, size, *, median=None, floor=None, ratio=None, peak_mb=None, note=""):
    goal, direction = GOALS[benchmark]
    if ratio is None and median is not None and floor:
        ratio = median / floor
    return {
        "benchmark": benchmark,
        "size": size,
        "median_s": None if median is None else round(median, 4),
        "floor_s": None if floor is None else round(floor, 4),
        "ratio": None if ratio is None else round(ratio, 3),
        "goal": goal,
        "direction": direction,
        "peak_mb": None if peak_mb is None else round(peak_mb, 1),
        "met": None if ratio is None or goal is None else (ratio <= goal if direction == "min" else ratio >= goal),
        "note": note,
    }


class Bench:
    def __init__(self, sizes, only):
        self.sizes = sizes
        self.only = only
        self.rows = []
        self.pg = None
        self.redis = None
        self.workers = None
        self.secret = "bench-" + secrets.token_hex(32)

    # --- Environment -------------------------------------------------------------------

    def env(self, size, **extra):
        env = dict(os.environ)
        env.pop("DJANGO_SETTINGS_MODULE", None)
        env.update(
            DATABASE_URL=self.pg.url(f"bench_{size}"),
            REDIS_URL=self.redis.url,
            DEBUG="false",
            SECRET_KEY=self.secret,
            ALLOWED_HOSTS="127.0.0.1,localhost,testserver",
            SECURE_SSL_REDIRECT="false",
            STATIC_ROOT=str(BENCH_DIR / "static"),
            MEDIA_ROOT=str(BENCH_DIR / "media"),
            API_RATE_LIMIT="100000000/hour",
            SCORECARD_RATE_LIMIT="100000000/hour",
            LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env

    def probe(self, size, name, args=None, timeout=3600, **env):
        """Run tests/bench/probe.py NAME in a subprocess; its last line is JSON."""
        done = subprocess.run(
            [sys.executable, "-m", "tests.bench.probe", name, json.dumps(args or {})],
            cwd=ROOT,
            env=self.env(size, **env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-6:]
            raise RuntimeError(f"probe {name} failed: " + " | ".join(tail))
        return json.loads(done.stdout.strip().splitlines()[-1])

    def manage(self, size, *args, timeout=7200, **env):
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT,
            env=self.env(size, **env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
        )

    # --- Data --------------------------------------------------------------------------

    def _admin(self):
        connection = psycopg2.connect(self.pg.url("postgres"))
        connection.autocommit = True
        return connection

    def _has_county(self, database):
        with self._admin() as admin, admin.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database])
            if cursor.fetchone() is None:
                return False
        try:
            with psycopg2.connect(self.pg.url(database)) as connection, connection.cursor() as cursor:
                cursor.execute("SELECT EXISTS (SELECT 1 FROM townships_county)")
                return cursor.fetchone()[0]
        except psycopg2.Error:
            return False

    def _statements_extension(self, database):
        """pg_stat_statements in the size's database, for profiling its hot queries after a run."""
        if not self.pg.has_pg_stat_statements():
            return
        try:
            connection = psycopg2.connect(self.pg.url(database))
            connection.autocommit = True
            with connection.cursor() as cursor:
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            connection.close()
        except psycopg2.Error as exc:
            log(f"pg_stat_statements not available in {database}: {exc}")

    def ensure_data(self, size):
        database = f"bench_{size}"
        generated = json.loads(GENERATED.read_text()) if GENERATED.exists() else {}
        # A database made before every county was detailed (generated.json without "complete") is made again.
        if self._has_county(database) and generated.get(size, {}).get("complete"):
            self.manage(size, "migrate", "--noinput", "-v0")
            self._statements_extension(database)
            info = generated.get(size, {})
            info["reused"] = True
            log(f"{database}: reused (generated {info.get('at', '?')} in {info.get('seconds', '?')} s)")
            return info
        log(f"{database}: generating with load_demo --preset {size} (province: several minutes)")
        admin = self._admin()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}"')
            cursor.execute(f'CREATE DATABASE "{database}"')
        admin.close()
        self.manage(size, "migrate", "--noinput", "-v0")
        started = time.monotonic()
        # Eager Celery while generating: the demo loader scores inline. Its progress is shown.
        subprocess.run(
            [sys.executable, "manage.py", "load_demo", "--preset", size, "--force"],
            cwd=ROOT,
            env=self.env(size, REDIS_URL=""),
            timeout=7200,
            check=True,
        )
        seconds = round(time.monotonic() - started, 1)
        generated[size] = {"seconds": seconds, "at": _now().isoformat(timespec="seconds"), "complete": True}
        GENERATED.write_text(json.dumps(generated, indent=2))
        log(f"{database}: generated in {seconds} s")
        self._statements_extension(database)
        return {**generated[size], "reused": False}

    # --- Workers -----------------------------------------------------------------------

    def start_workers(self, size, count):
        self.stop_workers()
        self.redis.flush()
        self.workers = infra.Workers(self.env(size), count)
        self.workers.start()

    def stop_workers(self):
        if self.workers is not None:
            self.workers.stop()
            self.workers = None

    def worker_peak_mb(self):
        """Peak memory of the workers' processes (the prefork children do the work)."""
        return infra.peak_mb([p.pid for p in self.workers.processes]) if self.workers else None

    # --- Benchmarks --------------------------------------------------------------------

    def run_size(self, size, largest):
        try:
            data = self.ensure_data(size)
        except Exception as exc:
            detail = getattr(exc, "stderr", "") or ""
            note = f"data generation failed: {exc} {detail.strip()[-300:]}"
            log(note)
            for name in self.only:
                self.rows.append(row(name, size, note=note))
            return
        target = None
        for name in self.only:
            if name == "workers" and not largest:
                continue
            log(f"{name} at {size}")
            started = time.monotonic()
            first = len(self.rows)
            try:
                if name == "generate":
                    self.rows.append(self.bench_generate(size, data))
                    continue
                if target is None:
                    target = self.probe(size, "scoring_target")
                    log(f"  target: {target}")
                self.rows.extend(getattr(self, f"bench_{name}")(size, target))
            except Exception as exc:
                traceback.print_exc()
                self.rows.append(row(name, size, note=f"failed: {type(exc).__name__}: {str(exc)[:400]}"))
            finally:
                self.stop_workers()
                for measured in self.rows[first:]:
                    measured["load"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
                    measured["measured_at"] = _now().isoformat(timespec="seconds")
            log(f"  {name} at {size}: {time.monotonic() - started:.0f} s")

    def bench_generate(self, size, data):
        seconds = data.get("seconds")
        if seconds is None:
            return row("generate", size, note="generation time unknown (database made before generated.json)")
        how = f"reused, generated {data.get('at')}" if data.get("reused") else "generated in this run"
        result = row(
            "generate",
            size,
            median=seconds,
            ratio=seconds / GENERATE_GOAL_S,
            note=f"load_demo --preset {size}: {seconds:.0f} s ({how}); ratio = time / {GENERATE_GOAL_S} s",
        )
        return result

    def _scoring(self, size, target, workers):
        if target["year"] is None:
            raise RuntimeError("no month with approved reports to score")
        repeat = REPEAT[size]
        self.start_workers(size, workers)
        args = {"county_id": target["county_id"], "year": target["year"], "month": target["month"]}
        samples, floors, scored, errors = [], [], None, []
        for i in range(repeat + 1):  # the first run warms up and is not counted
            run = self.probe(size, "scoring_run", {**args, "kind": "monthly", "period": target["month"]})
            if run["status"] != "succeeded":
                errors.append(f"run {run['run']} {run['status']}: {run['error']}")
                continue
            floor = self.probe(size, "scoring_floor", {**args, "repeat": 1})
            if i:
                samples.append(run["seconds"])
                floors.append(floor["samples"][0])
            scored = run["villages_scored"]
            floor_rows = f"{floor['inputs']} inputs, {floor['scores']} scores, {floor['items']} items"
        if not samples:
            raise RuntimeError("; ".join(errors) or "no run succeeded")
        return statistics.median(samples), statistics.median(floors), scored, floor_rows, len(samples), errors

    def bench_scoring(self, size, target):
        median, floor, scored, floor_rows, runs, errors = self._scoring(size, target, 1)
        per_village = median / scored if scored else None
        self.scoring_one_worker = getattr(self, "scoring_one_worker", {})
        self.scoring_one_worker[size] = median
        note = (
            f"{target['year']}-{target['month']:02d} of {target['county']}, {scored} villages, 1 worker, "
            f"median of {runs}: {per_village * 1000:.2f} ms/village (floor {floor / scored * 1000:.2f}); "
            f"floor = 1 input query + COPY of {floor_rows}"
        )
        if errors:
            note += f"; failed runs: {'; '.join(errors)[:200]}"
        result = row("scoring", size, median=median, floor=floor, peak_mb=self.worker_peak_mb(), note=note)
        result["villages"] = scored
        return [result]

    def bench_workers(self, size, target):
        one = getattr(self, "scoring_one_worker", {}).get(size)
        if one is None:
            one = self._scoring(size, target, 1)[0]
        two, _floor, scored, _rows, runs, errors = self._scoring(size, target, 2)
        note = f"{scored} villages: 1 worker {one:.2f} s, 2 workers {two:.2f} s (median of {runs}); ratio = t1/t2"
        if errors:
            note += f"; failed runs: {'; '.join(errors)[:200]}"
        rows = [row("workers", size, median=two, floor=one, ratio=one / two, note=note)]
        if target["counties"] > 1:
            rows.append(self._workers_counties(size, target))
        return rows

    def _workers_counties(self, size, target):
        """The same month scored for every county at once (score monthly), 1 worker against 2."""
        times, last = {}, None
        for workers in (1, 2):
            self.start_workers(size, workers)
            samples = []
            for i in range(REPEAT[size] + 1):  # the first run warms up and is not counted
                last = self.probe(size, "scoring_counties_run", {"year": target["year"], "month": target["month"]})
                if last["failed"]:
                    raise RuntimeError(f"{last['failed']} of {last['runs']} runs failed")
                if i:
                    samples.append(last["seconds"])
            times[workers] = statistics.median(samples)
        note = (
            f"score monthly {target['year']}-{target['month']:02d} for every county: {last['runs']} runs "
            f"({last['skipped']} counties skipped: no approved report), {last['villages']} villages; "
            f"1 worker {times[1]:.2f} s, 2 workers {times[2]:.2f} s; ratio = t1/t2"
        )
        return row("workers-counties", size, median=times[2], floor=times[1], ratio=times[1] / times[2], note=note)

    def bench_rating(self, size, target):
        year = target["rating_year"]
        if year is None:
            return [row("rating", size, note="not measured: no year with ratings or six scored months to rate")]
        self.start_workers(size, 1)
        args = {"county_id": target["county_id"], "year": year}
        samples, floors, errors = [], [], []
        for i in range(REPEAT[size] + 1):
            run = self.probe(size, "scoring_run", {**args, "kind": "annual"})
            if run["status"] != "succeeded":
                errors.append(f"run {run['run']} {run['status']}: {run['error']}")
                continue
            floor = self.probe(size, "rating_floor", {**args, "repeat": 1})
            if i:
                samples.append(run["seconds"])
                floors.append(floor["samples"][0])
        if not samples:
            return [row("rating", size, note=f"failed: {'; '.join(errors)[:400]}")]
        note = (
            f"annual {year} of {target['county']}, median of {len(samples)}; floor = read {floor['scores']} "
            f"monthly scores + COPY of {floor['ratings']} rating rows"
        )
        return [
            row(
                "rating",
                size,
                median=statistics.median(samples),
                floor=statistics.median(floors),
                peak_mb=self.worker_peak_mb(),
                note=note,
            )
        ]

    def collectstatic(self, size):
        """DEBUG off serves the manifest storage's files: the pages need collectstatic once."""
        if not getattr(self, "static_ready", False):
            self.manage(size, "collectstatic", "--noinput", "-v0")
            self.static_ready = True

    def bench_landing(self, size, target):
        self.collectstatic(size)
        result = self.probe(size, "landing", {"repeat": 10})
        note = (
            f"GET / as county, {result['queries']} queries, median of {len(result['samples'])}; "
            "floor = replaying the request's captured SQL"
        )
        return [
            row(
                "landing",
                size,
                median=result["median"],
                floor=result["floor_median"],
                peak_mb=result["peak_mb"],
                note=note,
            )
        ]

    def bench_export(self, size, target):
        self.collectstatic(size)
        rows = []
        # The ranking (a county's scores) and the county-wide meetings, the largest list export.
        for benchmark, path in EXPORTS:
            result = self.probe(size, "export", {"repeat": REPEAT[size], "path": path})
            note = (
                f"{path} as county: {result['rows']} rows, {result['cells']} cells; "
                "floor = openpyxl write-only of the same cells"
            )
            rows.append(
                row(
                    benchmark,
                    size,
                    median=result["median"],
                    floor=result["floor_median"],
                    peak_mb=result["peak_mb"],
                    note=note,
                )
            )
        return rows

    def bench_import(self, size, target):
        path = BENCH_DIR / f"roster-{size}-{IMPORT_ROWS}.xlsx"
        prepared = self.probe(size, "import_prepare", {"rows": IMPORT_ROWS, "path": str(path)})
        args = {"path": str(path), "township_id": prepared["township_id"], "repeat": 3}
        imported = self.probe(size, "import_run", args)
        parsed = self.probe(size, "import_parse", args)
        note = (
            f"{IMPORT_ROWS} rows into one township (rolled back): {imported['message']}; "
            f"floor = openpyxl read-only parse (peak {parsed['peak_mb']:.0f} MB)"
        )
        return [
            row(
                "import",
                size,
                median=imported["median"],
                floor=parsed["median"],
                peak_mb=imported["peak_mb"],
                note=note,
            )
        ]

    def bench_api(self, size, target):
        self.collectstatic(size)
        token = self.probe(size, "api_token", {"name": "bench-client"})["token"]
        body_path = str(BENCH_DIR / f"bare-body-{size}-{{size}}.json")
        env = self.env(size, DJANGO_SETTINGS_MODULE="tests.bench.settings", BENCH_BARE_BODY=body_path)
        self.redis.flush()
        server = infra.Gunicorn(env, workers=2)
        server.start()
        header = ["-H", f"Authorization: Token {token}"]
        measured = {}
        try:
            for page in API_PAGES:
                api_url = server.base + API_PATH.format(size=page)
                request = urllib.request.Request(api_url, headers={"Authorization": f"Token {token}"})  # noqa: S310
                with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 (our own server)
                    body = response.read()
                with open(body_path.format(size=page), "wb") as handle:
                    handle.write(body)
                bare_url = server.base + BARE_PATH.format(size=page)
                for url in (api_url, bare_url):  # warm both
                    wrk(url, header, duration="2s")
                api, bare = [], []
                for _ in range(3):
                    api.append(wrk(api_url, header))
                    bare.append(wrk(bare_url, header))
                measured[page] = (api, bare, body)
            server_peak = infra.peak_mb([server.process.pid])
        finally:
            server.stop()
        rows = []
        for page, (api, bare, body) in measured.items():
            api_rps = statistics.median(r["rps"] for r in api)
            bare_rps = statistics.median(r["rps"] for r in bare)
            api_p99 = statistics.median(r["p99"] for r in api)
            bare_p99 = statistics.median(r["p99"] for r in bare)
            errors = sum(r["errors"] for r in api + bare)
            note = (
                f"page of {page}: gunicorn -w 2, wrk {' '.join(WRK)}, {len(body)} bytes/page of "
                f"{json.loads(body).get('count')} scores, with a token: {api_rps:.0f} req/s vs {bare_rps:.0f} req/s "
                f"for a plain Django view serving the same bytes (p99 {api_p99 * 1000:.0f} vs "
                f"{bare_p99 * 1000:.0f} ms); ratio = api/plain req/s; median/floor columns = s per request"
            )
            if errors:
                note += f"; {errors} non-2xx responses or socket errors"
            rows.append(
                row(
                    "api" if page == API_PAGES[0] else f"api-{page}",
                    size,
                    median=1 / api_rps if api_rps else None,
                    floor=1 / bare_rps if bare_rps else None,
                    ratio=api_rps / bare_rps if bare_rps else None,
                    peak_mb=server_peak,
                    note=note,
                )
            )
            if page == API_PAGES[-1]:
                rows.append(
                    row(
                        "api-p99",
                        size,
                        median=api_p99,
                        floor=bare_p99,
                        ratio=api_p99 * 1000,
                        note=(
                            f"p99 latency of the API at a page of {page}: {api_p99 * 1000:.0f} ms "
                            f"(plain view {bare_p99 * 1000:.0f} ms); ratio = p99 in ms"
                        ),
                    )
                )
        return rows


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def wrk(url, header, duration=None):
    args = list(WRK)
    if duration:
        args[-1] = f"-d{duration}"
    done = subprocess.run(
        ["wrk", *args, "--latency", *header, url], capture_output=True, text=True, check=True, timeout=120
    )
    out = done.stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    match = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", out, re.M)
    p99 = float(match.group(1)) * _UNITS[match.group(2)] if match else None
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    errors = (int(non2xx.group(1)) if non2xx else 0) + (sum(int(g) for g in socket.groups()) if socket else 0)
    return {"rps": rps, "p99": p99, "errors": errors}


# --- Output ------------------------------------------------------------------------------


def _goal_text(r):
    if r["goal"] is None:
        return "—"
    sign = "≤" if r["direction"] == "min" else "≥"
    if r["benchmark"] == "api-p99":
        return f"p99 {sign} {r['goal']:g} ms"
    if r["benchmark"] == "generate":
        return f"< {GENERATE_GOAL_S} s"
    return f"{sign} {r['goal']:g}×"


def _fmt_s(value):
    if value is None:
        return "—"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def _ratio_text(r):
    if r["ratio"] is None:
        return "not measured"
    mark = "" if r["met"] is None else (" ✓" if r["met"] else " ✗")
    if r["benchmark"] == "api-p99":
        return f"{r['ratio']:.0f} ms{mark}"
    return f"{r['ratio']:.2f}{mark}"


def table(rows):
    lines = [
        "| benchmark | size | median | floor | ratio | goal | peak memory | note |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        peak = f"{r['peak_mb']:.0f} MB" if r.get("peak_mb") else "—"
        note = (r.get("note") or "").replace("|", "/").replace("\n", " ")
        lines.append(
            f"| {r['benchmark']} | {r['size']} | {_fmt_s(r['median_s'])} | {_fmt_s(r['floor_s'])} | "
            f"{_ratio_text(r)} | {_goal_text(r)} | {peak} | {note} |"
        )
    return "\n".join(lines)


def flatness(rows):
    """Per-village scoring time across sizes: max/min, goal within 20%."""
    per = {
        r["size"]: r["median_s"] / r["villages"]
        for r in rows
        if r["benchmark"] == "scoring" and r.get("median_s") and r.get("villages")
    }
    if not per:
        return None
    slow, fast = max(per.values()), min(per.values())
    detail = ", ".join(f"{s} {v * 1000:.2f} ms" for s, v in per.items())
    note = f"per-village scoring time, 1 worker: {detail}; ratio = slowest/fastest"
    if len(per) < 2:
        note += " (only one size measured so far)"
    return row("scoring-flat", "all", median=slow, floor=fast, note=note)


def machine():
    uname = subprocess.run(["uname", "-a"], capture_output=True, text=True, check=False).stdout.strip()
    try:
        memory = next(line.split()[1] for line in open("/proc/meminfo") if line.startswith("MemTotal"))
        memory = f"{int(memory) / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration):
        memory = "?"
    return {
        "uname": uname or " ".join(platform.uname()),
        "cpus": os.cpu_count(),
        "memory": memory,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


ORDER = {
    name: i
    for i, name in enumerate(
        (
            *BENCHMARKS[:2],
            "scoring-flat",
            BENCHMARKS[2],
            "workers-counties",
            *BENCHMARKS[3:6],
            "export-meetings",
            *BENCHMARKS[6:],
            "api-500",
            "api-p99",
        )
    )
}


def merge(rows):
    """Earlier results for the (benchmark, size) pairs this run did not measure are kept."""
    previous = []
    if DOCS_JSON.exists():
        try:
            previous = json.loads(DOCS_JSON.read_text())
        except ValueError:
            previous = []
    fresh = {(r["benchmark"], r["size"]) for r in rows}
    merged = [r for r in previous if (r["benchmark"], r["size"]) not in fresh] + rows
    merged = [r for r in merged if r["benchmark"] != "scoring-flat"]
    flat = flatness(merged)
    if flat:
        merged.append(flat)
    merged.sort(key=lambda r: (ORDER.get(r["benchmark"], 99), SIZES.index(r["size"]) if r["size"] in SIZES else 9))
    return merged


# For each goal not met: what the profile showed, and the next step (kept here so every run of
# make bench writes them beside the figures; update them when a profile says otherwise).
NOT_MET = {
    "scoring": (
        "Profile of a county run (pyinstrument, 289 villages, one worker, ~1.1 s): reading inputs ~0.23 s "
        "(9 grouped queries per task, and meeting compliance worked out per organization in Python), the pure "
        "rules ~0.24 s (Decimal arithmetic and a Chinese explanation for each of ~7,000 items), finalize ~0.5 s "
        "(totals with the pure rule, ~0.2 s of Python formatting the COPY stream, ~0.1 s of INSERT … SELECT and "
        "the window-function ranks). The floor does none of the Python. Since issue 11: 11.6 → ~3.6 ms per "
        "village (set-based finalize, four townships per task). Next: derived metrics as grouped SQL for all of "
        "a run's townships, workers COPYing their items into a staging table so finalize is only the set-based "
        "statements, explanations built from a per-indicator template."
    ),
    "scoring-flat": (
        "The same work per village at every size (one county's run; the input queries are by township), so "
        "the spread is the machine's load between runs (2–3 on two cores, with gunicorn, workers and "
        "PostgreSQL sharing them): 4.4–6.1 ms across sizes in one run, 3.6–4.2 ms at county size in quieter "
        "runs. Next: five repeats at each size on a quiet machine."
    ),
    "workers": (
        "One county's run: five tasks of four townships plus finalize, and finalize (about 40% of the run) is "
        "one transaction per county, so a second worker has little to share within one county. Scoring "
        "several counties at once is what scales: see `workers-counties`. Next: move the item COPY into "
        "the chunk tasks so one county's finalize is only set-based statements."
    ),
    "workers-counties": (
        "Every county at once (score monthly), 1 worker against 2: 1.70× at city; at province 1.65× when "
        "only three counties had reports, 1.44× (105 s → 73 s for 23,572 villages in 90 runs) now that all "
        "90 have them. Two workers share two cores with PostgreSQL, which runs every finalize (one transaction "
        "per county), and the machine's load was 2–3 during the run. Next: the same as `workers` (finalize "
        "as set-based statements only), and a measurement on a machine with more cores than workers."
    ),
    "api": (
        "Measured against a plain Django view serving the same bytes (no DRF, no authentication or throttle): "
        "0.09–0.20 before issue 18, when every hit unpickled and re-rendered the page, DRF's throttle read and "
        "rewrote a list of every request's time, and each cache call built a new redis client. A hit now "
        "costs three Redis round trips (the token, the throttle's INCR, the generation with the page's ETag), "
        "unpickling the token's user, DRF's dispatch (negotiation, permission, finalize) and URL resolution "
        "through the API router; the body comes from the process's copy. Two cores are shared with Redis, "
        "PostgreSQL, wrk and other work (see the load), which Redis's round trips feel most. Next: keep a "
        "checked token in the process for a few seconds (revocation would then need a broadcast), and measure "
        "on a quiet machine."
    ),
    "api-500": "The same as `api`: at a page of 500 the body is 200 KB, served from the process's copy.",
    "api-p99": (
        "wrk's 32 connections on 2 gunicorn workers: the p99 is mostly queueing (32 / throughput), so it "
        "follows the throughput; the plain view's own p99 in the same run is in the note. Next: as `api`."
    ),
    "rating": (
        "0.15–0.4 s against a ~27 ms floor: the removal rule's history queries, per-rating Python "
        "(assign_grades with its explanations) and AnnualRating instances written by bulk_create. Next: "
        "write ratings with townships.bulk.copy_objects and read the rating history in one query."
    ),
    "landing": (
        "The SQL replay is ~25 ms of the page; the rest is template rendering (~23 ms: ~130 URL reversals and "
        "~5,600 variable lookups) and building 26 ORM queries (~7 ms). Query count is fixed whatever the size "
        "(pinned in tests/assessments/test_dashboards.py); alerts come from stored rows. Next: store the "
        "dashboard's aggregates as one row per county and month, refreshed after runs and approvals, and cache "
        "the rendered fragments under the scores generation."
    ),
    "export": (
        "Down from 2.4–2.6× (values() rows instead of model instances; a forced-text cell only where Excel would "
        "read a formula), and since issue 18 its translated columns (状态, 方案版本) are made once per distinct "
        "value. What remains beyond openpyxl is the query and the per-cell Python of the columns. Next: profile "
        "the remaining per-row work (float() of the total, the forced-text check of xlsx.py)."
    ),
    "export-meetings": (
        "8.5–10 s (2.5×) before issue 18, when the list's export built a model instance per meeting through a "
        "five-way join and translated the kind per cell; now every list export reads values_list() rows and "
        "names each organization and each kind once. Next: as `export`."
    ),
    "import": (
        "Down from 2.55–3.1× (one row form rebound per row instead of 20,000 deep copies; rows written by COPY "
        "with keys reserved from the sequence). What remains beyond the parse: the row form's 16 field checks "
        "(~5 s) and formatting the COPY stream (~3 s). Next: check the plain columns (dates, labels) a column "
        "at a time before the row form, and build COPY rows without model instances."
    ),
    "generate": (
        "Every county is now complete (members, meetings, a year and this year of approved reports, schemes, "
        "scores, bulletins and ratings): records by COPY (townships.bulk.copy_objects), each county from its own "
        "random stream, counties detailed in parallel processes (load_demo --jobs, one per CPU). The province's "
        "3251 s was measured while other work loaded the machine (load 4–4.5 on 2 cores); unloaded, the city's "
        "6 counties took 117 s with 2 processes (~19.5 s a county), which puts the province near 30 min. One "
        "county alone takes ~35 s of which about two thirds are its 22 months scored through the full run path "
        "(derived metrics, per-item Python, finalize, the assessor's manual entries) and the rest its records. Next: score the demo's months through the workers "
        "(one chord per county, so more cores or machines divide it), and derive the months' metrics in SQL "
        "(the scoring benchmark's own next step), which both shorten generation and scoring."
    ),
}


def write_docs(rows, header):
    DOCS_JSON.write_text(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (tests/bench/run.py); see issue 11 for the goals and the README for how to run it.",
        "Each ratio compares a median of several runs with a floor measured back to back in the same run;",
        "✓ / ✗ say whether the goal is met. Rows not measured in the latest run keep their earlier figures",
        "(each row's date and the load average when it was measured are its `measured_at` and `load` in",
        "docs/benchmarks.json). The machine is shared: a high load makes both sides of a ratio slower.",
        "",
        f"- date: {header['date']}",
        f"- machine: `{header['machine']['uname']}`, {header['machine']['cpus']} CPUs, {header['machine']['memory']}",
        f"- load average at the start / end: {header['load_start']} / {header['load_end']}",
        f"- PostgreSQL: {header['postgres']}; Redis and Celery workers (prefork, -c 1) on the same machine",
        f"- command: `{header['command']}` ({header['seconds']} s)",
        "",
        table(rows),
        "",
    ]
    missed = sorted({r["benchmark"] for r in rows if r.get("met") is False} | {"generate"})
    notes = [f"- **{name}.** {NOT_MET[name]}" for name in missed if name in NOT_MET]
    if notes:
        lines += ["## Goals not met: the measured reason and the next step", "", *notes, ""]
    DOCS_MD.write_text("\n".join(lines))


def main(argv):
    only = _list(os.environ.get("ONLY", ""), BENCHMARKS, "benchmark")
    sizes = _list(os.environ.get("SIZE", ""), SIZES, "size")
    missing = infra.ensure_packages()
    if missing:
        print(
            f"make bench: {', '.join(missing)} not installed. Install them with\n"
            f"    sudo apt-get install -y {' '.join(infra.APT_PACKAGES)}\n"
            "and run make bench again (as root it installs them itself).",
            file=sys.stderr,
        )
        return 2
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    lock = open(BENCH_DIR / "lock", "w")  # held until the process exits
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print("make bench: another make bench is running on var/bench; wait for it to finish.", file=sys.stderr)
        return 2
    load_start = machine()["load"]
    bench = Bench(sizes, only)
    started = time.monotonic()
    try:
        bench.pg = infra.Postgres()
        bench.pg.start()
        bench.redis = infra.Redis()
        log(f"PostgreSQL on port {bench.pg.port} (data in {infra.PGDATA}), Redis at {bench.redis.url}")
        with bench._admin() as admin, admin.cursor() as cursor:
            cursor.execute("SHOW server_version")
            postgres = cursor.fetchone()[0]
        for size in sizes:
            bench.run_size(size, largest=size == sizes[-1])
    except KeyboardInterrupt:
        log("interrupted; writing what was measured")
    finally:
        bench.stop_workers()
        if bench.redis:
            bench.redis.stop()
        if bench.pg:
            bench.pg.stop()
    if not bench.rows:
        return 1
    rows = merge(bench.rows)
    env_args = " ".join(f"{k}={os.environ[k]}" for k in ("ONLY", "SIZE") if os.environ.get(k))
    header = {
        "date": _now().isoformat(timespec="seconds"),
        "machine": machine(),
        "load_start": load_start,
        "load_end": machine()["load"],
        "postgres": locals().get("postgres", "?"),
        "command": f"make bench {env_args}".strip(),
        "seconds": round(time.monotonic() - started),
    }
    write_docs(rows, header)
    print()
    print(table(rows))
    print()
    log(f"done in {header['seconds']} s; results in docs/benchmarks.md and docs/benchmarks.json")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
