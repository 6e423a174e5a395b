"""Check 3 of issue 10: a township user cannot set what is not theirs to set.

Through every form a township user fills on their own records (the form as the page
renders it, so the legitimate part of the request is valid and saves) and the API's
write endpoints, township A's staff add fields they must not set: the township (to
township B), a report's status (approved), who reviewed or saved it, score totals, and
their own account's role and staff flags. After each request the rows are read back.
Figure: 0 accepted of n attempts (an attempt: one protected field sent to one endpoint).
"""

import datetime

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from assessments.choices import ReportStatus
from assessments.models import MonthlyReport
from tests import factories
from townships.choices import Role

from .world import build_world_after_commit, world_once


@pytest.fixture
def world(db, monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    cache.clear()
    return world_once("after commit", build_world_after_commit)  # the world's scoring runs, as after commit


def protected(w):
    """Field → the value a township user of A must not be able to set."""
    return {
        "township": w.b.pk,
        "township_id": w.b.pk,
        "county": w.county.pk + 1000,
        "status": ReportStatus.APPROVED,
        "reviewed_by": w.admin.pk,
        "saved_by": w.admin.pk,
        "approved_by": w.admin.pk,
        "total": "999",
        "points": "999",
        "is_late": "",
        "is_staff": "on",
        "is_superuser": "on",
        "role": Role.COUNTY_ADMIN,
        "is_active": "",
    }


def _form_data(response):
    """The form's fields as the page rendered them (initial values), ready to post back."""
    form = response.context["form"]
    data = {}
    for bound in form:
        value = bound.value()
        if value is None or value is False:
            continue
        if value is True:
            value = "on"
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        elif isinstance(value, datetime.date):
            value = value.isoformat()
        data[bound.html_name] = value
    return data


def _violations(w, obj, fields):
    """Protected fields whose value took: on the target row and on the user's own account."""
    found = []
    if obj is not None:
        obj.refresh_from_db()
        if "township" in fields and getattr(obj, "township_id", w.a.pk) == w.b.pk:
            found.append("township")
        if isinstance(obj, MonthlyReport):
            if obj.status == ReportStatus.APPROVED:
                found.append("status")
            if obj.reviewed_by_id is not None:
                found.append("reviewed_by")
            if obj.saved_by_id == w.admin.pk:
                found.append("saved_by")
    user = type(w.staff_a)._default_manager.get(pk=w.staff_a.pk)
    if user.is_staff or user.is_superuser or user.role != Role.TOWNSHIP_STAFF or user.township_id != w.a.pk:
        found.append("account flags")
    if not user.is_active:
        found.append("is_active")
    return found


def test_township_user_cannot_set_protected_fields(world, figure):
    w = world
    page = Client()
    page.force_login(w.staff_a)
    extra = protected(w)
    attempts, accepted, saved, unsaved, refused = 0, [], 0, [], []

    # Forms a township user fills on the township's own records (update forms post back what
    # they render, so the request is valid; the report form saves a draft).
    forms = [
        ("village-update", [w.village.pk], lambda: w.village),
        ("organization-update", [w.organization.pk], lambda: w.organization),
        ("person-update", [w.person.pk], lambda: w.person),
        ("report-form", [w.village.pk, 2026, 11], lambda: w.report_draft),
        ("report-form", [w.village.pk, 2026, 10], None),
        ("password_change", [], None),
    ]
    for name, args, target in forms:
        url = reverse(name, args=args)
        shown = page.get(url)
        assert shown.status_code == 200, (name, shown.status_code)
        data = _form_data(shown)
        if name == "password_change":
            data |= {"old_password": factories.TEST_PASSWORD, "new_password1": "Another-horse-2026!", "new_password2": "Another-horse-2026!"}  # fmt: skip
        if name == "report-form" and args[-1] == 10:
            data |= dict.fromkeys(factories.report_values(), "0") | {"submit": "1"}
        response = page.post(url, data | extra)
        assert response.status_code < 500, (name, response.status_code)
        if response.status_code == 302:
            saved += 1
        elif "township" in response.context["form"].errors:
            refused.append(name)  # a township choice of the user's own townships: B is refused there
        else:
            errors = response.context["form"].errors if response.context and "form" in response.context else ""
            unsaved.append(f"{name}: {response.status_code} {errors}")
        if name == "password_change":
            w.staff_a.refresh_from_db()  # a changed password ends the sessions signed in before
            page.force_login(w.staff_a)
        obj = target() if target else MonthlyReport.objects.filter(village=w.village, year=2026, month=10).first()
        attempts += len(extra)
        accepted += [f"{name}: {field}" for field in _violations(w, obj, extra)]

    # The API: a township user files reports (POST /reports/) and submits them.
    api = APIClient()
    factories.use_token(api, w.staff_a)
    body = {"village": w.village.pk, "year": 2026, "month": 9, "values": factories.report_values()}
    response = api.post("/api/v1/reports/", body | extra, format="json")
    assert response.status_code == 201, response.content
    saved += 1
    attempts += len(extra)
    created = MonthlyReport.objects.get(village=w.village, year=2026, month=9)
    accepted += [f"POST /api/v1/reports/: {field}" for field in _violations(w, created, extra)]

    response = api.post(f"/api/v1/reports/{created.pk}/submit/", extra, format="json")
    assert response.status_code == 200, response.content
    saved += 1
    attempts += len(extra)
    accepted += [f"POST /api/v1/reports/submit/: {field}" for field in _violations(w, created, extra)]
    assert created.status == ReportStatus.SUBMITTED

    # Endpoints the township user may not write at all: score totals, runs, review.
    for method, url in [
        ("patch", f"/api/v1/scores/{w.score.pk}/"),
        ("put", f"/api/v1/scores/{w.score.pk}/"),
        ("patch", f"/api/v1/reports/{w.report_submitted.pk}/"),
        ("post", "/api/v1/runs/"),
    ]:
        total = type(w.score)._default_manager.get(pk=w.score.pk).total
        response = getattr(api, method)(url, extra | {"kind": "monthly", "year": 2026, "period": 5}, format="json")
        attempts += len(extra)
        if 200 <= response.status_code < 300:
            accepted.append(f"{method.upper()} {url}: {response.status_code}")
        if type(w.score)._default_manager.get(pk=w.score.pk).total != total:
            accepted.append(f"{method.upper()} {url}: total")
        accepted += [f"{method.upper()} {url}: {field}" for field in _violations(w, w.report_submitted, extra)]

    page_review = page.post(reverse("report-detail", args=[w.report_submitted.pk]), {"approve": "1"} | extra)
    attempts += len(extra)
    assert page_review.status_code in (403, 404, 405), page_review.status_code
    accepted += [f"report-detail: {field}" for field in _violations(w, w.report_submitted, extra)]

    figure(
        "protected fields",
        f"{len(accepted)} accepted of {attempts} attempts ({saved} requests saved their legitimate part)",
    )
    assert not accepted, accepted
    assert not unsaved and saved + len(refused) == 8, (
        unsaved,
        refused,
    )  # every form and API call above saved what it legitimately could
