import hashlib
import io
import random
from collections import Counter

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from townships import demo_names
from townships.choices import Role, TownshipKind
from townships.models import County, Township, User
from villages import demo
from villages.choices import ALLOWED_PARENT_KINDS, OrganizationKind, VillageKind
from villages.models import PartyOrganization, Village

pytestmark = pytest.mark.django_db

COVERING = {OrganizationKind.BRANCH, OrganizationKind.GENERAL_BRANCH, OrganizationKind.COMMITTEE}


@pytest.fixture(autouse=True)
def development(settings):
    # pytest-django runs with DEBUG off; the loader is a development tool.
    settings.DEBUG = True


def load(*args):
    out = io.StringIO()
    call_command("load_demo", *args, stdout=out)
    return out.getvalue()


def digest():
    rows = list(Township.objects.order_by("pk").values_list("name", "kind", "division_code"))
    rows += list(Village.objects.order_by("pk").values_list("name", "division_code", "population", "showcase_type"))
    rows += list(PartyOrganization.objects.order_by("pk").values_list("name", "kind", "parent__name", "term_start"))
    rows += list(PartyOrganization.joint_villages.through.objects.order_by("pk").values_list("village__name"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


def wipe():
    call_command("flush", interactive=False, verbosity=0)


def own_organization(village):
    """The village's own top organization (directly under the township committee), if any."""
    return PartyOrganization.objects.filter(village=village, kind__in=COVERING, parent__village__isnull=True)


# --- Sizes -----------------------------------------------------------------------


# Each size is loaded once and every check that reads it runs on that load (issue 19): the checks
# are functions, the test loads and calls them.


def test_the_default_county_once():
    output = load("--registry-only")
    check_eighteen_townships_of_twelve_to_twenty_two_villages(output)
    check_village_statistics_are_plausible()


def check_eighteen_townships_of_twelve_to_twenty_two_villages(output):
    assert County.objects.get().name == "青山县"
    assert Township.objects.count() == 18
    per_township = Counter(Village.objects.values_list("township_id", flat=True))
    assert all(12 <= n <= 22 for n in per_township.values()), per_township
    assert len(set(per_township.values())) > 3  # they vary
    assert 250 <= Village.objects.count() <= 350
    kinds = Counter(Township.objects.values_list("kind", flat=True))
    assert kinds == {TownshipKind.SUBDISTRICT: 2, TownshipKind.TOWN: 11, TownshipKind.TOWNSHIP: 5}
    assert "demo2026" in output and "town18" in output and "乡镇党建办人员" in output


def test_a_custom_size_gives_exactly_that_many_townships_and_villages():
    load("--townships", "3", "--villages-per-township", "4", "--registry-only")
    assert Township.objects.count() == 3
    assert sorted(Counter(Village.objects.values_list("township_id", flat=True)).values()) == [4, 4, 4]
    for township in Township.objects.all():
        top = PartyOrganization.objects.get(township=township, parent=None)
        assert (top.name, top.kind) == (f"中共{township.name}委员会", OrganizationKind.COMMITTEE)


def test_several_counties_are_reported_one_by_one_and_only_the_first_gets_logins():
    output = load("--counties", "2", "--townships", "2", "--villages-per-township", "3", "--registry-only")
    assert "[1/2] 青山县" in output and "[2/2]" in output
    first, second = County.objects.order_by("pk")
    assert first.name == "青山县" and second.name != "青山县"
    assert User.objects.filter(role=Role.TOWNSHIP_STAFF).count() == 2
    assert not User.objects.filter(county=second).exists()


@pytest.mark.parametrize(
    "args",
    [
        ["--townships", "0"],
        ["--villages-per-township", "1000"],
        ["--counties", "-1"],
        ["--preset", "country"],
        ["--seed", "abc"],
    ],
)
def test_it_refuses_a_bad_size(args):
    with pytest.raises(CommandError):
        load(*args, "--registry-only")
    assert not County.objects.exists()


# --- Determinism -----------------------------------------------------------------


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


@hypothesis_settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(min_value=0, max_value=2**32))
def test_names_are_distinct_at_province_scale_for_any_seed(seed):
    rng = random.Random(seed)
    counties = demo.county_names(rng, 90)
    assert counties[0] == "青山县" and len(set(counties)) == 90
    assert all(name.endswith("县") for name in counties)
    kinds = demo.township_kinds(17)
    for _county in counties[:5]:
        townships = demo.township_names(rng, kinds)
        assert len(set(townships)) == 17
    for kind in TownshipKind:
        villages = [name for name, _kind in demo.village_names(rng, kind, demo.Size.MAX_VILLAGES)]
        assert len(set(villages)) == demo.Size.MAX_VILLAGES
        assert not any(unfit in name for name in villages for unfit in demo_names.UNFIT)


def test_name_functions_repeat_for_a_seed():
    def names(seed):
        rng = random.Random(seed)
        return demo.county_names(rng, 30), demo.township_names(rng, demo.township_kinds(18))

    assert names(5) == names(5)
    assert names(5) != names(6)


# --- The registry's shape --------------------------------------------------------


def test_townships_are_mostly_towns_with_subdistricts_first():
    kinds = demo.township_kinds(20)
    assert kinds[:2] == [TownshipKind.SUBDISTRICT] * 2
    assert Counter(kinds) == {TownshipKind.SUBDISTRICT: 2, TownshipKind.TOWN: 12, TownshipKind.TOWNSHIP: 6}
    names = demo.township_names(random.Random(1), kinds)
    assert names[:2] == ["城关街道", "东城街道"]
    assert [n[-1] for n in names[2:]] == ["镇"] * 12 + ["乡"] * 6


def test_codes_and_sort_keys_follow_the_order_and_the_kinds():
    load("--townships", "10", "--villages-per-township", "5", "--registry-only")
    county = County.objects.get()
    assert county.division_code == "411523"
    segment = {TownshipKind.SUBDISTRICT: "0", TownshipKind.TOWN: "1", TownshipKind.TOWNSHIP: "2"}
    townships = list(Township.objects.order_by("sort_key"))
    assert [t.sort_key for t in townships] == [f"{n:03d}" for n in range(1, 11)]
    for township in townships:
        assert len(township.division_code) == 9 and township.division_code.startswith(county.division_code)
        assert township.division_code[6] == segment[township.kind]
        villages = list(township.villages.order_by("sort_key"))
        assert [v.sort_key for v in villages] == ["001", "002", "003", "004", "005"]
        for village in villages:
            assert len(village.division_code) == 12 and village.division_code.startswith(township.division_code)
            expected = ("0", "1") if village.kind == VillageKind.COMMUNITY else ("2", "3")
            assert village.division_code[9] in expected
    codes = list(Village.objects.values_list("division_code", flat=True))
    assert len(set(codes)) == len(codes)


def check_village_statistics_are_plausible():
    villages = list(Village.objects.all())
    rural = [v for v in villages if v.kind == VillageKind.VILLAGE]
    communities = [v for v in villages if v.kind == VillageKind.COMMUNITY]
    assert communities and len(rural) > 0.8 * len(villages)
    for v in rural:
        assert 1 <= v.natural_villages <= 12 and 3 <= v.villager_groups <= 20
        assert 150 <= v.households <= 1500
    for v in villages:
        assert 2.9 <= v.population / v.households <= 3.5
    showcase = sum(1 for v in rural if v.showcase_type)
    assert 0.12 <= showcase / len(rural) <= 0.28
    subdistrict_villages = Village.objects.filter(township__kind=TownshipKind.SUBDISTRICT)
    assert subdistrict_villages.filter(kind=VillageKind.COMMUNITY).count() > subdistrict_villages.count() / 2
    assert not Village.objects.filter(township__kind=TownshipKind.TOWNSHIP, kind=VillageKind.COMMUNITY).exists()


def test_a_four_by_twelve_registry_once():
    load("--townships", "4", "--villages-per-township", "12", "--registry-only")
    check_the_tree_respects_the_parent_rules_and_covers_every_village_once()
    check_organization_names_are_unique_under_their_parent_and_per_township()
    check_large_villages_have_branches_below_and_every_branch_has_groups()
    check_a_joint_branch_covers_two_small_neighbours_of_one_township()


def check_the_tree_respects_the_parent_rules_and_covers_every_village_once():
    for org in PartyOrganization.objects.select_related("parent"):
        assert (org.parent.kind if org.parent else None) in ALLOWED_PARENT_KINDS[org.kind]
        if org.parent:
            assert org.parent.township_id == org.township_id
    for village in Village.objects.all():
        assert own_organization(village).count() + village.joint_organizations.count() == 1, village.name
    kinds = Counter(
        PartyOrganization.objects.filter(village__isnull=False, parent__village__isnull=True).values_list(
            "kind", flat=True
        )
    )
    # 48 villages: the largest 3% (rounded up) get a committee, the next 12% a general branch.
    assert kinds[OrganizationKind.COMMITTEE] == 2 and kinds[OrganizationKind.GENERAL_BRANCH] == 6


def check_organization_names_are_unique_under_their_parent_and_per_township():
    pairs = list(PartyOrganization.objects.values_list("parent_id", "township_id", "name"))
    assert len(set(pairs)) == len(pairs)
    tops = [(t, n) for p, t, n in pairs if p is None]
    assert len(set(tops)) == len(tops) == 4
    township_names = list(Township.objects.values_list("county_id", "name"))
    assert len(set(township_names)) == len(township_names)
    village_names = list(Village.objects.values_list("township_id", "name"))
    assert len(set(village_names)) == len(village_names)


def check_large_villages_have_branches_below_and_every_branch_has_groups():
    populations = {kind: [] for kind in COVERING}
    for org in PartyOrganization.objects.filter(village__isnull=False, parent__village__isnull=True):
        below = Counter(org.children.values_list("kind", flat=True))
        populations[org.kind].append(org.village.population)
        if org.kind == OrganizationKind.COMMITTEE:
            assert 3 <= below[OrganizationKind.BRANCH] <= 4 and org.name == f"中共{org.village.name}委员会"
            assert org.village.population >= demo.VILLAGE_COMMITTEE_MIN_POPULATION
        elif org.kind == OrganizationKind.GENERAL_BRANCH:
            assert 2 <= below[OrganizationKind.BRANCH] <= 3 and org.name == f"中共{org.village.name}总支部委员会"
            assert org.village.population >= demo.GENERAL_BRANCH_MIN_POPULATION
        elif not org.joint_villages.exists():
            assert not below[OrganizationKind.BRANCH] and org.name == f"中共{org.village.name}支部委员会"
    # The kind goes by size: every committee village is at least as large as every general-branch
    # village, and those at least as large as every village with a plain branch.
    assert min(populations[OrganizationKind.COMMITTEE]) >= max(populations[OrganizationKind.GENERAL_BRANCH])
    assert min(populations[OrganizationKind.GENERAL_BRANCH]) >= max(populations[OrganizationKind.BRANCH])
    for branch in PartyOrganization.objects.filter(kind=OrganizationKind.BRANCH):
        groups = list(branch.children.order_by("name").values_list("kind", "name"))
        assert 2 <= len(groups) <= 4
        assert {kind for kind, _name in groups} == {OrganizationKind.GROUP}
        assert "第一党小组" in {name for _kind, name in groups}


def check_a_joint_branch_covers_two_small_neighbours_of_one_township():
    joint = PartyOrganization.objects.filter(joint_villages__isnull=False).distinct()
    assert joint.count() >= 1
    for org in joint:
        (partner,) = org.joint_villages.all()
        assert org.kind == OrganizationKind.BRANCH and "联合支部委员会" in org.name
        assert org.village.township_id == partner.township_id == org.township_id
        assert max(org.village.population, partner.population) < demo.JOINT_MAX_POPULATION
        assert not own_organization(partner).exists()


def test_committee_terms_last_five_years():
    load("--townships", "3", "--villages-per-township", "3", "--registry-only")
    for org in PartyOrganization.objects.exclude(kind=OrganizationKind.GROUP):
        assert org.term_end == org.term_start.replace(year=org.term_start.year + 5)
    starts = set(PartyOrganization.objects.filter(parent=None).values_list("term_start__year", flat=True))
    assert starts <= {2021, 2022}


def test_totals_are_filled():
    load("--townships", "2", "--villages-per-township", "4", "--registry-only")
    for township in Township.objects.all():
        assert township.village_count == 4
        assert township.population == sum(township.villages.values_list("population", flat=True)) > 0
        assert township.households == sum(township.villages.values_list("households", flat=True))
        assert township.totals_refreshed_at is not None


def test_a_failing_county_leaves_nothing_half_written(monkeypatch):
    original = demo._organization_tree
    calls = []

    def fail_on_second(rng, townships, villages, summary):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return original(rng, townships, villages, summary)

    monkeypatch.setattr(demo, "_organization_tree", fail_on_second)
    with pytest.raises(RuntimeError):
        load("--counties", "2", "--townships", "2", "--villages-per-township", "3", "--registry-only")
    county = County.objects.get()
    assert Township.objects.exclude(county=county).count() == 0
    assert Village.objects.count() == 6
    assert PartyOrganization.objects.exclude(township__county=county).count() == 0


# --- Demo logins -----------------------------------------------------------------


def test_demo_users_follow_the_township_order_and_log_in():
    load("--townships", "5", "--villages-per-township", "3", "--registry-only")
    townships = list(Township.objects.order_by("sort_key", "name"))
    for index, township in enumerate(townships, start=1):
        user = User.objects.get(username=f"town{index:02d}")
        assert (user.role, user.township_id, user.county_id) == (Role.TOWNSHIP_STAFF, township.pk, township.county_id)
        assert user.first_name == f"{township.name}党建办"
    county = User.objects.get(username="county")
    assert (county.role, county.first_name, county.township_id) == (Role.COUNTY_ADMIN, "组织部管理员", None)
    assert User.objects.get(username="viewer").role == Role.COUNTY_VIEWER
    # One village login per village of the first township (村级账号), in the villages' order.
    first = townships[0]
    for index, village in enumerate(Village.objects.filter(township=first).order_by("sort_key", "name"), start=1):
        user = User.objects.get(username=f"village{index:02d}")
        assert (user.role, user.village_id, user.township_id, user.county_id) == (
            Role.VILLAGE_STAFF,
            village.pk,
            first.pk,
            first.county_id,
        )
    assert User.objects.count() == 2 + 5 + 3
    request = RequestFactory().post("/accounts/login/")
    assert authenticate(request, username="town03", password="demo2026") is not None
    assert authenticate(request, username="village02", password="demo2026") is not None
    assert authenticate(request, username="county", password="demo2026") is not None
    assert authenticate(request, username="county", password="wrong-password") is None


def test_it_refuses_when_a_demo_username_is_taken():
    User.objects.create_user(username="county", password="x-2026-long")
    with pytest.raises(CommandError, match="county"):
        load("--townships", "1", "--villages-per-township", "2", "--registry-only")
    assert not County.objects.exists()


def test_if_empty_is_a_no_op_the_second_time():
    load("--townships", "2", "--villages-per-township", "3", "--without-assessment")
    counts = (
        Township.objects.count(),
        Village.objects.count(),
        PartyOrganization.objects.count(),
        User.objects.count(),
    )
    output = load("--if-empty")
    assert "already has data" in output and "town02" in output
    assert counts == (
        Township.objects.count(),
        Village.objects.count(),
        PartyOrganization.objects.count(),
        User.objects.count(),
    )
    with pytest.raises(CommandError, match="empty database"):
        load()


def test_it_refuses_with_debug_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG off"):
        load("--townships", "1", "--villages-per-township", "2", "--registry-only")
    with pytest.raises(CommandError, match="DEBUG off"):
        load("--if-empty")
    assert not County.objects.exists()
    load("--townships", "1", "--villages-per-township", "2", "--force", "--registry-only")
    assert County.objects.count() == 1


# --- Cost ------------------------------------------------------------------------


def test_registry_queries_do_not_grow_with_villages():
    def queries(prefix, villages):
        size = demo.Size(counties=1, townships_per_county=3, villages_per_township=villages)
        with CaptureQueriesContext(connection) as ctx:
            demo.generate_registry(rng=random.Random(1), size=size, county_prefix=prefix)
        return len(ctx.captured_queries)

    small = queries("甲县", 6)
    large = queries("乙县", 36)  # 108 villages, ~600 organizations
    assert Village.objects.filter(township__county__name="乙县").count() == 108
    # Bulk inserts: a few statements per level of the tree (more only where SQLite's
    # parameter limit splits a batch), never one per village or organization.
    assert small <= 20
    assert large <= small + 10


def records_digest():
    """The records by natural keys (primary keys depend on which process wrote first)."""
    from cadres.models import Meeting, PartyMember

    rows = sorted(PartyMember.objects.values_list("person__id_number", "person__name", "stage", "organization__name"))
    rows += sorted(Meeting.objects.values_list("organization__name", "village__name", "kind", "held_on", "present"))
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.mark.django_db(transaction=True)
def test_every_county_is_detailed_and_the_same_in_one_process_or_two():
    from cadres.models import Person

    args = ("--counties", "2", "--townships", "1", "--villages-per-township", "2", "--without-assessment")
    load(*args, "--jobs", "1")
    with_people = set(Person.objects.values_list("township__county__name", flat=True))
    assert with_people == set(County.objects.values_list("name", flat=True))
    assert len(with_people) == 2
    first = records_digest()
    wipe()
    # Two forked processes on PostgreSQL (one writer at a time on SQLite): each county draws from
    # a stream of its own, so the data does not depend on which process made it, or when.
    load(*args, "--jobs", "2")
    assert records_digest() == first


def test_records_are_inserted_in_batches_not_row_by_row():
    from cadres.models import Meeting, MembershipEvent, PartyMember, Person

    with CaptureQueriesContext(connection) as ctx:
        load("--townships", "3", "--villages-per-township", "12", "--without-assessment")
    rows = (
        Person.objects.count() + PartyMember.objects.count() + MembershipEvent.objects.count() + Meeting.objects.count()
    )
    assert rows > 2000
    assert len(ctx.captured_queries) < rows / 20


def test_a_three_by_six_county_with_the_assessment_once():
    load("--townships", "3", "--villages-per-township", "6")
    check_the_demo_assessment_scores_rates_and_flags()
    check_last_years_duty_reviews_give_the_votes()
    check_every_village_has_commitments_some_overdue_some_inspected_last_year_graded()
    check_the_demo_assessment_verifies_and_fills_its_bulletins()  # last: it re-runs last year's rating


def check_last_years_duty_reviews_give_the_votes():
    from django.utils import timezone

    from assessments.models import AnnualRating, DutyReview, VoteResult

    year = timezone.localdate().year - 1
    townships = DutyReview.objects.filter(year=year, level="township")
    assert townships.count() >= Township.objects.count() - 1  # a township without a secretary all year has none
    assert DutyReview.objects.filter(year=year, level="village").count() >= Township.objects.count() * 5
    assert not VoteResult.objects.exists()
    rated = AnnualRating.objects.filter(year=year)
    # Every secretary in office has ballots; a predecessor rated on their months may have none.
    assert rated.filter(vote_source="ballots").count() >= rated.count() * 0.8
    assert not rated.filter(vote_source="typed").exists()
    # A 村委会主任 held apart from the secretary's post reports too (一肩挑: the secretary's 述职 is the one).
    directors = DutyReview.objects.filter(year=year, post="committee_director").select_related("tally")
    secretaries = dict(
        DutyReview.objects.filter(year=year, post="village_secretary").values_list("village_id", "person_id")
    )
    assert directors.exists()
    assert all(
        d.person_id != secretaries.get(d.village_id) and d.tally.target_kind == "village_cadre" for d in directors
    )


def check_every_village_has_commitments_some_overdue_some_inspected_last_year_graded():
    from django.utils import timezone

    from cadres.models import Commitment, Inspection, Milestone, ProgressEntry, Tenure
    from cadres.selectors import commitments_due

    year = timezone.localdate().year
    this_year = Counter(Commitment.objects.filter(year=year).values_list("village_id", flat=True))
    # Every village with a cadre in office (the responsible person must hold a post there; a village
    # the demo leaves without full members has no cadres).
    staffed = set(
        Tenure.objects.filter(village__isnull=False, ended_on__isnull=True).values_list("village_id", flat=True)
    )
    assert staffed and staffed <= set(this_year)
    assert all(2 <= n <= 4 for n in this_year.values()), this_year
    assert Milestone.objects.count() >= 2 * Commitment.objects.count()
    assert ProgressEntry.objects.exists() and Inspection.objects.exists()
    last_year = Commitment.objects.filter(year=year - 1)
    assert last_year.exists() and not last_year.filter(grade="").exists()
    assert commitments_due(townships=Township.objects.all(), today=timezone.localdate())


def check_the_demo_assessment_scores_rates_and_flags():
    from django.utils import timezone

    from assessments.models import AnnualRating, RemovalFlag, Score, ScoringRun

    assert ScoringRun.objects.exclude(status="succeeded").count() == 0
    assert Score.objects.exists()
    # The townships file their own report (乡镇本级), and their scores read it (信访量排名 T05).
    from assessments.models import MonthlyReport, ScoreItem

    assert MonthlyReport.objects.filter(village__isnull=True, status="approved").count() >= Township.objects.count()
    ranked = ScoreItem.objects.filter(score__target="township", indicator__code="T05")
    assert ranked.exists() and ranked.filter(metric_value__isnull=False).count() >= ranked.count() * 0.8
    assert AnnualRating.objects.filter(year=timezone.localdate().year - 1).exists()
    states = set(RemovalFlag.objects.values_list("state", flat=True))
    assert states == {"flagged", "watch"}
    from assessments.models import RectificationItem, Talk

    # 约谈 proposed from the published bulletins and last year's rating, some held and followed up.
    talk_states = set(Talk.objects.values_list("state", flat=True))
    assert {"closed", "held"} <= talk_states, talk_states
    assert RectificationItem.objects.filter(talk__isnull=False).exists()
    # 村干部报酬: a settled half-year and an open one; 七一: this year's list decided from last year's
    # signed ratings, a township's nomination.
    from assessments.models import Honour, PayPeriod

    assert set(PayPeriod.objects.values_list("state", flat=True)) == {"approved", "open"}
    # The 七一 list holds only last year's signed 优秀 (a small county may have none: then it is empty),
    # and is not empty when one of them has a clean record.
    year = timezone.localdate().year
    excellent = set(
        AnnualRating.objects.filter(year=year - 1, grade="excellent", signed_off_at__isnull=False).values_list(
            "person_id", flat=True
        )
    )
    commended = set(
        Honour.objects.filter(kind="excellent_secretary", year=year, state="approved").values_list(
            "person_id", flat=True
        )
    )
    assert commended <= excellent
    blemished = set(
        AnnualRating.objects.filter(year__gte=year - 3, grade="incompetent").values_list("person_id", flat=True)
    )
    assert bool(commended) == bool(excellent - blemished)
    assert Honour.objects.filter(kind="excellent_member").exists()
    # 联村任职: one person is the secretary of two villages, scored in both this month, paid once.
    from django.db.models import Count

    from assessments.models import PayLine
    from cadres.models import Tenure

    (joint,) = (
        Tenure.objects.filter(post="village_secretary", ended_on__isnull=True)
        .values("person_id")
        .annotate(n=Count("village_id"))
        .filter(n__gte=2)
        .values_list("person_id", flat=True)
    )
    (line,) = PayLine.objects.filter(person_id=joint, period__state="open")
    assert len(line.villages) == 2
    assert Score.objects.filter(person_id=joint, period_kind="month").values("village_id").distinct().count() == 2


def check_the_demo_assessment_verifies_and_fills_its_bulletins():
    """Done-when of the trust issue, on a small demo county: every scored month recomputes to the
    stored scores, every bulletin has its villages, re-running last year's rating changes nothing."""
    from django.db.models import Count

    from assessments.models import AnnualRating, Bulletin, RemovalFlag, Score
    from assessments.services import annual_rating_compute
    from assessments.verify import verify_month
    from townships.models import County

    county = County.objects.get()
    # Each (year, period) once: the model's ordering (rank_in_county) would make DISTINCT keep a
    # pair per rank, and verify every month about sixteen times over.
    months = Score.objects.order_by("year", "period").values_list("year", "period").distinct()
    assert len(months) >= 12
    for year, month in months:
        checked, found = verify_month(county_id=county.pk, year=year, month=month)
        assert checked and found == [], (year, month, found[:3])
    bulletins = list(Bulletin.objects.all())
    assert bulletins
    for bulletin in bulletins:
        assert all(section["rows"] for section in bulletin.data["targets"]), bulletin
    # No vetoed score above a clean one in any month's ranking.
    for year, month in months:
        scores = Score.objects.filter(year=year, period=month).order_by("rank_in_county")
        vetoes = [s.veto for s in scores]
        assert vetoes == sorted(vetoes), (year, month)
    year = AnnualRating.objects.order_by("-year").values_list("year", flat=True).first()
    fields = ("person_id", "total", "grade", "rank_in_county")
    before = sorted(AnnualRating.objects.filter(year=year).values_list(*fields))
    flags = sorted(RemovalFlag.objects.filter(year=year).values_list("person_id", "state", "incompetent_count"))
    annual_rating_compute(county_id=county.pk, year=year)
    assert sorted(AnnualRating.objects.filter(year=year).values_list(*fields)) == before
    assert sorted(RemovalFlag.objects.filter(year=year).values_list("person_id", "state", "incompetent_count")) == flags
    assert (
        Score.objects.values("target", "township", "village", "period_kind", "year", "period")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
        == 0
    )


def test_village_secretaries_are_full_members_of_their_village_organization():
    """《中国共产党农村基层组织工作条例》: the demo appoints only whom tenure_start would accept."""
    from cadres.choices import PARTY_ORGANIZATION_POSTS, Stage
    from cadres.models import PartyMember, Tenure

    load("--townships", "2", "--villages-per-township", "6", "--without-assessment")
    tenures = list(
        Tenure.objects.filter(post__in=list(PARTY_ORGANIZATION_POSTS)).values_list("person_id", "village_id")
    )
    assert tenures
    members = {
        m.person_id: m
        for m in PartyMember.objects.filter(person_id__in=[p for p, _v in tenures], is_active=True).select_related(
            "organization"
        )
    }
    for person_id, village_id in tenures:
        member = members[person_id]
        assert member.stage == Stage.FULL
        assert village_id in (member.village_id, member.organization.village_id)
