import hashlib
import io

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from townships.choices import Role
from townships.models import County, Township, User
from villages.choices import ALLOWED_PARENT_KINDS, OrganizationKind
from villages.models import PartyOrganization, Village

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def development(settings):
    # pytest-django runs with DEBUG off; the loader is a development tool.
    settings.DEBUG = True


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def digest():
    names = list(Township.objects.order_by("pk").values_list("name", flat=True))
    names += list(Village.objects.order_by("pk").values_list("name", "population"))
    names += list(PartyOrganization.objects.order_by("pk").values_list("name", "kind"))
    return hashlib.sha256(repr(names).encode()).hexdigest()


def wipe():
    call_command("flush", interactive=False, verbosity=0)


def test_the_default_county_has_about_eighteen_townships_and_three_hundred_villages():
    output = load("--without-assessment")
    assert County.objects.count() == 1
    assert Township.objects.count() == 18
    assert 250 <= Village.objects.count() <= 350
    assert {"乡", "镇", "街道"} <= {t.get_kind_display() for t in Township.objects.all()}
    assert "demo2026" in output and "town18" in output


# These tests wipe the database between two loads: flushing needs real transactions on PostgreSQL.
@pytest.mark.django_db(transaction=True)
def test_same_seed_same_data_and_another_seed_differs():
    load("--townships", "3", "--villages-per-township", "6", "--seed", "7", "--without-assessment")
    first = digest()
    wipe()
    load("--townships", "3", "--villages-per-township", "6", "--seed", "7", "--without-assessment")
    assert digest() == first
    wipe()
    load("--townships", "3", "--villages-per-township", "6", "--seed", "8", "--without-assessment")
    assert digest() != first


def test_the_tree_respects_the_parent_rules_and_covers_every_village():
    load("--townships", "4", "--villages-per-township", "12", "--without-assessment")
    for org in PartyOrganization.objects.select_related("parent"):
        assert (org.parent.kind if org.parent else None) in ALLOWED_PARENT_KINDS[org.kind]
        if org.parent:
            assert org.parent.township_id == org.township_id
    covering = {OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH, OrganizationKind.COMMITTEE}
    for village in Village.objects.all():
        own = PartyOrganization.objects.filter(village=village, kind__in=covering, parent__village__isnull=True).count()
        joint = village.joint_organizations.count()
        assert own + joint == 1, village.name
    assert PartyOrganization.objects.filter(kind=OrganizationKind.GROUP).exists()


def test_demo_users_follow_the_township_order_and_log_in():
    load("--townships", "5", "--villages-per-township", "3", "--without-assessment")
    townships = list(Township.objects.order_by("sort_key", "name"))
    for index, township in enumerate(townships, start=1):
        user = User.objects.get(username=f"town{index:02d}")
        assert (user.role, user.township_id) == (Role.TOWNSHIP_STAFF, township.pk)
    assert User.objects.get(username="county").role == Role.COUNTY_ADMIN
    assert User.objects.get(username="viewer").role == Role.COUNTY_VIEWER
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="town03", password="demo2026") is not None


def test_if_empty_is_a_no_op_the_second_time():
    load("--townships", "2", "--villages-per-township", "3", "--without-assessment")
    counts = (
        Township.objects.count(),
        Village.objects.count(),
        PartyOrganization.objects.count(),
        User.objects.count(),
    )
    output = load("--if-empty")
    assert "already has data" in output
    assert counts == (
        Township.objects.count(),
        Village.objects.count(),
        PartyOrganization.objects.count(),
        User.objects.count(),
    )
    with pytest.raises(CommandError):
        load()


def test_it_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        load("--townships", "1", "--villages-per-township", "2", "--without-assessment")
    assert not County.objects.exists()
    load("--townships", "1", "--villages-per-township", "2", "--force", "--without-assessment")
    assert County.objects.count() == 1


def test_totals_are_filled():
    load("--townships", "2", "--villages-per-township", "4", "--without-assessment")
    for township in Township.objects.all():
        assert township.village_count == township.villages.count()
        assert township.population == sum(township.villages.values_list("population", flat=True))


@pytest.mark.django_db(transaction=True)
def test_registry_queries_do_not_grow_with_villages():
    with CaptureQueriesContext(connection) as small:
        load("--townships", "3", "--villages-per-township", "6", "--registry-only")
    wipe()
    with CaptureQueriesContext(connection) as large:
        load("--townships", "3", "--villages-per-township", "24", "--registry-only")
    # Bulk inserts: a few queries per stage, not one per village (24 villages ≈ 150 organizations).
    assert len(large.captured_queries) <= len(small.captured_queries) + 10


def test_records_are_inserted_in_batches_not_row_by_row():
    from cadres.models import Meeting, MembershipEvent, PartyMember, Person

    with CaptureQueriesContext(connection) as ctx:
        load("--townships", "3", "--villages-per-township", "12", "--without-assessment")
    rows = (
        Person.objects.count() + PartyMember.objects.count() + MembershipEvent.objects.count() + Meeting.objects.count()
    )
    assert rows > 2000
    assert len(ctx.captured_queries) < rows / 20


def test_the_demo_assessment_scores_rates_and_flags():
    from assessments.models import AnnualRating, RemovalFlag, Score, ScoringRun

    load("--townships", "3", "--villages-per-township", "6")
    assert ScoringRun.objects.exclude(status="succeeded").count() == 0
    assert Score.objects.exists()
    from django.utils import timezone

    assert AnnualRating.objects.filter(year=timezone.localdate().year - 1).exists()
    states = set(RemovalFlag.objects.values_list("state", flat=True))
    assert states == {"flagged", "watch"}
