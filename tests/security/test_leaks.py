"""Check 2 of issue 10: nothing of township A reaches township B's lists, searches, dashboards,
exports or API lists.

Township A's records carry sentinel values (a person's name and ID number, a village, an
organization, a meeting topic, a matter's title). Township B's staff, signed in and with
a token, fetch every page and export the URL table of check 1 lists (plainly, with
``?q=<sentinel>`` where the page has a search box or is an export, and with filters pointing at
township A), the landing page, and every
API list to its last page. Every workbook is opened and every cell read. Figure: 0 hits;
and B's counts are B's own (each list's total equals the county administrator's count
for township B; each API list's count equals the rows of township B in the database).
"""

import datetime
import io
import zipfile
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from cadres.identity import mask_id_number
from config.api_urls import router
from tests import factories

from .test_isolation import ROUTES
from .world import build_world_after_commit, world_once

SENTINELS = {
    "person": "泄漏哨兵甲",
    "village": "泄漏哨兵村",
    "organization": "泄漏哨兵支部",
    "topic": "泄漏哨兵会议",
    "matter": "泄漏哨兵事项",
}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(db, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()  # the API's per-token throttle counts in the cache
    w = world_once("after commit", build_world_after_commit)  # the world's scoring runs, as after commit
    id_number = factories.make_id_number(datetime.date(1983, 7, 19), 417, region="130181")
    w.person.name, w.person.id_number = SENTINELS["person"], id_number
    w.person.save()
    w.village.name = SENTINELS["village"]
    w.village.save()
    w.organization.name = SENTINELS["organization"]
    w.organization.save()
    w.meeting.topic = SENTINELS["topic"]
    w.meeting.save()
    w.matter.title = SENTINELS["matter"]
    w.matter.save()
    w.sentinels = [*SENTINELS.values(), id_number, mask_id_number(id_number)]
    return w


def _cells(content):
    """Every cell value of a workbook, as text; and the raw XML (inline and shared strings)."""
    texts = []
    workbook = load_workbook(io.BytesIO(content))
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows(values_only=True):
            texts.extend(str(value) for value in row if value is not None)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        texts.extend(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return texts


def _body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def _page_routes(w):
    """(name, path) of every page a township user might read: lists, exports, templates, county pages."""
    for name, route in ROUTES.items():
        if name.startswith("api:") or route.kind == "A":
            continue
        yield name, reverse(name, args=route.args(w))


def test_township_b_sees_nothing_of_township_a(world, figure):
    w = world
    page = Client()
    page.force_login(w.staff_b)
    api = APIClient()
    factories.use_token(api, w.staff_b)
    hits, pages, exports, api_lists = [], 0, 0, 0

    def scan(where, texts):
        for text in texts:
            for sentinel in w.sentinels:
                if sentinel in text:
                    hits.append(f"{where}: {sentinel}")

    toward_a = {"township": w.a.pk, "village": w.village.pk, "organization": w.organization.pk}
    for name, path in _page_routes(w):
        factories.renew_session_row(page)  # ~9 requests a route (tests/factories.py)
        queries = [{}, toward_a, {"year": 2026, "month": 4, **toward_a}]
        searched = [{"q": sentinel} for sentinel in w.sentinels]
        for query in queries:
            response = page.get(path, query, follow=True)
            if response.status_code != 200:
                continue
            content = _body(response)
            if not query and (name.endswith("export") or b'name="q"' in content):
                # A page with a search box, or an export (the list's filters): the loop goes on
                # to the searches appended here.
                queries += searched
            if response["Content-Type"].startswith(XLSX):
                exports += 1
                scan(f"{name} {query}", _cells(content))
            elif response["Content-Type"].startswith("text/html"):
                pages += 1
                text = content.decode()
                if "q" in query:  # the search box and the export link repeat what was typed: no leak
                    text = text.replace(f'value="{query["q"]}"', "").replace(f"q={quote(query['q'])}", "")
                scan(f"{name} {query}", [text])

    for _prefix, _viewset, basename in router.registry:
        for query in [{}, toward_a]:
            url = reverse(f"api:{basename}-list")
            response = api.get(url, query)
            while True:
                assert response.status_code in (200, 400), (url, query, response.status_code)
                if response.status_code != 200:
                    break
                api_lists += 1
                scan(f"api {basename} {query}", [response.content.decode()])
                following = response.json().get("next")
                if not following:
                    break
                response = api.get(following)

    figure("leaks", f"{len(hits)} hits in {pages} pages, {exports} exports, {api_lists} API lists")
    assert not hits, "\n".join(sorted(set(hits)))
    assert pages > 40 and exports > 15 and api_lists > 14


LISTS = [
    "village-list",
    "organization-list",
    "matter-list",
    "person-list",
    "member-list",
    "mobile-list",
    "post-list",
    "correction-list",
    "tenure-list",
    "meeting-list",
    "commitment-list",
    "inspection-list",
    "appraisal-list",
    "report-list",
    "score-list",
    "duty-township-list",
    "duty-village-list",
]


def _badge(response):
    """The total in a list page's title badge."""
    import re

    match = re.search(rb'<span class="badge text-bg-secondary">(\d+)</span>', response.content)
    assert match, response.content[:500]
    return int(match.group(1))


def test_township_b_counts_are_its_own(world):
    w = world
    staff, admin = Client(), Client()
    staff.force_login(w.staff_b)
    admin.force_login(w.admin)
    wrong = {}
    for name in LISTS:
        response = staff.get(reverse(name))
        assert response.status_code == 200, name
        if b"badge text-bg-secondary" not in response.content:
            continue
        own = _badge(admin.get(reverse(name), {"township": w.b.pk}))
        if _badge(response) != own:
            wrong[name] = (_badge(response), own)
    assert not wrong, wrong

    api = APIClient()
    factories.use_token(api, w.staff_b)
    for _prefix, viewset, basename in router.registry:
        model = viewset.base_queryset.model
        if model.scope_township_path != "township":
            continue  # county-wide rows (schemes, runs) or the township itself
        # What the endpoint lists of township B's (the surveys' endpoint lists surveys, not the 述职 ballots
        # the same table holds): the viewset's own queryset, unscoped, filtered to the township.
        own = viewset.base_queryset.filter(township=w.b).count()
        count = api.get(reverse(f"api:{basename}-list")).json()["count"]
        if count != own:
            wrong[basename] = (count, own)
    assert not wrong, wrong
