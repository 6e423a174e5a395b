"""The production release, built as the README's production section says: DEBUG off,
``collectstatic`` with the manifest storage, gunicorn serving the pages, the static files and the API.

A county deploys exactly this; a vendored file that references a missing source map, a template
that only renders with DEBUG on, or a page whose static tag misses the manifest would all pass the
rest of the suite (which runs with DEBUG on) and fail here.
"""

import http.cookies
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest

from tests import factories
from tests.integration.conftest import ROOT, application_role, worker_env
from townships.tokens import token_issue

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

HOST = "township.example.org"
APP_ROLE = "release_app"
START_SECONDS = 60


def _free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A minimal client behind a TLS proxy: sends X-Forwarded-Proto and keeps the (Secure) cookies itself."""

    def __init__(self, base):
        self.base = base
        self.cookies = {}
        self.opener = urllib.request.build_opener(NoRedirect)

    def request(self, path, data=None, headers=None):
        headers = {
            "Host": HOST,
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{HOST}/accounts/login/",
            **(headers or {}),
        }
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(self.base + path, data=body, headers=headers)  # noqa: S310
        try:
            response = self.opener.open(request, timeout=30)
        except urllib.error.HTTPError as exc:
            response = exc
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, dict(response.headers), response.read()


@pytest.fixture
def release(tmp_path):
    """collectstatic and gunicorn with the production settings, on the test database, connected as
    an application role that does not own the tables (README, "Production": grant_app_role)."""
    from django.db import connection

    env = worker_env()
    application_role(APP_ROLE, login=True)
    owner = connection.settings_dict["USER"]
    env["DATABASE_URL"] = env["DATABASE_URL"].replace(f"postgres://{owner}@", f"postgres://{APP_ROLE}@", 1)
    env.update(
        DEBUG="false",
        SECRET_KEY="release-smoke-" + "k" * 50,
        ALLOWED_HOSTS=HOST,
        CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, f"collectstatic failed:\n{collected.stdout}\n{collected.stderr}"
    assert (tmp_path / "static" / "staticfiles.json").exists()
    port = _free_port()
    log = open(tempfile.mktemp(prefix="gunicorn-", suffix=".log"), "w+b")  # noqa: S306
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(base + "/healthz", timeout=2)  # noqa: S310
            break
        except urllib.error.HTTPError:
            break  # it answered (503 would still mean it is up)
        except OSError:
            time.sleep(0.3)
    yield base, log
    process.terminate()
    process.wait(timeout=30)
    log.close()


def _log_text(log):
    log.seek(0)
    return log.read().decode(errors="replace")[-4000:]


def test_the_release_builds_and_serves_pages_static_files_and_the_api(release):
    base, log = release
    county = factories.CountyFactory(name="发布县")
    township = factories.TownshipFactory(county=county, name="城关镇")
    factories.VillageFactory(township=township, name="李家村")
    factories.county_admin(county, username="release-admin")
    token = token_issue(actor=None, client_name="release-client", county=county)

    browser = Browser(base)
    status, _headers, body = browser.request("/accounts/login/")
    assert status == 200, _log_text(log)
    page = body.decode()
    # Static files come from the manifest (hashed names) and are served by WhiteNoise.
    stylesheet = re.search(r'href="(/static/vendor/bootstrap-5\.3\.9/bootstrap\.min\.[0-9a-f]{12}\.css)"', page)
    assert stylesheet, "the login page does not link the hashed stylesheet"
    status, headers, _css = browser.request(stylesheet.group(1))
    assert status == 200 and "immutable" in headers.get("Cache-Control", "")

    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, headers, _ = browser.request(
        "/accounts/login/", {"csrfmiddlewaretoken": csrf, "username": "release-admin", "password": "correct-horse-2026"}
    )
    assert status == 302, _log_text(log)
    assert "sessionid" in browser.cookies

    for path in [
        "/",
        "/townships/",
        "/villages/",
        "/villages/organizations/",
        "/records/members/",
        "/records/meetings/compliance/",
        "/records/alerts/",
        "/assessment/schemes/",
        "/assessment/reports/",
        "/assessment/scores/",
        "/assessment/ratings/",
        "/assessment/removal/",
        "/api/docs/",
    ]:
        status, _headers, body = browser.request(path)
        assert status == 200, f"{path} answered {status}:\n{_log_text(log)}"
        assert "李家村" in body.decode() or path not in ("/villages/",)

    api = Browser(base)
    status, _headers, body = api.request("/api/v1/villages/", headers={"Authorization": f"Token {token}"})
    assert status == 200, _log_text(log)
    assert b"\\u674e\\u5bb6\\u6751" in body or "李家村".encode() in body

    # The production headers (check 15): HSTS, no sniffing, no framing, the CSP, and no copy of
    # a signed-in page in any cache.
    status, headers, _body = browser.request("/villages/")
    assert status == 200
    assert "max-age=31536000" in headers["Strict-Transport-Security"]
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert "no-store" in headers["Cache-Control"]

    # A missing page is the product's 404, not a server error or a debug page.
    status, _headers, body = browser.request("/no-such-page/")
    assert status == 404 and b"Traceback" not in body
    assert "Internal Server Error" not in _log_text(log)


def test_collectstatic_refuses_a_reference_to_a_missing_file(tmp_path):
    """The check that caught the vendored source-map references: it must stay strict."""
    env = dict(os.environ, DEBUG="false", SECRET_KEY="x" * 50, ALLOWED_HOSTS=HOST, STATIC_ROOT=str(tmp_path / "s"))
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "broken.css").write_text("a{}\n/*# sourceMappingURL=broken.css.map */\n")
    code = (
        "import django, sys; from django.conf import settings; "
        f"settings.STATICFILES_DIRS.append({str(extra)!r}); django.setup(); "
        "from django.core.management import call_command; call_command('collectstatic', '--noinput', verbosity=0)"
    )
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0 and "broken.css.map" in result.stderr
