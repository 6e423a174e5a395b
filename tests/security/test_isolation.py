"""Check 1 of issue 10: the isolation matrix over every URL pattern and every API route.

Every pattern of Django's resolver and every route of the /api/v1/ router is listed in
``ROUTES`` with how to build its URL for an object of township A; a pattern the table
does not list fails ``test_every_route_is_in_the_matrix``, so a new page or endpoint is
covered the day it is added.

The matrix then sends GET, POST, PUT, PATCH and DELETE to every route as
- the staff of township B: on township A's objects the answer must be the 404 a missing
  object gets, body for body (the same request with a primary key that does not exist);
- the village login of village A2 (township A, beside A1 whose objects the routes name): every
  page outside its allowlist is a 404 and every API route a 403/404, whatever the method; on
  the pages it may use, A1's objects are the 404 a missing object gets, and no page it is
  shown names village A1 or township B;
- the county viewer and the read-only API client: they may read the county, never write;
- anonymous (and a token sent to a page, where tokens mean nothing): a redirect to the
  login page (pages) or 401/403 (API), never data.
Nothing may change for any of them: every request is followed by a count of every table
and a read of the rows it aimed at, and every route by a checksum of every table's rows. The
audit trail is left out: recording a refusal is the one write a refused request should make.
"""

import re
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from cadres.services import alerts_refresh_all
from config.api_urls import router
from tests import factories
from townships.village_access import village_may_reach

from .world import MISSING, TODAY, build_world_after_commit, world_once

METHODS = ["get", "post", "put", "patch", "delete"]

# Left out of the matrix, each for its reason:
EXCLUDED = {
    "healthz",  # no data: answers "ok" to the load balancer
    "login",  # the way in: shows a form to anyone
    "logout",  # ends the session the matrix signs in with
    "api-schema",  # the OpenAPI document: describes the API, holds no records
    "api-docs",  # Swagger UI over that document (login required; tested in tests/test_schema.py)
}
EXCLUDED_NAMESPACES = {"admin"}  # Django's admin: superusers only, its own permission checks


@dataclass(frozen=True)
class Route:
    """How to build a route's URL.

    kind "A": an object of township A, named by the world attribute ``attr``; ``rest`` fills
    the other arguments. kind "county": a county-wide object (schemes, bulletins), any
    user of the county may read it (a bulletin is a circular: the county's alone until it is
    published, then every township's, whole; the county publishes it). kind "none": a list, form, import, export or template.
    kind "own": the signed-in user's own account.
    """

    kind: str
    attr: str = ""
    rest: tuple = ()
    county_args: object = None
    lead: tuple = ()  # arguments before the object's key (the review queue's entry kind)

    def args(self, w, missing=False):
        if self.kind == "A":
            return [*self.lead, MISSING if missing else getattr(w, self.attr).pk, *self.rest]
        if self.kind == "county":
            return self.county_args(w)
        return []

    def targets(self, w):
        if self.kind == "A":
            return [getattr(w, self.attr)]
        if self.kind == "county":
            return [w.scheme, w.indicator, w.bulletin]
        return []


def obj(attr, *rest):
    return Route("A", attr, rest)


def county_obj(build):
    return Route("county", county_args=build)


NONE = Route("none")
OWN = Route("own")
SCHEME = county_obj(lambda w: [w.scheme.pk])
BULLETIN = county_obj(lambda w: [w.bulletin.year, w.bulletin.quarter])

ROUTES = {
    # --- townships, dashboards, settings
    "home": NONE,
    "township-detail": obj("a"),
    "township-list": NONE,
    "township-export": NONE,
    "township-create": NONE,
    "township-update": obj("a"),
    "township-set-active": obj("a"),
    "county-settings": NONE,
    "audit-list": NONE,
    "audit-export": NONE,
    "message-list": OWN,
    "password_change": OWN,
    "password_change_done": OWN,
    "village-home": NONE,
    "entry-review-list": NONE,
    "entry-review": Route("A", "meeting", lead=("meeting",)),
    # --- villages, organizations, matters, weak-and-lax
    "village-list": NONE,
    "village-export": NONE,
    "village-create": NONE,
    "village-detail": obj("village"),
    "village-login-list": NONE,
    "village-update": obj("village"),
    "village-set-active": obj("village"),
    "organization-list": NONE,
    "organization-export": NONE,
    "organization-create": NONE,
    "organization-detail": obj("organization"),
    "organization-update": obj("organization"),
    "organization-set-active": obj("organization"),
    "organization-elect": obj("organization"),
    "terms-due": NONE,
    "terms-due-export": NONE,
    "matter-list": NONE,
    "matter-export": NONE,
    "matter-create": NONE,
    "matter-detail": obj("matter"),
    "weak-list": NONE,
    "weak-detail": obj("weak"),
    # --- people, members, cadres, meetings
    "person-list": NONE,
    "person-export": NONE,
    "person-create": NONE,
    "person-detail": obj("person"),
    "person-update": obj("person"),
    "person-reveal": obj("person"),
    "member-apply": obj("person"),
    "tenure-start": obj("person"),
    "person-village-action": obj("person", "contact"),
    "member-list": NONE,
    "member-export": NONE,
    "member-due": NONE,
    "member-import": NONE,
    "member-template": NONE,
    "member-detail": obj("member"),
    "member-transition": obj("member", "leave"),
    "mobile-start": obj("member"),
    "post-assign": obj("member"),
    "mobile-list": NONE,
    "mobile-export": NONE,
    "mobile-update": obj("mobile", "contact"),
    "post-list": NONE,
    "post-export": NONE,
    "correction-list": NONE,
    "correction-export": NONE,
    "correction-close": obj("correction"),
    "tenure-list": NONE,
    "tenure-export": NONE,
    "tenure-end": obj("tenure"),
    "village-cadres": NONE,
    "meeting-list": NONE,
    "meeting-export": NONE,
    "meeting-create": NONE,
    "meeting-compliance": NONE,
    "meeting-import": NONE,
    "meeting-template": NONE,
    "meeting-detail": obj("meeting"),
    "meeting-evidence": obj("meeting"),
    "appraisal-list": NONE,
    "appraisal-create": obj("organization"),
    "alert-list": NONE,
    "alert-export": NONE,
    "allowance-roster": NONE,
    "allowance-export": NONE,
    "allowance-tables": NONE,
    "allowance-person": obj("retired"),
    # --- 定·查·评: commitments, the ledger, 督查
    "commitment-list": NONE,
    "commitment-export": NONE,
    "commitment-create": NONE,
    "commitment-overview": NONE,
    "commitment-detail": obj("commitment"),
    "commitment-edit": obj("commitment"),
    "commitment-action": obj("commitment", "return"),
    "commitment-progress": obj("commitment"),
    "commitment-inspect": obj("commitment"),
    "commitment-grade": obj("commitment"),
    "commitment-file": obj("commitment", "plan"),
    "progress-evidence": obj("progress"),
    "inspection-list": NONE,
    "inspection-export": NONE,
    "inspection-close": obj("inspection"),
    "commitment-board": obj("village"),
    "commitment-notice": obj("village"),
    # --- the assessment
    "scheme-list": NONE,
    "scheme-detail": SCHEME,
    "scheme-what-if": SCHEME,
    "scheme-export": SCHEME,
    "indicator-create": SCHEME,
    "indicator-edit": county_obj(lambda w: [w.scheme.pk, w.indicator.pk]),
    "scheme-import": SCHEME,
    "scheme-action": county_obj(lambda w: [w.scheme.pk, "activate"]),
    "report-overview": NONE,
    "report-list": NONE,
    "report-export": NONE,
    "report-bulk-approve": NONE,
    "report-return": obj("report_submitted"),
    "report-template": NONE,
    "report-import": NONE,
    "report-detail": obj("report_submitted"),
    "report-form": obj("village", 2026, 11),
    "township-report-form": obj("a", 2026, 11),
    "honour-list": NONE,
    "honour-export": NONE,
    "honour-propose": NONE,
    "honour-nominate": NONE,
    "honour-detail": obj("honour"),
    "honour-print": county_obj(lambda w: [2026]),
    "pay-home": NONE,
    "pay-compute": NONE,
    "pay-standard-create": NONE,
    "pay-standard-edit": county_obj(lambda w: [w.pay_standard.pk]),
    "pay-line-list": NONE,
    "pay-line-export": NONE,
    "pay-line": obj("pay_line"),
    "pay-period": county_obj(lambda w: [w.pay_period.year, w.pay_period.half]),
    "pay-finance-export": county_obj(lambda w: [w.pay_period.year, w.pay_period.half]),
    "township-report-template": NONE,
    "township-report-import": NONE,
    "run-list": NONE,
    "score-list": NONE,
    "score-export": NONE,
    "score-detail": obj("score"),
    "score-export-one": obj("score"),
    "secretary-detail": obj("secretary"),
    "rating-list": NONE,
    "rating-sign": county_obj(lambda w: [TODAY.year - 1]),
    "rating-export": NONE,
    "removal-list": NONE,
    "talk-list": NONE,
    "talk-export": NONE,
    "talk-detail": obj("talk"),
    "talk-decide": obj("talk"),
    "talk-record": obj("talk"),
    "talk-follow-up": obj("talk"),
    "rectification-list": NONE,
    "rectification-export": NONE,
    "rectification-create": NONE,
    "rectification-edit": obj("rectification"),
    "rectification-close": obj("rectification"),
    "survey-list": NONE,
    "survey-export": NONE,
    "survey-create": NONE,
    "survey-ballot": NONE,
    "survey-import": NONE,
    "survey-template": NONE,
    "survey-ranking": NONE,
    "survey-ranking-export": NONE,
    "survey-detail": obj("survey"),
    "duty-township-list": NONE,
    "duty-township-export": NONE,
    "duty-village-list": NONE,
    "duty-village-export": NONE,
    "duty-create": county_obj(lambda w: ["village"]),  # the 述职 form (a level, no object)
    "duty-ties": county_obj(lambda w: [2026]),
    "duty-recompute": county_obj(lambda w: [2026]),  # the county computes a year's composites again
    "duty-import": county_obj(lambda w: ["village"]),
    "duty-template": county_obj(lambda w: ["village"]),  # the county's decision on ties at the cap on 好
    "duty-detail": obj("duty"),
    "duty-edit": obj("duty"),
    "duty-report-file": obj("duty"),
    "survey-edit": obj("survey"),
    "bulletin-list": NONE,
    "bulletin-list-export": NONE,
    "township-ranking": NONE,
    "township-ranking-export": NONE,
    "bulletin-detail": BULLETIN,
    "bulletin-export": BULLETIN,
    # --- the API (/api/v1/, one router)
    "api:api-root": NONE,
    "api:township-list": NONE,
    "api:township-detail": obj("a"),
    "api:village-list": NONE,
    "api:village-detail": obj("village"),
    "api:organization-list": NONE,
    "api:organization-detail": obj("organization"),
    "api:matter-list": NONE,
    "api:matter-detail": obj("matter"),
    "api:person-list": NONE,
    "api:person-detail": obj("person"),
    "api:member-list": NONE,
    "api:member-detail": obj("member"),
    "api:tenure-list": NONE,
    "api:tenure-detail": obj("tenure"),
    "api:meeting-list": NONE,
    "api:meeting-detail": obj("meeting"),
    "api:appraisal-list": NONE,
    "api:appraisal-detail": obj("appraisal"),
    "api:commitment-list": NONE,
    "api:commitment-detail": obj("commitment"),
    "api:inspection-list": NONE,
    "api:inspection-detail": obj("inspection"),
    "api:scheme-list": NONE,
    "api:scheme-detail": SCHEME,
    "api:report-list": NONE,
    "api:report-detail": obj("report_draft"),
    "api:report-submit": obj("report_draft"),
    "api:run-list": NONE,
    "api:run-detail": county_obj(lambda w: [w.run.pk]),
    "api:score-list": NONE,
    "api:score-detail": obj("score"),
    "api:survey-list": NONE,
    "api:survey-detail": obj("survey"),
    "api:talk-list": NONE,
    "api:talk-detail": obj("talk"),
    "api:duty-review-list": NONE,
    "api:duty-review-detail": obj("duty"),
    "api:pay-period-list": NONE,
    "api:pay-period-detail": county_obj(lambda w: [w.pay_period.pk]),
    "api:pay-line-list": NONE,
    "api:pay-line-detail": obj("pay_line"),
    "api:honour-list": NONE,
    "api:honour-detail": obj("honour"),
    "api:scorecard-list": NONE,
    "api:scorecard-detail": obj("score"),
}


def resolver_names(patterns=None, namespace=""):
    """Every named pattern of the resolver, namespaced ("api:village-list"), but the admin."""
    names = set()
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace in EXCLUDED_NAMESPACES:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names |= resolver_names(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"unnamed pattern {entry.pattern}: the matrix cannot list it"
            names.add(namespace + entry.name)
    return names


def router_names():
    """Every route of the API router: list, detail and each custom action of every viewset."""
    names = {"api:" + router.root_view_name}
    for _prefix, viewset, basename in router.registry:
        for route in router.get_routes(viewset):
            if any(hasattr(viewset, action) for action in route.mapping.values()):
                names.add("api:" + route.name.format(basename=basename))
    return names


def test_every_route_is_in_the_matrix():
    from_resolver = resolver_names() - EXCLUDED
    assert router_names() <= from_resolver
    assert set(ROUTES) == from_resolver, {
        "not in the matrix": sorted(from_resolver - set(ROUTES)),
        "gone from the URLs": sorted(set(ROUTES) - from_resolver),
    }


# --- the matrix ---------------------------------------------------------------------

PAGE_PAYLOAD = {
    "name": "越权篡改",
    "title": "越权篡改",
    "topic": "越权篡改",
    "township": "{a}",
    "village": "{village}",
    "status": "approved",
    "active": "0",
    "approve": "1",
    "reason": "越权",
    "note": "越权",
    "description": "越权",
    "on_date": "2026-06-01",
    "contacted_on": "2026-06-01",
    "ended_on": "2026-06-01",
    "done_on": "2026-06-01",
    "year": "2026",
}
API_PAYLOAD = {
    "village": "{village}",
    "township": "{a}",
    "year": 2026,
    "month": 10,
    "values": {},
    "status": "approved",
    "kind": "monthly",
    "period": 5,
    "name": "越权篡改",
}

# Tables left out of the snapshots: the audit trail (a refusal is recorded, by design).
UNWATCHED = {"townships.AuditEvent"}


def _fill(payload, w):
    values = {"a": w.a.pk, "village": w.village.pk}
    return {k: (int(v.format(**values)) if isinstance(v, str) and v.startswith("{") else v) for k, v in payload.items()}


def _models():
    return [
        model
        for label in ("townships", "villages", "cadres", "assessments")
        for model in apps.get_app_config(label).get_models()
        if model._meta.label not in UNWATCHED
    ]


def _tables():
    return [(model._meta.label, model._meta.db_table, model._meta.pk.column) for model in _models()]


def counts():
    """Rows per table, in one query (the matrix asks after every request)."""
    qn = connection.ops.quote_name
    columns = ", ".join(f"(SELECT COUNT(*) FROM {qn(table)})" for _label, table, _pk in _tables())  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        return dict(zip([label for label, _t, _pk in _tables()], cursor.fetchone(), strict=True))


def rows(objects):
    return [type(o)._default_manager.filter(pk=o.pk).values().first() for o in objects]


def checksums():
    """Every row of every watched table, as one checksum per table: an md5 of the rows' text, in
    primary key order, computed by PostgreSQL (on SQLite, the rows themselves).

    A row's text (``row::text``) holds every column's value, so two checksums differ when any value
    of any row differs, or a row came or went: what comparing the rows themselves finds, without
    sending every row of every table to Python after every route."""
    qn = connection.ops.quote_name
    tables = _tables()
    result = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            rows_md5 = (
                "SELECT md5(COALESCE(string_agg(watched::text, E'\\n' ORDER BY watched.{pk}), '')) FROM {table} watched"
            )
            columns = ", ".join(f"({rows_md5.format(pk=qn(pk), table=qn(table))})" for _label, table, pk in tables)
            cursor.execute(f"SELECT {columns}")
            return dict(zip([label for label, _t, _pk in tables], cursor.fetchone(), strict=True))
        for label, table, pk in tables:
            cursor.execute(f"SELECT * FROM {qn(table)} ORDER BY {qn(pk)}")  # noqa: S608 (names from metadata)
            result[label] = cursor.fetchall()
    return result


def write_marks():
    """This transaction's write counters of every watched table (PostgreSQL), or None.

    PostgreSQL counts, per transaction, every row this connection inserted, updated or deleted
    (``pg_stat_get_xact_tuples_*``), attempts a savepoint rolled back included, so the counters
    only grow; a TRUNCATE gives the table a new file (``pg_relation_filenode``)."""
    if connection.vendor != "postgresql":
        return None
    tables = [table for _label, table, _pk in _tables()]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(ARRAY[pg_stat_get_xact_tuples_inserted(r), pg_stat_get_xact_tuples_updated(r), "
            "pg_stat_get_xact_tuples_deleted(r), pg_relation_filenode(r)::bigint] ORDER BY n) "
            "FROM unnest(%s::regclass[]) WITH ORDINALITY AS u(r, n)",
            [tables],
        )
        return cursor.fetchone()[0]


class Watch:
    """What the matrix compares around every request: the rows of every table and the rows the
    route aims at.

    Counting every table and reading the targets takes ~8 ms, twice for each of ~6,000 requests.
    A count or a row changes only by an INSERT, UPDATE, DELETE or TRUNCATE, and each moves the
    table's write marks (``write_marks``); every request is served in this process, on this
    connection (Django's test client, Celery eager), so its writes are this transaction's. The
    counts and rows are therefore read again whenever the marks moved since they were last read,
    and are the same as then when they did not: the comparison is the one of reading them every
    time. Without PostgreSQL they are read every time."""

    def __init__(self):
        self.marks, self.counts, self.rows = None, None, {}

    def read(self, targets):
        marks = write_marks()
        if marks is None or marks != self.marks:
            self.marks, self.counts, self.rows = marks, counts(), {}
        key = tuple((type(o), o.pk) for o in targets)
        if key not in self.rows:
            self.rows[key] = rows(targets)
        return self.counts, self.rows[key]


_NOISE = [
    (re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"'), b'name="csrfmiddlewaretoken" value=""'),
    (re.compile(rb'nonce="[^"]+"'), b'nonce=""'),
]


def body(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    for pattern, replacement in _NOISE:
        content = pattern.sub(replacement, content)
    return content


def send(client, method, path, payload, api):
    if method == "get":
        return client.get(path)
    if method == "delete":
        return client.delete(path)
    if api:
        return getattr(client, method)(path, payload, format="json")
    if method == "post":
        return client.post(path, payload)
    return getattr(client, method)(path)


@pytest.fixture
def world(db, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()  # the API's per-token throttle counts in the cache
    w = world_once("after commit", build_world_after_commit)  # the world's scoring runs, as after commit
    # Beat's alert computation, done up front: a landing page would otherwise store the alerts on
    # its first read (derived rows, not a user's write), which the matrix would report as a change.
    alerts_refresh_all()
    # The village login's pages are searched for these names: neither may be part of what it may see.
    assert w.village.name not in w.sister_village.name + w.a.name and w.b.name not in w.sister_village.name + w.a.name
    return w


def actors(w):
    """(actor, client, api) pairs: who knocks, on pages and on the API."""
    page_b, page_viewer, page_village = Client(), Client(), Client()
    page_b.force_login(w.staff_b)
    page_viewer.force_login(w.viewer)
    page_village.force_login(w.sister_staff)
    api_village = APIClient()
    api_village.force_login(w.sister_staff)  # a session: village logins are never issued tokens
    page_token = Client(HTTP_AUTHORIZATION=f"Token {factories.use_token(APIClient(), w.client_user)}")
    api_b, api_viewer, api_token = APIClient(), APIClient(), APIClient()
    factories.use_token(api_b, w.staff_b)
    factories.use_token(api_viewer, w.viewer)
    factories.use_token(api_token, w.client_user)
    return {
        False: [
            ("other township", page_b),
            ("other village", page_village),
            ("viewer", page_viewer),
            ("token", page_token),
            ("anonymous", Client()),
        ],
        True: [
            ("other township", api_b),
            ("other village", api_village),
            ("viewer", api_viewer),
            ("token", api_token),
            ("anonymous", APIClient()),
        ],
    }


def judge(actor, route, api, response, missing_response, name="", w=None):
    """Why this answer reveals something, or None."""
    status = response.status_code
    if actor == "other village":
        return judge_village(route, api, response, missing_response, name, w)
    if actor in ("anonymous", "token") and not api or actor == "anonymous":
        if 200 <= status < 300:
            return f"{status} with no login"
        if 300 <= status < 400 and not response["Location"].startswith(reverse("login")):
            return f"{status} to {response['Location']} with no login"
        if api and status not in (401, 403):
            return f"{status} (API, no credentials: 401 or 403 expected)"
        return None
    if actor == "other township" and route.kind == "A":
        # 404 as for a missing object; 405 (a method the route never takes) and 403 (a role
        # that never writes there: the API refuses township users' writes before any lookup)
        # only when a missing object gets that very answer too.
        if status not in (403, 404, 405):
            return f"{status} (404 expected, as for a missing object)"
        if (status, body(response)) != (missing_response.status_code, body(missing_response)):
            return "a different answer from a missing object's"
    return None


def judge_village(route, api, response, missing_response, name, w):
    """A village login of A2: the allowlist first, then scoping, then nothing of A1 or B shown."""
    status = response.status_code
    if api:
        return None if status in (403, 404) else f"{status} (API: a village login gets 403 or 404)"
    if not village_may_reach(name):
        return None if status == 404 else f"{status} (404 expected: not a village page)"
    if route.kind == "A":
        if status not in (403, 404, 405):
            return f"{status} (404 expected, as for a missing object)"
        if (status, body(response)) != (missing_response.status_code, body(missing_response)):
            return "a different answer from a missing object's"
        return None
    if 200 <= status < 300 and not response.streaming:
        shown = response.content.decode(errors="replace")
        for other in (w.village.name, w.b.name):
            if other in shown:
                return f"the page names {other}"
    return None


def test_isolation_matrix(world, figure):
    w = world
    clients = actors(w)
    page_payload, api_payload = _fill(PAGE_PAYLOAD, w), _fill(API_PAYLOAD, w)
    revealed, changed, n = [], [], 0
    watch = Watch()
    before_route = checksums()
    for name, route in ROUTES.items():
        for _actor, client in clients[False] + clients[True]:
            factories.renew_session_row(client)  # ~30 requests a route (tests/factories.py)
        api = name.startswith("api:")
        path = reverse(name, args=route.args(w))
        missing_path = reverse(name, args=route.args(w, missing=True)) if route.kind == "A" else None
        targets = route.targets(w)
        for actor, client in clients[api]:
            for method in METHODS:
                payload = api_payload if api else page_payload
                before = watch.read(targets)
                response = send(client, method, path, payload, api)
                n += 1
                after = watch.read(targets)
                if after != before:
                    changed.append(f"{actor} {method.upper()} {path}: {_diff(before, after)}")
                missing_response = None
                if missing_path and actor in ("other township", "other village"):
                    missing_response = send(client, method, missing_path, payload, api)
                    n += 1
                reason = judge(actor, route, api, response, missing_response, name, w)
                if reason:
                    revealed.append(f"{actor} {method.upper()} {path}: {reason}")
        after_route = checksums()
        if after_route != before_route:
            tables = sorted(t for t in before_route if before_route[t] != after_route[t])
            changed.append(f"{name}: rows changed in {tables}")
        before_route = after_route
    figure(
        "isolation",
        f"{len(revealed)} revealed, {len(changed)} changed, of {n} requests over {len(ROUTES)} routes",
    )
    assert not revealed, "\n".join(revealed)
    assert not changed, "\n".join(changed)


def _diff(before, after):
    (counts_before, rows_before), (counts_after, rows_after) = before, after
    tables = {t: (counts_before[t], counts_after[t]) for t in counts_before if counts_before[t] != counts_after[t]}
    return {"counts": tables, "target rows": rows_before != rows_after}
