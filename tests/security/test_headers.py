"""Headers that keep personal data out of caches and scripts out of pages (issue 10)."""

import pathlib
import re

import pytest
from django.conf import settings
from django.urls import reverse
from rest_framework.test import APIClient

from tests import factories

TEMPLATES = pathlib.Path(settings.BASE_DIR) / "templates"


@pytest.fixture
def member(township, village):
    return factories.PartyMemberFactory(
        organization=factories.PartyOrganizationFactory(township=township, village=village)
    )


def no_store(response):
    return "no-store" in response.get("Cache-Control", "")


def test_reveal_person_pages_and_exports_are_never_stored(client, admin_user, member):
    client.force_login(admin_user)
    person = member.person
    responses = {
        "reveal": client.post(reverse("person-reveal", args=[person.pk])),
        "person": client.get(reverse("person-detail", args=[person.pk])),
        "member": client.get(reverse("member-detail", args=[member.pk])),
        "person list": client.get(reverse("person-list")),
        "member export": client.get(reverse("member-export")),
        "person export": client.get(reverse("person-export")),
    }
    for name, response in responses.items():
        assert response.status_code == 200, name
        assert no_store(response), (name, response.get("Cache-Control"))
        assert "private" in response["Cache-Control"], name


def test_people_and_members_api_are_never_stored(admin_user, member):
    api = APIClient()
    factories.use_token(api, admin_user)
    for path in ("/api/v1/people/", f"/api/v1/people/{member.person.pk}/", "/api/v1/members/"):
        response = api.get(path)
        assert response.status_code == 200, path
        assert no_store(response), path


def test_every_dynamic_response_says_how_it_may_be_cached(client, staff_user):
    """Signed in or not, a page or a redirect: none leaves caching to the browser's guess."""
    anonymous = [client.get(reverse("login")), client.get(reverse("home")), client.get("/api/v1/")]
    client.force_login(staff_user)
    signed_in = [client.get(reverse("home")), client.get(reverse("village-list")), client.get("/no-such-page/")]
    for response in anonymous + signed_in:
        assert response.has_header("Cache-Control"), response
    for response in signed_in:
        assert no_store(response), response


def test_static_files_keep_their_own_caching(client, admin_user):
    """WhiteNoise answers static files before our middleware: no no-store there."""
    client.force_login(admin_user)
    response = client.get(settings.STATIC_URL + "js/confirm.js")
    if response.status_code == 200:  # served by WhiteNoise in tests only with finders on
        assert not no_store(response)


def test_every_page_sends_a_content_security_policy_without_inline_script(client, admin_user):
    client.force_login(admin_user)
    policy = client.get(reverse("home"))["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"]
    assert "unsafe-eval" not in policy
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert client.get(reverse("login")).has_header("Content-Security-Policy")


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"javascript:", re.I)
STYLE_ELEMENT = re.compile(r"<style\b[^>]*>", re.I)


def test_no_template_has_inline_script_or_event_handlers():
    """What the CSP would block: an inline <script>, an onclick="…", a javascript: URL, a <style> element."""
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, JAVASCRIPT_URL, STYLE_ELEMENT):
            offenders += [f"{path.relative_to(TEMPLATES)}: {m.group(0)}" for m in pattern.finditer(text)]
    assert offenders == []


def test_api_docs_load_their_script_from_a_file(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("api-docs"))
    assert response.status_code == 200
    assert INLINE_SCRIPT.search(response.content.decode()) is None
