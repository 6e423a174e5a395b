from unittest import mock

import pytest


@pytest.mark.django_db
def test_healthy_embedded(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["database"]["ok"]


@pytest.mark.django_db
def test_an_unreachable_broker_answers_503(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == {"configured": True, "ok": False, "error": "ConnectionError"}


@pytest.mark.django_db
def test_a_database_failure_answers_503_without_details(client):
    with mock.patch("config.health.connection.cursor", side_effect=RuntimeError("secret dsn")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert "secret" not in response.content.decode()


def test_only_get_and_head(client):
    assert client.post("/healthz").status_code == 405
