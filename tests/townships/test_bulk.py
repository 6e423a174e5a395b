"""``townships.bulk.copy_objects`` writes what ``bulk_create`` would (issue 11: imports by COPY)."""

import datetime

import pytest
from django.db import connection

from cadres.choices import Transition
from cadres.models import MembershipEvent, PartyMember, Person
from tests import factories
from townships.bulk import copy_objects, reserve_ids

pytestmark = pytest.mark.django_db


def _people(township, region):
    return [
        factories.PersonFactory.build(
            township=township,
            name=f"复制{i}",
            birth_date=datetime.date(1980, 1, 1 + i),
            id_number=factories.make_id_number(datetime.date(1980, 1, 1 + i), i, region=region),
            household_address="李家村\t3号\\后院\n东屋",
        )
        for i in range(3)
    ]


def _rows(queryset, *drop):
    return [{k: v for k, v in row.items() if k not in ("id", *drop)} for row in queryset.order_by("pk").values()]


def test_copy_objects_writes_the_rows_bulk_create_writes(township):
    by_bulk = Person.objects.bulk_create(_people(township, "410523"))
    by_copy = copy_objects(Person, _people(township, "410524"))
    assert all(p.pk and not p._state.adding for p in by_copy)
    left = _rows(Person.objects.filter(pk__in=[p.pk for p in by_bulk]), "id_number", "created_at", "updated_at")
    right = _rows(Person.objects.filter(pk__in=[p.pk for p in by_copy]), "id_number", "created_at", "updated_at")
    assert left == right and len(right) == 3
    assert Person.objects.get(pk=by_copy[0].pk).household_address == "李家村\t3号\\后院\n东屋"


def test_copied_objects_link_by_their_new_keys_and_keep_json(township, village):
    organization = factories.PartyOrganizationFactory(township=township, village=village)
    people = copy_objects(Person, _people(township, "410525"))
    members = copy_objects(
        PartyMember,
        [PartyMember(person=p, organization=organization, township=township, stage="full") for p in people],
    )
    detail = {"stage": "full", "source": "测试", "nested": [1, None, "二"]}
    copy_objects(
        MembershipEvent,
        [
            MembershipEvent(member=m, transition=Transition.REGISTER, on_date=datetime.date(2026, 1, 1), detail=detail)
            for m in members
        ],
    )
    assert [m.person.name for m in PartyMember.objects.filter(pk__in=[m.pk for m in members]).order_by("pk")] == [
        "复制0",
        "复制1",
        "复制2",
    ]
    assert {e.detail == detail for e in MembershipEvent.objects.filter(member__in=members)} == {True}


def test_reserved_ids_are_new_and_distinct(township):
    existing = Person.objects.bulk_create(_people(township, "410526"))
    ids = reserve_ids(Person, 5)
    assert len(set(ids)) == 5 and min(ids) > max(p.pk for p in existing)
    if connection.vendor == "postgresql":  # the sequence never gives a number twice
        assert not set(ids) & set(reserve_ids(Person, 5))


def test_a_column_named_after_an_sql_keyword_is_written(village):
    """MonthlyReport keeps its figures in a column called ``values``: the generated INSERT (SQLite)
    and COPY (PostgreSQL) quote every column name."""
    from assessments.models import MonthlyReport

    report = MonthlyReport(village=village, township=village.township, year=2026, month=3, values={"petitions": 2})
    copy_objects(MonthlyReport, [report])
    assert MonthlyReport.objects.get(pk=report.pk).values == {"petitions": 2}
