"""`make run` serves the demo as a county sees it: DEBUG off, Chinese error pages, static files by WhiteNoise.

The Makefile's run environment is read from `make -n run` (what make would execute) and handed to a
fresh Django process, which must come up with DEBUG off, no https redirect, cookies a plain-http
browser keeps, and answer a missing page with the product's Chinese 404, not Django's technical page.
"""

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import django
django.setup()
from django.conf import settings
from django.test import Client
print(settings.DEBUG, settings.SECURE_SSL_REDIRECT, settings.SESSION_COOKIE_SECURE, settings.SECURE_HSTS_SECONDS)
response = Client().get("/no-such-page/", HTTP_HOST="127.0.0.1")
print(response.status_code, "页面不存在" in response.content.decode(), "URLconf" in response.content.decode())
"""


def run_environment():
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    line = next(line for line in dry_run.splitlines() if "runserver" in line)
    words = shlex.split(line.replace('"$(cat var/secret_key)"', "k" * 50))
    return dict(word.split("=", 1) for word in words if re.fullmatch(r"[A-Z_]+=.*", word))


def test_make_run_has_debug_off_plain_http_and_the_chinese_404(tmp_path):
    env = run_environment()
    assert env["DEBUG"] == "false"
    process_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    process_env |= env | {"DJANGO_SETTINGS_MODULE": "config.settings", "STATIC_ROOT": str(tmp_path)}
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=process_env, timeout=300
    )
    assert collected.returncode == 0
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=process_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    settings_line, page_line = result.stdout.split("\n")[:2]
    assert settings_line == "False False False 0"
    assert page_line == "404 True False"
