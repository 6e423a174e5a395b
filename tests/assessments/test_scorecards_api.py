import json
import pickle

import pytest
from django.core.cache import cache, caches
from knox.models import AuthToken
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from assessments import services
from assessments.api.serializers import ScoreSerializer, score_rows, score_values
from assessments.api.views import ScorecardThrottle
from assessments.choices import RunKind
from assessments.demo import create_scheme
from assessments.models import Score, ScoreItem
from tests import factories

pytestmark = pytest.mark.django_db
YEAR, MONTH = 2026, 5


@pytest.fixture
def client_api(county, township, admin_user, django_capture_on_commit_callbacks):
    create_scheme(county=county, year=YEAR)
    for i in range(4):
        village = factories.village_with_secretary(township, f"卡{i}村")
        factories.MonthlyReportFactory(
            village=village,
            year=YEAR,
            month=MONTH,
            values=factories.report_values(satisfaction=70 + i, collective_income=10000 * i),
        )
    with django_capture_on_commit_callbacks(execute=True):  # the run computes once its start commits
        services.scoring_run_start(actor=admin_user, county_id=county.pk, kind=RunKind.MONTHLY, year=YEAR, period=MONTH)
    _instance, token = AuthToken.objects.create(user=factories.api_client_user(county))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api


def test_a_poller_gets_304_until_something_changes(client_api, admin_user, django_capture_on_commit_callbacks):
    first = client_api.get("/api/v1/scorecards/", {"year": YEAR, "period": MONTH})
    assert first.status_code == 200 and first.json()["count"] == 4
    etag, modified = first["ETag"], first["Last-Modified"]
    again = client_api.get("/api/v1/scorecards/", {"year": YEAR, "period": MONTH}, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and not again.content
    assert (
        client_api.get(
            "/api/v1/scorecards/", {"year": YEAR, "period": MONTH}, HTTP_IF_MODIFIED_SINCE=modified
        ).status_code
        == 304
    )
    # Another query is another ETag.
    assert client_api.get("/api/v1/scorecards/", {"year": YEAR}, HTTP_IF_NONE_MATCH=etag).status_code == 200
    item = ScoreItem.objects.filter(indicator__code="A09").first()
    with django_capture_on_commit_callbacks(execute=True):  # the scores' new generation, once committed
        services.score_override(actor=admin_user, item=item, points=20, reason="述职良好")
    changed = client_api.get("/api/v1/scorecards/", {"year": YEAR, "period": MONTH}, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_filters_by_rank_range_and_bounded_pages(client_api):
    top = client_api.get("/api/v1/scorecards/", {"year": YEAR, "period": MONTH, "rank_max": 2}).json()
    assert top["count"] == len([s for s in Score.objects.all() if s.rank_in_county <= 2])
    assert client_api.get("/api/v1/scorecards/", {"period": "May"}).status_code == 400
    assert client_api.get("/api/v1/scorecards/", {"page": 50}).status_code == 404


def test_each_token_is_rate_limited(client_api, monkeypatch):
    monkeypatch.setattr(ScorecardThrottle, "THROTTLE_RATES", {"scorecards": "2/min"})
    assert client_api.get("/api/v1/scorecards/").status_code == 200
    assert client_api.get("/api/v1/scorecards/").status_code == 200
    limited = client_api.get("/api/v1/scorecards/")
    assert limited.status_code == 429 and "Retry-After" in limited


def test_expired_and_revoked_tokens_are_refused(client_api, county):
    AuthToken.objects.all().delete()
    assert client_api.get("/api/v1/scorecards/").status_code == 401


def test_scorecards_filter_by_the_years_grade(client_api, county):
    from assessments.models import AnnualRating
    from townships.models import CountySetting

    CountySetting.objects.create(county=county, key="annual.min_months", value=1)  # one month scored here
    services.annual_rating_compute(county_id=county.pk, year=YEAR)
    grades = dict(AnnualRating.objects.filter(year=YEAR).values_list("village_id", "grade"))
    some_grade = next(iter(grades.values()))
    body = client_api.get("/api/v1/scorecards/", {"year": YEAR, "grade": some_grade}).json()
    assert body["count"] == sum(1 for g in grades.values() if g == some_grade)
    assert client_api.get("/api/v1/scorecards/", {"grade": "superb"}).status_code == 400


def test_the_lean_rows_are_the_serializers_body_to_the_byte(client_api):
    """The list is served from values() rows; its body must stay what ScoreSerializer gives."""
    # A total with trailing zeros and a vetoed score with its reason, so the formatting is exercised.
    Score.objects.filter(pk=Score.objects.order_by("pk").first().pk).update(total="1000", veto=True, veto_reason="否决")
    queryset = Score.objects.select_related("village", "township").order_by("pk")
    lean = score_rows(score_values(queryset))
    full = ScoreSerializer(queryset, many=True).data
    assert json.dumps(lean, ensure_ascii=False) == json.dumps(full, ensure_ascii=False)
    assert lean[0]["total"] == "1000.00" and lean[0]["veto"] is True


def test_a_page_seen_before_costs_no_query_and_a_change_is_seen_at_once(
    client_api, admin_user, django_assert_num_queries, django_capture_on_commit_callbacks
):
    params = {"year": YEAR, "period": MONTH}
    first = client_api.get("/api/v1/scores/", params).json()
    with django_assert_num_queries(0):  # token, page and ETag from the cache, under the scores' generation
        assert client_api.get("/api/v1/scores/", params).json() == first
    item = ScoreItem.objects.filter(indicator__code="A09").first()
    with django_capture_on_commit_callbacks(execute=True):  # the scores' new generation, once committed
        services.score_override(actor=admin_user, item=item, points=20, reason="述职良好")
    after = client_api.get("/api/v1/scores/", params).json()
    changed = {row["id"]: row["total"] for row in after["results"]}
    assert changed[item.score_id] != {row["id"]: row["total"] for row in first["results"]}[item.score_id]


class CacheSpy:
    """Records what the scores API reads from the cache: each key and the size of what came back."""

    def __init__(self, monkeypatch):
        self.reads = []
        backend = caches["default"]
        get, get_many = backend.get, backend.get_many

        def spy_get(key, default=None, version=None):
            value = get(key, default, version)
            self.reads.append((key, 0 if value is None else len(pickle.dumps(value))))
            return value

        def spy_get_many(keys, version=None):
            values = get_many(keys, version)
            self.reads += [(k, len(pickle.dumps(v))) for k, v in values.items()]
            return values

        monkeypatch.setattr(backend, "get", spy_get)
        monkeypatch.setattr(backend, "get_many", spy_get_many)

    def largest_read(self, but=()):
        return max((size for key, size in self.reads if not key.startswith(but)), default=0)


def test_a_not_modified_poll_reads_the_etag_and_never_the_page(client_api, monkeypatch):
    params = {"year": YEAR, "period": MONTH, "page_size": 500}
    first = client_api.get("/api/v1/scores/", params)
    assert first.status_code == 200 and len(first.content) > 1000
    spy = CacheSpy(monkeypatch)
    again = client_api.get("/api/v1/scores/", params, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    # Besides the token: the scores' generation and the page's ETag, a few bytes; the body is not loaded.
    assert spy.reads and spy.largest_read(but="api-token:") < 200, spy.reads


def test_a_page_served_from_the_cache_is_the_same_bytes_as_the_rendered_page(client_api):
    params = {"year": YEAR, "period": MONTH}
    first = client_api.get("/api/v1/scores/", params)
    hit = client_api.get("/api/v1/scores/", params)
    assert hit.status_code == 200 and hit.content == first.content
    assert hit["Content-Type"] == first["Content-Type"] == "application/json"
    assert hit["ETag"] == first["ETag"] and hit["Last-Modified"] == first["Last-Modified"]
    # And what DRF renders from the serializer's body, to the byte.
    queryset = Score.objects.select_related("village", "township").filter(year=YEAR, period=MONTH)
    rows = ScoreSerializer(queryset.order_by("-year", "-period", "rank_in_county", "id"), many=True).data
    expected = {"count": len(rows), "next": None, "previous": None, "results": rows}
    assert hit.content == JSONRenderer().render(expected, "application/json")


def test_a_conditional_request_after_the_page_expired_puts_it_back_in_the_cache(client_api, django_assert_num_queries):
    params = {"year": YEAR, "period": MONTH}
    first = client_api.get("/api/v1/scores/", params)
    etag = first["ETag"]
    client_api.get("/api/v1/scores/", params, HTTP_IF_NONE_MATCH=etag)  # the token is cached too
    for key in list(_page_keys()):
        cache.delete(key)  # the page's 60 s are over (the token and the generation are kept)
    assert client_api.get("/api/v1/scores/", params, HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_assert_num_queries(0):  # the 304 from the database refilled the cache
        assert client_api.get("/api/v1/scores/", params, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert client_api.get("/api/v1/scores/", params).content == first.content


def _redis():
    client = getattr(getattr(cache, "_cache", None), "get_client", None)
    if client is None:
        pytest.skip("needs Redis to list the cache's keys")
    return client()


def _page_keys():
    for raw in _redis().keys("*api-scores*"):
        yield raw.decode().split(":", 2)[-1]


def test_the_throttle_keeps_one_counter_per_user_and_window(client_api):
    client = _redis()
    for _ in range(3):
        assert client_api.get("/api/v1/scorecards/").status_code == 200
    keys = client.keys("*throttle*")
    assert len(keys) == 1, keys  # one window's counter, for the one client
    assert int(client.get(keys[0])) == 3  # an integer counted up, not a list of request times
    assert 0 < client.ttl(keys[0]) <= 3600  # it expires with its window (600/hour: an hour)
