"""Check 4 (issue 10): masking everywhere.

Every person of the security world (tests/security/world.py: the demo generators' people,
members, cadres, meetings, reports, scores) has an 18-digit ID number with a valid check digit
and an 11-digit mobile number. Every role without the reveal right — the county viewer, the
staff of the other township, the read-only API client, anonymous — reads every page and API
route of the resolver (the isolation check's table), every page and export reachable by
following links from them, every list searched with a full number as the query (the forms, bare
or grouped, taken in turns by the readers), and every API object; the roles with the right (the
county administrator, the township's own staff) read the same minus the reveal itself. Each
body — HTML, JSON, every cell of every exported workbook, any other download — is scanned for
any full ID number or mobile, also written with spaces or dashes. So are the application log
(captured at DEBUG for the whole test, requests, world building and tasks included), the
results of every Celery task that ran (the scoring runs over the secretaries) and what the runs
and the audit trail stored.

The one place a full number may appear is the audited reveal: the person page after
"显示完整" and the roster export with ?full=1, for the roles with the right, each
writing an AuditEvent.
"""

import io
import logging
import os
import re
import zipfile
from html import unescape
from urllib.parse import parse_qsl, quote, quote_plus, unquote, urlencode, urlsplit

import pytest
from celery.signals import task_postrun
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessments.models import ScoringChunk, ScoringRun
from cadres.identity import check_digit
from cadres.models import PartyMember, Person
from tests import factories
from townships.models import AuditEvent

from .test_isolation import ROUTES
from .world import build_world, world_once

pytestmark = pytest.mark.django_db

# An ID number or a mobile, digits possibly grouped by spaces or dashes (6-8-4, 3-4-4, …).
_SEP = r"[ \t\u00a0\u3000-]?"
ID_LIKE = re.compile(r"\d" + "".join(_SEP + r"\d" for _ in range(16)) + _SEP + r"[\dXx]")
PHONE_LIKE = re.compile(r"1" + "".join(_SEP + r"\d" for _ in range(10)))
# Pages per role followed from links beyond the route table (which already covers every route);
# MASKING_CRAWL_LIMIT=250 for a longer pass by hand.
CRAWL_LIMIT = int(os.environ.get("MASKING_CRAWL_LIMIT", "60"))
# API details fetched per list and role (every row is read in the list itself); MASKING_DETAILS=1000
# for every detail, by hand.
DETAILS_PER_LIST = int(os.environ.get("MASKING_DETAILS", "25"))
SKIP_LINKS = ("/static/", "/admin/", "/logout", "/api/docs", "/api/schema", "/media/")


class Scanner:
    """Finds full ID numbers and mobiles of the world's people in any text."""

    def __init__(self):
        people = Person.objects.values_list("id_number", "phone")
        self.ids = {number.upper() for number, _phone in people if number}
        self.phones = {phone for _number, phone in people if phone and len(phone) == 11}
        assert self.ids and self.phones
        self.responses = self.exports = 0
        self.hits = []

    def find(self, text):
        found = set()
        for match in ID_LIKE.finditer(text):
            number = re.sub(r"[^\dXx]", "", match.group()).upper()
            if number in self.ids:
                found.add(number)
        for match in PHONE_LIKE.finditer(text):
            number = re.sub(r"\D", "", match.group())
            if number in self.phones:
                found.add(number)
        # A number glued to other digits (a phone inside a longer run) is found too.
        digits = re.sub(r"[ \t\u00a0\u3000-]", "", text)
        found |= {p for p in self.phones if p in digits}
        return found

    def check(self, where, text):
        found = self.find(text)
        if found:
            self.hits.append(f"{where}: {sorted(found)[:3]}")
        return found


def body_text(response):
    """What a response shows: HTML or JSON text, every cell of a workbook, or the raw bytes."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if "spreadsheetml" in kind or content[:2] == b"PK":
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError):
            return content.decode("utf-8", "ignore"), False
        cells = [
            "" if value is None else str(value)
            for sheet in workbook.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
        ]
        workbook.close()
        # The raw XML too: a number kept only in a comment or a shared string table.
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            raw = " ".join(archive.read(name).decode("utf-8", "ignore") for name in archive.namelist())
        return "\n".join(cells) + "\n" + raw, True
    return content.decode("utf-8", "ignore"), False


def without_echoed_query(text, query):
    """A search page repeats the user's own query (the box, the sort and page links): not a leak."""
    encoded = {quote_plus(query), quote(query)}
    echoed = [f'value="{query}"', *(f"{param}={value}" for param in ("q", "search") for value in encoded)]
    for each in echoed:
        text = text.replace(each, "")
    return text


def links(text):
    for match in re.finditer(r'(?:href|data-href|data-url|action)="(/[^"#]*)"', text):
        url = unescape(match.group(1))
        if not url.startswith(SKIP_LINKS) and "full=1" not in url and "/reveal/" not in url:
            yield url


def normalized(url):
    parts = urlsplit(url)
    return parts.path + ("?" + urlencode(sorted(parse_qsl(parts.query))) if parts.query else "")


class Reader:
    """One role reading: every GET goes through here and is scanned."""

    def __init__(self, name, client, scanner, api_only=False):
        self.name, self.client, self.scanner, self.api_only = name, client, scanner, api_only
        self.seen = set()

    def get(self, url, query=None):
        cache.clear()  # the API's per-token throttle
        self.requests = getattr(self, "requests", 0) + 1
        if self.requests % factories.SESSION_ROW_REQUESTS == 0:
            factories.renew_session_row(self.client)
        response = self.client.get(url)
        text, is_export = body_text(response)
        self.scanner.responses += 1
        self.scanner.exports += is_export
        if query:
            text = without_echoed_query(text, query)
        self.scanner.check(f"{self.name} GET {url} ({response.status_code})", text)
        headers = str(dict(response.items()))
        if query:  # a redirect to the login page carries the query back in ?next=
            headers = without_echoed_query(unquote(unquote(headers)), query)
        self.scanner.check(f"{self.name} GET {url} headers", headers)
        return response, text

    def crawl(self, start):
        """Every start URL (the route table), then up to CRAWL_LIMIT pages found by links from
        them (at most three per path)."""
        queue = [link for url in dict.fromkeys(normalized(u) for u in start) for link in self.read(url)]
        per_path, followed = {}, 0
        while queue and followed < CRAWL_LIMIT:
            url = queue.pop(0)
            path = urlsplit(url).path
            if url in self.seen or per_path.get(path, 0) >= 3:
                continue
            per_path[path] = per_path.get(path, 0) + 1
            followed += 1
            queue.extend(self.read(url))

    def read(self, url):
        """GET ``url`` once; the links of an HTML page."""
        if url in self.seen:
            return []
        self.seen.add(url)
        response, text = self.get(url)
        if response.status_code == 200 and "html" in response.get("Content-Type", ""):
            return [normalized(link) for link in links(text)]
        return []


def world_urls(w):
    """Every route of the resolver that a GET can read, for an object of township A."""
    pages, api = [], []
    for name, route in ROUTES.items():
        if name == "person-reveal":
            continue
        url = reverse(name, args=route.args(w))
        (api if name.startswith("api:") else pages).append(url)
    return pages, api


def api_objects(reader):
    """Every object of every API list the role can read: list pages (every row, up to 200 a list)
    and the detail of the first DETAILS_PER_LIST of them — a detail is the list's row serialized
    again (or with more, as a scorecard's items), so a leak in one shows in the first few."""
    root, _text = reader.get("/api/v1/")
    if root.status_code != 200:
        return
    for list_url in root.json().values():
        path = urlsplit(list_url).path
        response, _text = reader.get(f"{path}?page_size=200")
        if response.status_code != 200:
            continue
        rows = [row for row in response.json().get("results", []) if "id" in row]
        for row in rows[:DETAILS_PER_LIST]:
            reader.get(f"{path}{row['id']}/")


def searches(reader, scanner, lists, grouped_number):
    """Each list searched with a full ID number and a mobile (pages filter by ``q``; the API lists
    also take ``search``): the number bare and the mobile grouped, or the other way round — the
    readers take turns, so every form is tried by readers with and without the right."""
    number, phone = sorted(scanner.ids)[0], sorted(scanner.phones)[0]
    if grouped_number:
        queries = [f"{number[:6]} {number[6:14]} {number[14:]}", phone]
    else:
        queries = [number, f"{phone[:3]}-{phone[3:7]}-{phone[7:]}"]
    for url in lists:
        for param in ("q", "search") if url.startswith("/api/") else ("q",):
            for query in queries:
                query_string = urlencode({param: query})
                reader.get(f"{url}?{query_string}", query=query)


@pytest.fixture
def task_results():
    """The return value of every Celery task run during the test (eager: in this process)."""
    results = []

    def record(sender=None, task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra):
        results.append((getattr(task, "name", str(sender)), args, retval, state))

    task_postrun.connect(record, weak=False)
    yield results
    task_postrun.disconnect(record)


@pytest.fixture
def world(monkeypatch, settings, tmp_path, caplog, task_results):
    caplog.set_level(logging.DEBUG)  # from the first line: world building and its scoring runs too
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    cache.clear()
    # Built once per process (tests/snapshot.py); a restored world replays its build's log records
    # and task results here, so they are scanned as when this test builds it.
    w = world_once("on_commit at once", build_world, records=caplog.handler, task_results=task_results)
    # A few people of our own with numbers chosen to look like what a leak would show.
    for i, birth in enumerate(["1975-03-09", "1988-12-31", "1990-07-04"]):
        first17 = f"41052{i}{birth.replace('-', '')}{10 + i:02d}{i * 2 + 1}"
        factories.PersonFactory(
            township=w.a, village=w.village, id_number=first17 + check_digit(first17), phone=f"1390000{i:04d}"
        )
    run_people_tasks(w)
    return w


def run_people_tasks(w):
    """Every Celery task that handles people, run through Celery (eagerly, in this process): a
    monthly, a quarterly and an annual run over the secretaries, and the township totals."""
    from django.core.exceptions import ValidationError

    from assessments.choices import RunKind
    from assessments.services import scoring_run_start
    from townships.tasks import refresh_all_township_totals, refresh_township_totals

    started = []
    candidates = [(RunKind.MONTHLY, 2026, month) for month in range(5, 0, -1)]
    candidates += [(RunKind.QUARTERLY, 2026, 1), (RunKind.ANNUAL, 2025, 0)]
    for kind, year, period in candidates:
        if kind == RunKind.MONTHLY and any(k == RunKind.MONTHLY for k, *_rest in started):
            continue
        try:
            scoring_run_start(
                actor=w.admin, county_id=w.county.pk, kind=kind, year=year, period=period, allow_missing=True
            )
        except ValidationError:
            continue
        started.append((kind, year, period))
    assert {kind for kind, *_rest in started} == {RunKind.MONTHLY, RunKind.QUARTERLY, RunKind.ANNUAL}, started
    refresh_township_totals.delay(w.a.pk)
    refresh_all_township_totals.delay()


def page_client(user):
    client = Client()
    client.force_login(user)
    return client


def token_client(user):
    return Client(HTTP_AUTHORIZATION=f"Token {factories.use_token(APIClient(), user)}")


# The readers: four without the reveal right, then two with it (for their own township's people).
READERS = ("viewer", "other township", "read-only token", "anonymous", "county admin", "own township")
WITHOUT_RIGHT = READERS[:4]


def reader_for(w, name, scanner):
    if name == "read-only token":
        return Reader(name, token_client(w.client_user), scanner, api_only=True)
    if name == "anonymous":
        return Reader(name, Client(), scanner)
    user = {"viewer": w.viewer, "other township": w.staff_b, "county admin": w.admin, "own township": w.staff_a}
    return Reader(name, page_client(user[name]), scanner)


@pytest.mark.parametrize("name", READERS)
def test_no_full_number_reaches_a_reader_outside_the_audited_reveal(world, caplog, task_results, figure, name):
    w = world
    scanner = Scanner()
    pages, api = world_urls(w)
    lists = [u for u in pages if u.endswith("/") and "/new/" not in u and not re.search(r"/\d+/", u)]
    api_lists = [u for u in api if re.fullmatch(r"/api/v1/[a-z-]+/", u)]
    reader = reader_for(w, name, scanner)
    reader.crawl(api if reader.api_only else pages + api)
    if name in ("viewer", "other township", "county admin"):
        # Every person's and member's page of township A, beyond those the crawl reaches by links.
        details = [
            reverse("person-detail", args=[pk])
            for pk in Person.objects.filter(township=w.a).values_list("pk", flat=True)
        ]
        details += [
            reverse("member-detail", args=[pk])
            for pk in PartyMember.objects.filter(township=w.a).values_list("pk", flat=True)
        ]
        for url in details:
            reader.read(url)
    api_objects(reader)
    searches(reader, scanner, api_lists if reader.api_only else lists + api_lists, READERS.index(name) % 2)
    if name == "viewer":
        # The full export is refused to a role without the right, and says nothing. (The other
        # township's staff have the right, for their own township: theirs is an audited reveal.)
        for export in ("member-export", "person-export", "mobile-export"):
            response, _text = reader.get(reverse(export) + "?full=1")  # scanned like every other answer
            if export == "member-export":
                assert response.status_code == 403, (reader.name, response.status_code)
    if name in WITHOUT_RIGHT:
        # The reveal itself is refused without the right: nothing shown, nothing recorded.
        reveal = reverse("person-reveal", args=[w.person.pk])
        cache.clear()
        response = reader.client.post(reveal)
        scanner.responses += 1
        scanner.check(f"{reader.name} POST {reveal} ({response.status_code})", body_text(response)[0])
        assert response.status_code in (302, 401, 403, 404), (reader.name, response.status_code)
    assert not AuditEvent.objects.filter(action="reveal").exists()
    scan_the_stored_and_logged(scanner, caplog, task_results)
    figure(
        f"masking ({name})",
        f"{len(scanner.hits)} unmasked of {scanner.responses} responses, {scanner.exports} exports, logs "
        f"({len(caplog.records)} records) and {len(task_results)} task results",
    )
    assert not scanner.hits, f"{len(scanner.hits)} full numbers outside the audited reveal:\n" + "\n".join(
        [h for h in scanner.hits if "headers" not in h][:40] + scanner.hits[:10]
    )


def scan_the_stored_and_logged(scanner, caplog, task_results):
    """The application log (the world's build and this test's requests), the Celery task results,
    what the runs and the audit trail stored."""
    log_text = (
        "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''} {r.args!r}" for r in caplog.records) + caplog.text
    )
    scanner.check("application log", log_text)
    assert task_results, "no Celery task ran: the scoring runs of the world should have"
    scanner.check("task results", repr(task_results))
    scanner.check("runs", repr(list(ScoringRun.objects.values("error", "left_out"))))
    scanner.check("chunks", repr(list(ScoringChunk.objects.values())))
    scanner.check("audit trail", repr(list(AuditEvent.objects.values("detail", "target_repr", "action"))))


def test_the_audited_reveal_is_the_one_place_a_full_number_appears(world):
    w = world
    scanner = Scanner()
    person = w.person
    admin = page_client(w.admin)
    reveal = reverse("person-reveal", args=[person.pk])
    response = admin.post(reveal)
    assert response.status_code == 200
    assert person.id_number in scanner.find(body_text(response)[0])  # the scan sees what a leak would show
    assert AuditEvent.objects.filter(action="reveal", actor=w.admin, target_id=str(person.pk)).count() == 1
    response = admin.get(reverse("member-export") + "?full=1")
    assert response.status_code == 200 and scanner.find(body_text(response)[0])
    assert AuditEvent.objects.filter(action="reveal", actor=w.admin).count() == 2
