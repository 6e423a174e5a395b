"""Trust in the scores: bad input is refused and changes nothing, a vetoed score is last in every
ranking, late reports are scored, schemes are versioned, provisional totals, decisions with an
opinion, and ``score verify`` (DOMAIN §6)."""

import io
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db.models import F
from django.test import TestCase
from django.urls import reverse
from openpyxl import load_workbook
from rest_framework.test import APIClient

from assessments import services
from assessments.choices import RunKind, RunStatus, SchemeStatus, Target
from assessments.models import (
    Indicator,
    RemovalFlag,
    Scheme,
    Score,
    ScoreItem,
    ScoringRun,
)
from tests import factories
from tests.assessments.test_services import _approve_all, good_values
from townships.models import AuditEvent, CountySetting
from townships.services import county_settings_update

pytestmark = pytest.mark.django_db

YEAR, MONTH = 2026, 3


def _counts():
    """Row counts of everything a refused operation must leave alone."""
    return {
        model.__name__: model.objects.count()
        for model in (ScoringRun, Score, ScoreItem, AuditEvent, RemovalFlag, CountySetting, Scheme, Indicator)
    }


def _flag(township, state="flagged"):
    person = factories.PersonFactory(township=township)
    return RemovalFlag.objects.create(
        person=person,
        township=township,
        year=YEAR,
        state=state,
        incompetent_count=2 if state == "flagged" else 1,
        reason="连续 2 次考核不称职" if state == "flagged" else "1 次考核不称职",
        rated_years=[YEAR - 1, YEAR] if state == "flagged" else [YEAR],
    )


def _flag_row(flag):
    return RemovalFlag.objects.filter(pk=flag.pk).values("decision", "opinion", "decided_by", "decided_at").get()


def _submit(village, admin, month=MONTH, **overrides):
    report = services.report_save(actor=admin, village=village, year=YEAR, month=month, values=good_values(**overrides))
    return services.report_submit(actor=admin, report=report)


def _run(admin, county, month=MONTH, **kwargs):
    """Start a month's run as the county's request does: the run it queued computes once it commits
    (``TestCase.captureOnCommitCallbacks`` is the ``django_capture_on_commit_callbacks`` fixture)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = services.scoring_run_start(
            actor=admin, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=month, **kwargs
        )
    return run


def _score(village, month=MONTH):
    return Score.objects.get(village=village, year=YEAR, period=month, target=Target.VILLAGE_SECRETARY)


# --- 1. Bad input is refused, with a reason, and changes nothing ---------------------------


def test_a_removal_decision_without_an_opinion_is_refused_and_changes_nothing(township, admin_user):
    flag = _flag(township)
    before, row = _counts(), _flag_row(flag)
    for opinion in ("", "   ", None):
        with pytest.raises(ValidationError, match="请填写意见"):
            services.removal_decide(actor=admin_user, flag=flag, decision="agree", opinion=opinion)
    assert _counts() == before
    assert _flag_row(flag) == row
    assert row["decision"] == "" and row["decided_by"] is None


def test_a_removal_decision_must_be_agree_or_reject(township, admin_user):
    flag = _flag(township)
    before, row = _counts(), _flag_row(flag)
    with pytest.raises(ValidationError, match="同意调整"):
        services.removal_decide(actor=admin_user, flag=flag, decision="maybe", opinion="再看看")
    assert _counts() == before and _flag_row(flag) == row


def test_a_decided_flag_cannot_be_decided_again(township, admin_user):
    flag = _flag(township)
    services.removal_decide(actor=admin_user, flag=flag, decision="reject", opinion="已整改到位")
    before, row = _counts(), _flag_row(flag)
    with pytest.raises(ValidationError, match="不能再次决定") as caught:
        services.removal_decide(actor=admin_user, flag=flag, decision="agree", opinion="改为同意")
    assert "不予调整" in " ".join(caught.value.messages)  # names the decision that stands
    assert _counts() == before
    assert _flag_row(flag) == row
    assert row["decision"] == "reject" and row["opinion"] == "已整改到位"


def test_a_watch_list_entry_takes_no_decision(township, admin_user):
    flag = _flag(township, state="watch")
    before, row = _counts(), _flag_row(flag)
    with pytest.raises(ValidationError, match="警示名单"):
        services.removal_decide(actor=admin_user, flag=flag, decision="agree", opinion="同意")
    assert _counts() == before and _flag_row(flag) == row


def test_a_month_without_any_approved_report_is_not_scored(villages, admin_user, scheme, county):
    _submit(villages[0], admin_user)  # submitted, not approved: still no data
    before = _counts()
    with pytest.raises(ValidationError, match="没有已审核的月报"):
        _run(admin_user, county)
    with pytest.raises(ValidationError, match="没有已审核的月报"):
        _run(admin_user, county, allow_missing=True)  # the county's choice cannot score a month of nothing
    assert _counts() == before
    assert not ScoringRun.objects.exists() and not Score.objects.exists()


def test_a_month_with_reports_missing_is_scored_only_when_the_county_says_so(villages, admin_user, scheme, county):
    complete, waiting, silent = villages[:2], villages[2], villages[3]
    _approve_all(complete, admin_user)  # 2 of 4: the month is not complete, nothing starts by itself
    _submit(waiting, admin_user)
    assert not ScoringRun.objects.exists()
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        _run(admin_user, county)
    message = " ".join(caught.value.messages)
    assert "应报 4 个村" in message and "已审核 2 个" in message and "还有 2 个" in message
    assert _counts() == before

    run = _run(admin_user, county, allow_missing=True)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED
    assert (run.villages_expected, run.villages_scored) == (4, 2)
    assert {(v["village"], v["status"]) for v in run.left_out} == {(waiting.pk, "submitted"), (silent.pk, "missing")}
    assert {v["name"] for v in run.left_out} == {waiting.name, silent.name}
    assert set(Score.objects.values_list("village_id", flat=True)) == {v.pk for v in complete}
    assert not Score.objects.filter(village__in=[waiting, silent]).exists()


def test_an_unknown_tie_break_criterion_is_refused_and_nothing_is_stored(county, admin_user):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        county_settings_update(
            actor=admin_user,
            county=county,
            values={"grade.excellent_quota": 0.2, "grade.tie_break": "vote,luck"},  # one bad value saves none
        )
    assert "grade.tie_break" in caught.value.message_dict
    assert "luck" in " ".join(caught.value.messages)
    assert _counts() == before
    assert not CountySetting.objects.filter(county=county).exists()


def test_an_unknown_quota_rounding_is_refused_and_nothing_is_stored(county, admin_user):
    before = _counts()
    with pytest.raises(ValidationError) as caught:
        county_settings_update(actor=admin_user, county=county, values={"grade.quota_rounding": "xyz"})
    assert "xyz" in " ".join(caught.value.messages)
    assert _counts() == before
    assert not CountySetting.objects.filter(county=county).exists()


# --- 2. The API refuses with 400, and a veto is last in every ranking ----------------------


def test_the_api_refuses_a_month_13_with_400(admin_user, scheme, county):
    api = APIClient()
    api.force_authenticate(admin_user)
    before = _counts()
    response = api.post("/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": 13}, format="json")
    assert response.status_code == 400
    assert "月份应在 1 到 12 之间" in response.content.decode()
    assert _counts() == before


def test_the_api_asks_before_scoring_a_month_with_reports_missing(
    villages, admin_user, scheme, county, django_capture_on_commit_callbacks
):
    _approve_all(villages[:3], admin_user)
    api = APIClient()
    api.force_authenticate(admin_user)
    before = _counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": MONTH}, format="json")
    assert response.status_code == 400
    body = response.content.decode()
    assert "应报 4 个村" in body and "已审核 3 个" in body and "还有 1 个缺报或待审核" in body
    assert _counts() == before

    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/runs/", {"kind": "monthly", "year": YEAR, "period": MONTH, "allow_missing": True}, format="json"
        )
    assert response.status_code == 202
    run = ScoringRun.objects.get(pk=response.json()["id"])
    assert run.status == RunStatus.SUCCEEDED
    assert (run.villages_expected, run.villages_scored) == (4, 3)
    assert [v["village"] for v in run.left_out] == [villages[3].pk]


@pytest.fixture
def vetoed(villages, admin_user, scheme):
    """Every village loses 10 points on B01 (2 petitions × 5) except one, whose major accident fires B90:
    its total is the highest, and it must still come last."""
    clean, vetoed = villages[:3], villages[3]
    _approve_all(clean, admin_user, petitions=2)
    _approve_all([vetoed], admin_user, petitions=0, major_accidents=1)
    vetoed_score = _score(vetoed)
    clean_scores = [_score(v) for v in clean]
    assert vetoed_score.veto and "重特大安全事故" in vetoed_score.veto_reason
    assert not any(s.veto for s in clean_scores)
    assert all(vetoed_score.total == s.total + 10 for s in clean_scores)
    assert vetoed_score.rank_in_county == 4 and all(s.rank_in_county == 1 for s in clean_scores)
    return vetoed_score, clean_scores


def test_the_api_ordering_by_total_puts_a_vetoed_score_after_every_clean_one(admin_user, vetoed):
    vetoed_score, clean_scores = vetoed
    api = APIClient()
    api.force_authenticate(admin_user)
    results = api.get("/api/v1/scores/", {"ordering": "-total"}).json()["results"]
    assert [r["id"] for r in results][-1] == vetoed_score.pk
    assert {r["id"] for r in results[:-1]} == {s.pk for s in clean_scores}
    assert [r["veto"] for r in results] == [False, False, False, True]


def test_the_ranking_page_and_its_export_put_a_vetoed_score_after_every_clean_one(client, admin_user, vetoed):
    vetoed_score, clean_scores = vetoed
    client.force_login(admin_user)
    page = client.get(reverse("score-list") + "?sort=-total")
    assert page.status_code == 200
    html = page.content.decode()
    position = {s.pk: html.index(reverse("score-detail", args=[s.pk])) for s in [vetoed_score, *clean_scores]}
    assert all(position[vetoed_score.pk] > position[s.pk] for s in clean_scores)

    export = client.get(reverse("score-export") + "?sort=-total")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    header, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    village = header.index("村（社区）")
    veto = header.index("一票否决")
    assert [r[village] for r in rows][-1] == vetoed_score.village.name
    assert {r[village] for r in rows[:-1]} == {s.village.name for s in clean_scores}
    assert "重特大安全事故" in rows[-1][veto] and not any(r[veto] for r in rows[:-1])


# --- 3. A late report is scored ---------------------------------------------------------


def test_approving_a_late_report_scores_the_month_again(
    villages, admin_user, scheme, county, django_capture_on_commit_callbacks
):
    on_time, late = villages[:3], villages[3]
    _approve_all(on_time, admin_user)
    first = _run(admin_user, county, allow_missing=True)
    first.refresh_from_db()
    assert first.villages_scored == 3 and not Score.objects.filter(village=late).exists()

    report = _submit(late, admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=report, approve=True)

    runs = ScoringRun.objects.filter(kind=RunKind.MONTHLY, year=YEAR, period=MONTH).order_by("pk")
    assert runs.count() == 2
    again = runs.last()
    assert again.pk != first.pk and again.status == RunStatus.SUCCEEDED
    assert again.villages_scored == first.villages_scored + 1 == again.villages_expected
    assert again.left_out == []
    assert _score(late).run_id == again.pk
    assert Score.objects.filter(year=YEAR, period=MONTH).count() == 4


# --- 4. Scheme versions -----------------------------------------------------------------


def test_a_scored_scheme_is_locked_and_changes_go_into_a_new_version(client, villages, admin_user, scheme, county):
    _approve_all(villages, admin_user)
    scheme.refresh_from_db()
    assert scheme.status == SchemeStatus.LOCKED

    b01 = Indicator.objects.get(scheme=scheme, code="B01")
    before = _counts()
    with pytest.raises(ValidationError, match="生成新版本"):
        services.indicator_save(actor=admin_user, scheme=scheme, indicator=b01, params={"per_event": 6})
    assert _counts() == before
    assert Indicator.objects.get(pk=b01.pk).params == {"per_event": 5}

    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    assert (copy.version, copy.status, copy.based_on_id) == (2, SchemeStatus.DRAFT, scheme.pk)
    services.indicator_save(
        actor=admin_user, scheme=copy, indicator=copy.indicators.get(code="B01"), params={"per_event": 6}
    )
    services.scheme_activate(actor=admin_user, scheme=copy)

    _approve_all(villages, admin_user, month=MONTH + 1, petitions=1)  # the month completes and is scored
    april = _score(villages[0], MONTH + 1)
    march = _score(villages[0], MONTH)
    assert april.scheme.version == 2 and april.scheme_id == copy.pk
    assert march.scheme.version == 1 and march.scheme_id == scheme.pk
    assert set(Score.objects.filter(period=MONTH).values_list("scheme_id", flat=True)) == {scheme.pk}
    assert set(Score.objects.filter(period=MONTH + 1).values_list("scheme_id", flat=True)) == {copy.pk}
    # Version 2 deducts 6 per petition: 50 − 6 on B01.
    assert ScoreItem.objects.get(score=april, indicator__code="B01").points == Decimal(44)

    client.force_login(admin_user)
    assert "第 2 版" in client.get(reverse("score-detail", args=[april.pk])).content.decode()
    assert "第 1 版" in client.get(reverse("score-detail", args=[march.pk])).content.decode()


# --- 5. Provisional totals ------------------------------------------------------------------


def test_a_total_with_manual_items_waiting_is_provisional(client, villages, admin_user, scheme):
    _approve_all(villages, admin_user)
    manual = Indicator.objects.filter(scheme=scheme, method="manual")
    assert set(manual.values_list("code", flat=True)) == {"A09", "E01"}
    scores = Score.objects.filter(year=YEAR, period=MONTH)
    assert scores.count() == 4
    assert all(s.manual_pending == manual.count() for s in scores)

    score = _score(villages[0])
    client.force_login(admin_user)
    assert "暂定" in client.get(reverse("score-detail", args=[score.pk])).content.decode()

    a09 = ScoreItem.objects.get(score=score, indicator__code="A09")
    assert not a09.indicator.is_bonus and a09.points == 0
    services.score_override(actor=admin_user, item=a09, points=22, reason="述职报告质量较高")
    after = _score(villages[0])
    assert after.manual_pending == score.manual_pending - 1
    assert after.total == score.total + 22
    assert "暂定" in client.get(reverse("score-detail", args=[score.pk])).content.decode()  # E01 still waiting

    e01 = ScoreItem.objects.get(score=score, indicator__code="E01")
    services.score_override(actor=admin_user, item=e01, points=10, reason="创建省级示范村")
    final = _score(villages[0])
    assert final.manual_pending == 0
    assert final.total == score.total + 22 + 10  # bonus within the cap of 30
    assert "暂定" not in client.get(reverse("score-detail", args=[score.pk])).content.decode()
    # The other villages are still provisional.
    assert all(s.manual_pending == 2 for s in Score.objects.exclude(pk=score.pk))


# --- 6. Removal decisions through the page --------------------------------------------------


def test_the_county_admin_decides_a_flag_on_the_page(client, township, admin_user):
    flag = _flag(township)
    client.force_login(admin_user)
    response = client.post(
        reverse("removal-list"), {"flag": flag.pk, "decision": "reject", "opinion": "已整改到位，本次不予调整"}
    )
    assert response.status_code == 302
    flag.refresh_from_db()
    assert (flag.decision, flag.opinion, flag.decided_by) == ("reject", "已整改到位，本次不予调整", admin_user)
    assert flag.decided_at is not None
    event = AuditEvent.objects.get(action="approve", target_id=str(flag.pk))
    assert event.detail["removal_decision"] == "reject"


def test_township_staff_cannot_decide_a_flag(client, township, staff_user):
    flag = _flag(township)  # in the staff member's own township
    client.force_login(staff_user)  # logging in is audited: count after it
    before, row = _counts(), _flag_row(flag)
    response = client.post(reverse("removal-list"), {"flag": flag.pk, "decision": "agree", "opinion": "同意"})
    assert response.status_code == 403
    # Nothing changed but the audit trail, which records the refusal itself.
    assert _counts() == before | {"AuditEvent": before["AuditEvent"] + 1} and _flag_row(flag) == row
    assert AuditEvent.objects.filter(action="denied", actor=staff_user).count() == 1


def test_a_decision_without_an_opinion_on_the_page_says_why_and_changes_nothing(client, township, admin_user):
    flag = _flag(township)
    client.force_login(admin_user)  # logging in is audited: count after it
    before, row = _counts(), _flag_row(flag)
    response = client.post(
        reverse("removal-list"), {"flag": flag.pk, "decision": "agree", "opinion": "  "}, follow=True
    )
    assert response.redirect_chain and response.redirect_chain[-1][0] == reverse("removal-list")
    assert "请填写意见" in response.content.decode()
    assert _counts() == before and _flag_row(flag) == row


# --- 7. score verify ---------------------------------------------------------------------


def test_score_verify_finds_a_hand_edited_total(villages, admin_user, scheme, county):
    _approve_all(villages[:3], admin_user, petitions=1)
    _approve_all(villages[3:], admin_user, petitions=3, major_accidents=1)
    out = io.StringIO()
    call_command("score", "verify", str(YEAR), str(MONTH), stdout=out)
    assert "4 scores checked, 0 differences" in out.getvalue()
    assert out.getvalue().strip().endswith("0 differences.")

    corrupted = _score(villages[0])
    Score.objects.filter(pk=corrupted.pk).update(total=F("total") + 5)
    out = io.StringIO()
    with pytest.raises(CommandError, match="differences"):
        call_command("score", "verify", str(YEAR), str(MONTH), stdout=out)
    text = out.getvalue()
    assert (
        f"{villages[0].name} ({Target.VILLAGE_SECRETARY.label}): total stored {corrupted.total + 5}, recomputed {corrupted.total}"
        in text
    )
    assert re.fullmatch(r"[1-9]\d* differences\.", text.strip().splitlines()[-1])


def test_a_late_report_for_a_month_scored_under_version_1_is_scored_under_version_1(
    villages, admin_user, scheme, county, django_capture_on_commit_callbacks
):
    """Re-running a past period gives the result it gave then (DOMAIN §6): a new version activated
    afterwards takes effect from the next month, not for a late report of the month already scored."""
    on_time, late = villages[:3], villages[3]
    _approve_all(on_time, admin_user, petitions=1)
    _run(admin_user, county, allow_missing=True)
    before = {s.village_id: (s.scheme_id, s.total) for s in Score.objects.filter(period=MONTH)}
    assert {scheme_id for scheme_id, _total in before.values()} == {scheme.pk}

    copy = services.scheme_copy(actor=admin_user, scheme=scheme)
    services.indicator_save(
        actor=admin_user, scheme=copy, indicator=copy.indicators.get(code="B01"), params={"per_event": 6}
    )
    services.scheme_activate(actor=admin_user, scheme=copy)

    report = _submit(late, admin_user, petitions=1)
    with django_capture_on_commit_callbacks(execute=True):
        services.report_review(actor=admin_user, report=report, approve=True)
    assert ScoringRun.objects.filter(period=MONTH, status=RunStatus.SUCCEEDED).count() == 2
    after = {s.village_id: (s.scheme_id, s.total) for s in Score.objects.filter(period=MONTH)}
    assert {k: after[k] for k in before} == before  # the on-time villages keep version 1 and their totals
    assert after[late.pk][0] == scheme.pk
    assert ScoreItem.objects.get(score=_score(late), indicator__code="B01").points == Decimal(45)  # 50 − 1 × 5


def test_the_ranking_export_has_the_pages_columns_and_values(client, admin_user, vetoed, rf):
    """The export reads plain values (no model instances); its cells are the page's columns."""
    from assessments.views.scores import ranking_spec

    client.force_login(admin_user)
    export = client.get(reverse("score-export") + "?sort=-total")
    header, *rows = [list(r) for r in load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True)]
    request = rf.get("/")
    request.user = admin_user
    spec = ranking_spec(request)
    assert header == [str(c.label) for c in spec.columns]
    scores = Score.objects.with_clean().select_related("village", "township", "person", "scheme")
    # The page's own values ("" reads back from a workbook as an empty cell).
    expected = [[c.value(s) if c.value(s) != "" else None for c in spec.columns] for s in scores]
    assert sorted(map(str, rows)) == sorted(map(str, expected)) and len(rows) == 4
