"""Check 16: a month-end mix of traffic against gunicorn with DEBUG off, for SOAK_MINUTES
(default 30), while a scoring run is in progress part of the time.

The mix (per second of traffic, by share of the threads): township users opening their
reports (page and API) and saving drafts through the report form, county users on the dashboards and the
ranking, token clients polling the scores API. Goals: p95 ≤ 500 ms for reads and ≤ 1 s
for writes, < 0.1 % errors, gunicorn's memory steady (the last fifth of the run within
15 % of the second fifth), pages answering while a run is in progress."""

import os
import random
import re
import statistics
import threading
import time

import pytest
from django.core.management import call_command

from assessments.choices import RunKind, RunStatus
from assessments.models import MonthlyReport, ScoringRun
from assessments.services import scoring_run_start
from tests.integration.conftest import Worker, wait_for, worker_env
from tests.integration.test_release import Browser
from townships.demo import DEMO_PASSWORD
from townships.models import County, User
from townships.tokens import token_issue

pytestmark = [pytest.mark.soak, pytest.mark.integration, pytest.mark.django_db(transaction=True)]
MINUTES = float(os.environ.get("SOAK_MINUTES", "30"))
THREADS = {"township": 4, "county": 2, "token": 2}


def _login(base, username):
    browser = Browser(base)
    _status, _headers, body = browser.request("/accounts/login/")
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode()).group(1)
    status, _h, _b = browser.request(
        "/accounts/login/", {"csrfmiddlewaretoken": csrf, "username": username, "password": DEMO_PASSWORD}
    )
    assert status == 302, f"{username} could not log in"
    return browser


def _gunicorn_rss_kb(port):
    """Resident memory of the gunicorn master and workers listening for this test."""
    total = 0
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmdline = f.read()
            if b"gunicorn" not in cmdline or f"127.0.0.1:{port}".encode() not in cmdline:
                continue
            with open(f"/proc/{pid}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            continue
    return total


def test_month_end_load(release, figure):
    base, _log = release
    port = int(base.rsplit(":", 1)[1])
    call_command("load_demo", "--force", "--townships", "6", "--villages-per-township", "12")
    county = County.objects.get()
    token = token_issue(actor=None, client_name="soak-client", county=county)
    towns = list(
        User.objects.filter(username__startswith="town").order_by("username").values_list("username", flat=True)
    )
    open_month = MonthlyReport.objects.filter(township__county=county).latest("year", "month")
    year, month = open_month.year, open_month.month

    samples = {"read": [], "write": []}
    errors, requests = [], [0]
    lock = threading.Lock()
    stop = time.monotonic() + MINUTES * 60

    def record(kind, started, status, path):
        elapsed = time.monotonic() - started
        with lock:
            requests[0] += 1
            samples[kind].append(elapsed)
            if status >= 500 or status == 0:
                errors.append((status, path))

    def call(client, kind, path, data=None, headers=None):
        started = time.monotonic()
        try:
            status, _h, _b = client.request(path, data, headers)
        except OSError:
            status = 0
        record(kind, started, status, path)

    def township_user(index):
        rng = random.Random(index)
        browser = _login(base, towns[index % len(towns)])
        api = Browser(base)
        while time.monotonic() < stop:
            if rng.random() < 0.5:
                call(browser, "read", f"/assessment/reports/?year={year}&month={month}")
            else:
                call(api, "read", "/api/v1/reports/?page_size=50", headers={"Authorization": f"Token {token}"})
            time.sleep(rng.uniform(0.1, 0.5))

    def county_user(index):
        rng = random.Random(100 + index)
        browser = _login(base, "county" if index % 2 == 0 else "viewer")
        pages = ["/", f"/assessment/scores/?year={year}&period={month}", "/villages/", "/records/alerts/"]
        while time.monotonic() < stop:
            call(browser, "read", rng.choice(pages))
            time.sleep(rng.uniform(0.2, 1.0))

    def token_client(index):
        rng = random.Random(200 + index)
        api = Browser(base)
        while time.monotonic() < stop:
            call(api, "read", "/api/v1/scores/?page_size=100", headers={"Authorization": f"Token {token}"})
            time.sleep(rng.uniform(0.2, 1.0))

    def writer():
        """Drafts saved through the API: the month-end write traffic."""
        rng = random.Random(300)
        staff = User.objects.filter(username=towns[0]).get()
        browser = _login(base, staff.username)
        villages = list(staff.township.villages.values_list("pk", flat=True))
        while time.monotonic() < stop:
            village = rng.choice(villages)
            page_status, _h, body = browser.request(f"/assessment/reports/{village}/{year}/{month}/")
            match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', body.decode(errors="replace"))
            if page_status == 200 and match:
                data = {"csrfmiddlewaretoken": match.group(1), "save": "1", "petitions": str(rng.randint(0, 3))}
                version = re.search(r'name="version" value="(\d+)"', body.decode(errors="replace"))
                if version:
                    data["version"] = version.group(1)
                call(browser, "write", f"/assessment/reports/{village}/{year}/{month}/", data)
            time.sleep(rng.uniform(0.5, 2.0))

    memory = []

    def sampler():
        while time.monotonic() < stop:
            memory.append(_gunicorn_rss_kb(port))
            time.sleep(10)

    threads = [threading.Thread(target=township_user, args=(i,)) for i in range(THREADS["township"])]
    threads += [threading.Thread(target=county_user, args=(i,)) for i in range(THREADS["county"])]
    threads += [threading.Thread(target=token_client, args=(i,)) for i in range(THREADS["token"])]
    threads += [threading.Thread(target=writer), threading.Thread(target=sampler)]
    # Each scoring chunk pauses 2 s, so the run lasts long enough to be loaded while in progress.
    worker = Worker(worker_env() | {"SCORING_CHUNK_PAUSE": "2"}).start(concurrency=1)
    try:
        for thread in threads:
            thread.start()
        # Halfway through, the county scores the month while the traffic goes on.
        time.sleep(MINUTES * 30)
        run = scoring_run_start(
            actor=None, county_id=county.pk, kind=RunKind.MONTHLY, year=year, period=month, allow_missing=True
        )
        run_started, reads_before = time.monotonic(), len(samples["read"])
        wait_for(lambda: ScoringRun.objects.get(pk=run.pk).status in (RunStatus.SUCCEEDED, RunStatus.FAILED), 120, 0.5)
        run_seconds, reads_during = time.monotonic() - run_started, samples["read"][reads_before:]
        run_status = ScoringRun.objects.get(pk=run.pk).status
        for thread in threads:
            thread.join()
    finally:
        worker.stop()

    def p95(values):
        return statistics.quantiles(values, n=20)[-1] if len(values) >= 20 else max(values, default=0)

    fifth = max(len(memory) // 5, 1)
    early, late = statistics.mean(memory[fifth : 2 * fifth] or memory), statistics.mean(memory[-fifth:])
    error_rate = len(errors) / max(requests[0], 1)
    figure(
        "load",
        f"{requests[0]} requests in {MINUTES:g} min: reads p95 {p95(samples['read']) * 1000:.0f} ms, "
        f"writes p95 {p95(samples['write']) * 1000:.0f} ms, errors {error_rate:.3%}, "
        f"gunicorn memory {early / 1024:.0f} → {late / 1024:.0f} MB, "
        f"{len(reads_during)} reads during the {run_seconds:.0f} s of a scoring run ({run_status}), "
        f"p95 {p95(reads_during) * 1000:.0f} ms",
    )
    assert error_rate < 0.001, errors[:10]
    assert p95(samples["read"]) <= 0.5 and p95(samples["write"]) <= 1.0
    assert late <= early * 1.15
    assert reads_during and run_status == RunStatus.SUCCEEDED
