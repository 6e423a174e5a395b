"""`make test` on pytest-xdist workers (loaded by tests/harness.py: ``-p tests.xdist_plugin``).

Each worker gets its own Redis database. The harness starts one Redis and passes its database 0
in REDIS_URL. config/settings.py reads REDIS_URL once, at import, for the cache, the Celery broker
and the result backend; pytest-django imports the settings in its own
``pytest_load_initial_conftests`` hook, before any conftest.py is imported, so a conftest is too
late to change it. This plugin's wrapper of that hook runs before pytest-django's and points
REDIS_URL at the worker's database: gw0 -> 1, gw1 -> 2, ... (xdist sets PYTEST_XDIST_WORKER before
the worker's configuration is parsed). It changes the environment, not only the settings, so the
Celery worker and gunicorn that the integration tests start inherit it. Database 0 is the
one-process run's (and the harness's serial pass's). The PostgreSQL test database needs nothing
here: pytest-django names it test_<name>_gw0, test_<name>_gw1, ... by itself.

Some tests run on one worker, in file order: the tests that start a Celery worker or a live
server (tests/integration, tests/browser), so there is one of each at a time, and files whose last
test reads what the ones before it saw. pytest-xdist 3.8's ``--dist loadgroup`` cannot group them:
it marks a grouped test by rewriting ``item._nodeid``, which pytest 9.2 no longer reads (the
node id lives in ``item._id``), so its ``xdist_group`` marks are silently ignored. The groups are
therefore named here, by path, and a scheduler of our own (xdist's ``pytest_xdist_make_scheduler``
hook) sends each group to one worker as a unit; a worker refuses a test that needs a live server
outside those paths, so a new one cannot escape the group unnoticed.
"""

import os
from urllib.parse import urlsplit, urlunsplit

import pytest

# Redis' default `databases 16`: 0 for one-process runs, 1..15 for workers.
REDIS_DATABASES = 16

LIVE_SERVERS = "live-servers"
GROUPS = (
    ("tests/integration/", LIVE_SERVERS),
    ("tests/browser/", LIVE_SERVERS),
    # test_figure reads OUTCOMES, which the cases before it filled.
    ("tests/security/test_import_atomicity.py", "import-atomicity"),
)
LIVE_FIXTURES = {"live_server", "celery_worker", "celery_worker_process"}


def worker_redis_url(url, worker):
    """``redis://127.0.0.1:6390/0`` for worker ``gw1`` -> ``redis://127.0.0.1:6390/2``."""
    number = int(worker.removeprefix("gw")) + 1
    parts = urlsplit(url)
    if parts.scheme not in ("redis", "rediss"):
        raise pytest.UsageError(f"pytest-xdist: cannot give each worker a Redis database in {url!r}.")
    if number >= REDIS_DATABASES:
        raise pytest.UsageError(f"pytest-xdist: worker {worker} would need Redis database {number}; use fewer workers.")
    return urlunsplit(parts._replace(path=f"/{number}"))


@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("REDIS_URL"):
        os.environ["REDIS_URL"] = worker_redis_url(os.environ["REDIS_URL"], worker)
    return (yield)


def group_of(nodeid):
    for prefix, name in GROUPS:
        if nodeid.startswith(prefix):
            return name
    return None


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config, log):
    """``--dist loadgroup`` with the groups of GROUPS; every other test is a unit of its own."""
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadGroupScheduling

    class PathGroupScheduling(LoadGroupScheduling):
        def _split_scope(self, nodeid):
            return group_of(nodeid) or super()._split_scope(nodeid)

    return PathGroupScheduling(config, log)


def _needs_live_servers(item):
    return (
        item.get_closest_marker("integration") is not None
        or item.get_closest_marker("browser") is not None
        or bool(LIVE_FIXTURES.intersection(getattr(item, "fixturenames", ())))
    )


# Sent to the workers first, longest first: the live-servers group (a few minutes on one worker) and
# the security sweeps (a minute or two each); the thousand short tests then fill the workers' gaps
# and finish together, instead of a long test starting last and running alone.
FIRST = (
    "tests/integration/",
    "tests/browser/",
    "tests/security/test_isolation.py",
    "tests/security/test_masking.py",
    "tests/security/test_leaks.py",
    "tests/security/test_api_fuzz.py",
)


def _first(item):
    return next((i for i, prefix in enumerate(FIRST) if item.nodeid.startswith(prefix)), len(FIRST))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config, items):
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return
    items.sort(key=_first)  # stable: pytest-django's order within each part
    strays = [item.nodeid for item in items if _needs_live_servers(item) and group_of(item.nodeid) != LIVE_SERVERS]
    if strays:
        raise pytest.UsageError(
            "pytest-xdist: these tests start a Celery worker or a live server outside the paths of the "
            f"{LIVE_SERVERS!r} group (tests/xdist_plugin.py, GROUPS): {', '.join(strays[:5])}"
        )
