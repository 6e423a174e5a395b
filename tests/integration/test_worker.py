"""On PostgreSQL, Redis and a real Celery worker process."""

import time

import pytest
from django.db import connection, transaction

from config.celery import app
from tests import factories
from tests.integration.conftest import wait_for
from townships.models import Township
from villages.services import village_create

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_the_suite_really_runs_on_postgresql_and_redis(settings):
    assert connection.vendor == "postgresql"
    assert settings.REDIS_URL.startswith("redis://")
    assert app.conf.task_always_eager is False


def test_a_committed_change_is_picked_up_by_the_real_worker(celery_worker):
    admin = factories.county_admin(factories.CountyFactory())
    township = factories.TownshipFactory(county=admin.county)
    with transaction.atomic():
        village_create(actor=admin, township=township, name="石桥村", households=320, population=1100)
    refreshed = wait_for(lambda: Township.objects.filter(pk=township.pk, village_count=1, population=1100).exists())
    assert refreshed, "the worker did not refresh the township totals"


def test_nothing_is_enqueued_when_the_transaction_rolls_back(celery_worker):
    admin = factories.county_admin(factories.CountyFactory())
    township = factories.TownshipFactory(county=admin.county)
    factories.VillageFactory(township=township, population=500)  # created directly: totals still 0
    with pytest.raises(RuntimeError), transaction.atomic():
        village_create(actor=admin, township=township, name="回滚村", population=999)
        raise RuntimeError("abort")
    # Give a wrongly enqueued task ample time to run: the stored totals must stay untouched.
    time.sleep(3)
    township.refresh_from_db()
    assert township.village_count == 0 and township.totals_refreshed_at is None


def test_the_worker_is_configured_for_at_least_once_delivery():
    conf = app.conf
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert conf.broker_transport_options["visibility_timeout"] > conf.task_time_limit
    assert conf.task_serializer == "json" and conf.accept_content == ["json"]


def test_healthz_reports_database_and_broker(client):
    body = client.get("/healthz").json()
    assert body["status"] == "ok"
    assert body["database"]["vendor"] == "postgresql"
    assert body["broker"] == {"configured": True, "ok": True, "ms": body["broker"]["ms"]}
