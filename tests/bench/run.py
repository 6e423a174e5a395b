"""`make bench`: province-scale timings, printed, never asserted.

Runs in a throwaway database (SQLite in a temporary directory unless
BENCH_DATABASE_URL names a PostgreSQL database to use instead).
"""

import os
import subprocess
import sys
import tempfile
import time

REQUESTS = 200


def main():
    workdir = tempfile.mkdtemp(prefix="township-bench-")
    env = dict(os.environ)
    env["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{workdir}/bench.sqlite3")
    env.pop("REDIS_URL", None)
    run = [sys.executable, "manage.py"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True)
    started = time.monotonic()
    subprocess.run(
        [*run, "load_demo", "--preset", "province", "--registry-only"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    generate = time.monotonic() - started
    code = f"""
import statistics, time
from django.test import Client
from townships.models import Township, User
client = Client()
client.force_login(User.objects.get(username="county"))
townships = list(Township.objects.filter(county__name="青山县").values_list("pk", flat=True))
samples = []
for i in range({REQUESTS}):
    t = time.perf_counter()
    response = client.get("/api/v1/villages/", {{"township": townships[i % len(townships)]}})
    assert response.status_code == 200
    samples.append((time.perf_counter() - t) * 1000)
samples.sort()
print(f"{{statistics.median(samples):.1f}} {{samples[int(len(samples) * 0.95)]:.1f}}")
"""
    out = subprocess.run(
        [*run, "shell", "-c", code], env=env, check=True, capture_output=True, text=True
    ).stdout.split()
    p50, p95 = out[-2], out[-1]
    print()
    print("| benchmark | result |")
    print("|---|---|")
    print(
        f"| load_demo --preset province --registry-only (90 counties, ~1,500 townships, ~25,000 villages) | {generate:.1f} s |"
    )
    print(f"| GET /api/v1/villages/?township=… ({REQUESTS} requests, county admin) | p50 {p50} ms, p95 {p95} ms |")


if __name__ == "__main__":
    main()
