import os

import pytest
from rest_framework.test import APIClient

from tests import factories

# --- Figures ------------------------------------------------------------------
# The reliability and security checks (docs/reliability.md) each state a figure:
# "0 revealed of 412 requests". A check records it with the ``figure`` fixture and
# pytest prints every recorded figure at the end of the run, so the figure in the
# docs is one a reader can reproduce by running the check.

# The figure travels in the test's reports (user_properties), so that under pytest-xdist a figure
# recorded in a worker reaches the summary the controller prints.

_FIGURES = []
FIGURE_PROPERTY = "figure"


@pytest.fixture
def figure(request):
    """Record a check's figure: ``figure("isolation", "0 revealed of 412 requests")``."""

    def record(name, text):
        request.node.user_properties.append((FIGURE_PROPERTY, (name, str(text))))

    return record


def pytest_runtest_logreport(report):
    # The teardown report carries every property the test recorded (in its call or its fixtures).
    if report.when == "teardown":
        _FIGURES.extend(tuple(value) for key, value in report.user_properties if key == FIGURE_PROPERTY)


def _print_figures(terminalreporter):
    if not _FIGURES:
        return
    terminalreporter.section("figures")
    for name, text in _FIGURES:
        terminalreporter.write_line(f"{name}: {text}")


@pytest.fixture(scope="session", autouse=True)
def audit_truncate_allowed(django_db_setup, django_db_blocker):
    """Django's flush (after every transactional test) truncates every table, and on PostgreSQL
    the audit trigger refuses TRUNCATE, always (townships migrations 0005 and 0009). This
    throwaway test database disables the truncate trigger; the tests that prove the refusal
    enable it again inside their own savepoint. Production never disables it, and its
    application role does not own the table, so it cannot (grant_app_role)."""
    from django.db import connection

    with django_db_blocker.unblock():
        # No test database when no test of the session uses one (pytest-django sets up none).
        if connection.vendor == "postgresql" and connection.settings_dict["NAME"].startswith("test_"):
            with connection.cursor() as cursor:
                cursor.execute(f"ALTER TABLE townships_auditevent DISABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}")


AUDIT_TRUNCATE_TRIGGER = "townships_auditevent_no_truncate"


@pytest.fixture(autouse=True)
def redis_breaker_closed():
    """Each test starts with the Redis circuit breaker closed, whatever the test before did to Redis."""
    from townships.cache import redis_breaker

    redis_breaker.reset()


@pytest.fixture
def county(db):
    return factories.CountyFactory(name="测试县")


@pytest.fixture
def other_county(db):
    return factories.CountyFactory(name="邻县")


@pytest.fixture
def township(county):
    return factories.TownshipFactory(county=county, name="城关镇")


@pytest.fixture
def other_township(county):
    return factories.TownshipFactory(county=county, name="青石乡")


@pytest.fixture
def village(township):
    return factories.VillageFactory(township=township, name="李家村")


@pytest.fixture
def other_village(other_township):
    return factories.VillageFactory(township=other_township, name="王庄村")


@pytest.fixture
def admin_user(county):
    return factories.county_admin(county, username="county-admin")


@pytest.fixture
def viewer_user(county):
    return factories.county_viewer(county, username="county-viewer")


@pytest.fixture
def staff_user(township):
    return factories.township_staff(township, username="town-staff")


@pytest.fixture
def other_staff_user(other_township):
    return factories.township_staff(other_township, username="other-town-staff")


@pytest.fixture
def many_townships(county):
    """Six townships of the county with a village each (for query counts that must not grow)."""
    rows = [factories.TownshipFactory(county=county) for _ in range(6)]
    for township in rows:
        factories.VillageFactory(township=township)
    return rows


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """make test migrates one database (tests/harness.py: migrated_template) and each test database
    is created as a copy of it."""
    template = os.environ.get("TEST_DATABASE_TEMPLATE")
    if template:
        from django.db import connections

        connections["default"].settings_dict.setdefault("TEST", {})["TEMPLATE"] = template


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def client_user(county):
    """A read-only API client of the county."""
    return factories.api_client_user(county, username="city-bi")


# --- Celery and the integration tests ------------------------------------------------

INTEGRATION_READY = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) and bool(
    os.environ.get("REDIS_URL")
)


@pytest.fixture(autouse=True)
def eager_celery_outside_integration(request):
    """Unit tests run tasks in-process; only the integration tests use the real broker and worker."""
    from config.celery import app

    if request.node.get_closest_marker("integration"):
        yield
        return
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


# --- pytest-xdist: the serial pass ----------------------------------------------------------
# `make test` runs the suite on two xdist workers (tests/harness.py, tests/xdist_plugin.py: each
# worker its own PostgreSQL test database and Redis database; the live-server tests in one group).
# Tests marked `serial` pause or stop the one Redis server every worker uses: the harness deselects
# them from the parallel pass (--serial-tests=exclude) and runs them alone after it (=only).


def pytest_addoption(parser):
    parser.addoption(
        "--serial-tests",
        choices=("exclude", "only"),
        default=None,
        help="deselect the tests marked serial (exclude) or all the others (only); tests/harness.py runs "
        "one pass of each. Default: run both kinds.",
    )


def pytest_configure(config):
    distributed = getattr(config.option, "tx", None) or os.environ.get("PYTEST_XDIST_WORKER")
    if distributed and not config.pluginmanager.has_plugin("tests.xdist_plugin"):
        raise pytest.UsageError(
            "pytest-xdist needs tests/xdist_plugin.py (each worker its own Redis database, the live-server "
            "tests in one group): run through `make test` (tests/harness.py) or add -p tests.xdist_plugin."
        )


def _select_serial(config, items):
    which = config.getoption("serial_tests")
    if which is None:
        return
    keep_serial = which == "only"
    kept, deselected = [], []
    for item in items:
        (kept if bool(item.get_closest_marker("serial")) == keep_serial else deselected).append(item)
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = kept


def pytest_collection_modifyitems(config, items):
    _select_serial(config, items)
    if INTEGRATION_READY:
        return
    reason = "needs PostgreSQL and Redis (make test starts them when installed)"
    if os.environ.get("REQUIRE_INTEGRATION") == "1":
        integration = [item for item in items if item.get_closest_marker("integration")]
        if integration:
            raise pytest.UsageError(f"REQUIRE_INTEGRATION=1 but {reason}: {len(integration)} integration tests.")
    for item in items:
        if item.get_closest_marker("integration"):
            item.add_marker(pytest.mark.skip(reason=reason))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    _print_figures(terminalreporter)
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "integration" in getattr(report, "keywords", {})
    ]
    if skipped:
        terminalreporter.write_line(
            f"Integration tests skipped: {len(skipped)} (no PostgreSQL/Redis). They run under make test when "
            "postgresql and redis-server are installed, and always in CI.",
            yellow=True,
        )
        for report in skipped:
            terminalreporter.write_line(f"  skipped: {report.nodeid}")
