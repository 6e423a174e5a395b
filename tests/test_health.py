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


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body[:4] == b"\x00\x00\x01\x00"  # an ICO header: reserved 0, type 1 (icon)
