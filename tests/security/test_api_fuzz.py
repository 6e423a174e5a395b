"""Check 14 (issue 10): schemathesis over the OpenAPI schema, every operation, as each role.

The schema is the one the app serves at /api/schema/ (drf-spectacular), loaded with
schemathesis and called in-process through Django's WSGI application. Each operation is
fuzzed as the county administrator, the county viewer, township staff and a read-only
API client, with valid (positive) and invalid (negative) data and, for operations on one
object, with the ids of objects that exist as well as random ones. Every answer must be:
no server error, a status code the schema documents (4xx too), the documented content
type and a body that matches the documented schema.
"""

import contextlib
import json
import os
import time
from collections import Counter

import hypothesis
import pytest
import schemathesis
from django.core.cache import cache
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from assessments.demo import create_scheme
from tests import factories
from townships.choices import Role

pytestmark = pytest.mark.django_db

# Examples per operation, role and generation mode. `make test` keeps every operation, role and
# mode with a small budget (plus the explicit cases below); `make soak` runs the large pass
# (FUZZ_EXAMPLES=50 FUZZ_RANDOM=1: more cases, differently seeded each time).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "3"))
DERANDOMIZE = os.environ.get("FUZZ_RANDOM") != "1"
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
ROLES = ["county admin", "county viewer", "township staff", "api client"]


@pytest.fixture
def world(county, township, other_township):
    """A little of everything the API serves, in two townships, so that ids exist to fetch."""
    create_scheme(county=county, year=2026)
    for town in (township, other_township):
        committee = factories.PartyOrganizationFactory(township=town, name=f"中共{town.name}委员会")
        for i in range(2):
            village = factories.village_with_secretary(town, f"{town.name}{i}村")
            branch = factories.PartyOrganizationFactory(
                township=town, village=village, parent=committee, kind="branch", name=f"{village.name}支部"
            )
            factories.PartyMemberFactory(organization=branch)
            factories.MonthlyReportFactory(village=village, year=2026, month=3)
    users = {
        "county admin": factories.county_admin(county, username="fuzz-admin"),
        "county viewer": factories.county_viewer(county, username="fuzz-viewer"),
        "township staff": factories.township_staff(township, username="fuzz-staff"),
        "api client": factories.api_client_user(county, username="fuzz-client"),
    }
    assert {u.role for u in users.values()} == {
        Role.COUNTY_ADMIN,
        Role.COUNTY_VIEWER,
        Role.TOWNSHIP_STAFF,
        Role.API_CLIENT,
    }
    return users


@contextlib.contextmanager
def connection_kept():
    """Call Django's WSGI application in-process as Django's test client does: without closing
    the database connection when a request starts or finishes (on PostgreSQL that would end the
    test's own transaction). The test client reconnects the handler after each of its requests,
    so this wraps each call."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def call(case, app, headers):
    with connection_kept():
        return case.call(app=app, headers=headers)


def tokens(users):
    from knox.models import AuthToken

    return {role: AuthToken.objects.create(user=user)[1] for role, user in users.items()}


def load_schema(client, token):
    response = client.get("/api/schema/?format=json", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 200, response.content[:500]
    return schemathesis.openapi.from_dict(json.loads(response.content))


def existing_ids(client, token, paths):
    """For each list path, the ids the county administrator can see (to fetch real objects)."""
    found = {}
    for path in paths:
        response = client.get(path, {"page_size": 100}, HTTP_AUTHORIZATION=f"Token {token}")
        body = response.json() if response.status_code == 200 else {}
        found[path] = [row["id"] for row in body.get("results", []) if "id" in row]
    return found


class Tally:
    """Cases sent, status codes seen and failures found, over every operation and role."""

    def __init__(self):
        self.cases = 0
        self.statuses = Counter()
        self.failures = []

    def check(self, case, response, label, headers):
        self.cases += 1
        self.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # collected, reported together at the end
            self.failures.append(f"{label}: {str(exc)[:1500]}")


def fuzz(operation, strategy, examples, *, app, role, headers, tally):
    """Send ``examples`` generated cases of one operation as one role and check each answer."""
    label = f"{role}: {operation.method.upper()} {operation.path}"

    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=DERANDOMIZE,
        suppress_health_check=list(HealthCheck),
        phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
    )
    def run(case):
        cache.clear()  # the per-token throttle would answer 429 long before the cases run out
        tally.check(case, call(case, app, headers), label, headers)

    run()


def test_every_operation_as_every_role(client, world, figure):
    started = time.monotonic()
    app = get_wsgi_application()
    keys = tokens(world)
    schema = load_schema(client, keys["county admin"])
    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operation"
    ids = existing_ids(client, keys["county admin"], sorted({op.path for op in operations if "{" not in op.path}))
    tally = Tally()
    for operation in operations:
        strategies = [operation.as_strategy(generation_mode=mode) for mode in GenerationMode]
        if "{id}" in operation.path:
            strategies += [
                operation.as_strategy(path_parameters={"id": pk})
                for pk in ids.get(operation.path.split("{id}")[0], [])[:3]
            ]
        for role in ROLES:
            headers = {"Authorization": f"Token {keys[role]}"}
            fuzz(
                operation,
                st.one_of(strategies),
                EXAMPLES * len(strategies),
                app=app,
                role=role,
                headers=headers,
                tally=tally,
            )
    explicit = explicit_cases(schema, world, keys, app, tally)

    elapsed = time.monotonic() - started
    assert not tally.failures, f"{len(tally.failures)} failures:\n\n" + "\n\n".join(tally.failures[:40])
    # The run reached past the refusals: successes, creations and each kind of refusal were all checked.
    assert {200, 400, 403, 404} <= set(tally.statuses), tally.statuses
    assert explicit == {"202 run", "201 draft", "409 conflict", "200 submit", "200 scorecards", "304 not modified"}, (
        explicit
    )
    figure(
        "api fuzz",
        f"{tally.cases} cases over {len(operations)} operations × {len(ROLES)} roles: 0 server errors, "
        f"0 schema violations (statuses {dict(sorted(tally.statuses.items()))}; {elapsed:.0f} s)",
    )


def etag_of(response):
    value = {name.lower(): value for name, value in response.headers.items()}["etag"]
    return value[0] if isinstance(value, list) else value


def explicit_cases(schema, users, keys, app, tally):
    """The answers random data rarely reaches, sent on purpose and checked the same way."""
    from assessments.models import MonthlyReport

    seen = set()

    def send(role, method, path, label, expected, **kwargs):
        cache.clear()
        headers = {"Authorization": f"Token {keys[role]}", **kwargs.pop("headers", {})}
        operation = schema[path][method]
        case = operation.Case(**kwargs)
        response = call(case, app, headers)
        assert response.status_code == expected, (label, response.status_code, response.text[:500])
        tally.check(case, response, f"{role}: {method} {path} ({label})", headers)
        seen.add(f"{expected} {label}")
        return response

    # The county starts a monthly run: 202 with the run, queued.
    send(
        "county admin",
        "POST",
        "/api/v1/runs/",
        "run",
        202,
        body={"kind": "monthly", "year": 2026, "period": 3, "allow_missing": True},
        media_type="application/json",
    )
    # Township staff save a draft, then save again from the old version: 409 with the current report.
    staff = users["township staff"]
    village = staff.township.villages.first()
    body = {"village": village.pk, "year": 2026, "month": 4, "values": factories.report_values()}
    created = send("township staff", "POST", "/api/v1/reports/", "draft", 201, body=body, media_type="application/json")
    report = MonthlyReport.objects.get(pk=created.json()["id"])
    again = {**body, "version": report.version}
    for label, expected in (("draft", 201), ("conflict", 409)):
        send("township staff", "POST", "/api/v1/reports/", label, expected, body=again, media_type="application/json")
    send(
        "township staff",
        "POST",
        "/api/v1/reports/{id}/submit/",
        "submit",
        200,
        path_parameters={"id": report.pk},
        media_type="application/json",
        body={},
    )
    # A polling client sends back the ETag: 304.
    first = send("api client", "GET", "/api/v1/scorecards/", "scorecards", 200)
    send(
        "api client",
        "GET",
        "/api/v1/scorecards/",
        "not modified",
        304,
        headers={"If-None-Match": etag_of(first)},
    )
    return seen
