"""factory_boy factories shared by every test module."""

import functools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from knox.models import AuthToken

from townships.choices import Role, TownshipKind
from townships.models import County, Township
from villages.choices import OrganizationKind, VillageKind
from villages.models import PartyOrganization, Village

TEST_PASSWORD = "correct-horse-2026"


class CountyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = County
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"测试{n}县")


class TownshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"第{n}镇")
    kind = TownshipKind.TOWN
    sort_key = factory.Sequence(lambda n: f"{n:04d}")


class VillageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"第{n}村")
    kind = VillageKind.VILLAGE
    natural_villages = 3
    villager_groups = 6
    households = 400
    population = 1500


class PartyOrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PartyOrganization

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"第{n}党组织")
    kind = OrganizationKind.COMMITTEE
    parent = None


@functools.cache
def shared_password_hash():
    return make_password(TEST_PASSWORD)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY_VIEWER
    county = factory.SubFactory(CountyFactory)
    township = None
    # One hash per process, assigned to every user (as create_demo_users does): hashing is slow on
    # purpose (~0.3 s), and the suite makes hundreds of users. Logins check it with the real hasher.
    password = factory.LazyFunction(shared_password_hash)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def village_branch(village, name, parent):
    """A village's Party branch (党支部) under ``parent``, its township's committee."""
    return PartyOrganizationFactory(
        township=village.township, village=village, parent=parent, kind=OrganizationKind.BRANCH, name=name
    )


def branch_with_committee(village, name, committee_name):
    """A village's Party branch under a new committee of its township."""
    committee = PartyOrganizationFactory(township=village.township, name=committee_name)
    return village_branch(village, name, committee)


def county_admin(county, **kwargs):
    return UserFactory(role=Role.COUNTY_ADMIN, county=county, **kwargs)


def county_viewer(county, **kwargs):
    return UserFactory(role=Role.COUNTY_VIEWER, county=county, **kwargs)


def township_staff(township, **kwargs):
    return UserFactory(role=Role.TOWNSHIP_STAFF, county=township.county, township=township, **kwargs)


def api_client_user(county, **kwargs):
    return UserFactory(role=Role.API_CLIENT, county=county, **kwargs)


def village_staff(village, **kwargs):
    """A village login (村级账号) of ``village``: its township and county are the village's."""
    township = village.township
    return UserFactory(role=Role.VILLAGE_STAFF, county=township.county, township=township, village=village, **kwargs)


# --- people and members -------------------------------------------------------

import datetime  # noqa: E402

from cadres.choices import Gender, Stage  # noqa: E402
from cadres.identity import check_digit  # noqa: E402
from cadres.models import PartyMember, Person  # noqa: E402


def make_id_number(birth_date, seq, male=True, region="410523"):
    """A valid ID number for the birth date; ``seq`` keeps it unique, gender sets the parity."""
    order = (seq % 500) * 2 + (1 if male else 0)
    first17 = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return first17 + check_digit(first17)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    township = factory.SubFactory(TownshipFactory)
    village = None
    name = factory.Sequence(lambda n: f"党员{n}")
    gender = Gender.MALE
    birth_date = factory.Sequence(lambda n: datetime.date(1960 + n % 40, 1 + n % 12, 1 + n % 28))
    id_number = factory.LazyAttributeSequence(
        lambda o, n: make_id_number(o.birth_date, n, male=o.gender == Gender.MALE, region=f"{410523 + n // 500}")
    )
    phone = "13812345678"
    household_address = factory.Sequence(lambda n: f"李家村{n}组{n}号")


class PartyMemberFactory(factory.django.DjangoModelFactory):
    """A full member by default, with plausible dates."""

    class Meta:
        model = PartyMember

    organization = factory.SubFactory(PartyOrganizationFactory)
    township = factory.SelfAttribute("organization.township")
    village = factory.SelfAttribute("organization.village")
    person = factory.SubFactory(PersonFactory, township=factory.SelfAttribute("..township"))
    stage = Stage.FULL
    applied_on = datetime.date(2010, 3, 1)
    activist_on = datetime.date(2010, 9, 1)
    candidate_on = datetime.date(2011, 10, 1)
    admitted_on = datetime.date(2012, 1, 10)
    confirmed_on = datetime.date(2013, 1, 15)


# --- cadres' posts and the assessment -------------------------------------------------

from assessments.choices import ReportStatus  # noqa: E402
from assessments.metrics import REPORTED_CODES  # noqa: E402
from assessments.models import MonthlyReport  # noqa: E402
from cadres.choices import MeetingKind, PostKind  # noqa: E402
from cadres.models import Meeting, Tenure  # noqa: E402


class TenureFactory(factory.django.DjangoModelFactory):
    """A village Party secretary in office since 2021 by default (created directly, as records are imported)."""

    class Meta:
        model = Tenure

    person = factory.SubFactory(PersonFactory, township=factory.SelfAttribute("..township"))
    township = factory.SelfAttribute("village.township")
    village = factory.SubFactory(VillageFactory)
    post = PostKind.VILLAGE_SECRETARY
    started_on = datetime.date(2021, 1, 1)
    ended_on = None


class MeetingFactory(factory.django.DjangoModelFactory):
    """A 主题党日 on 2026-01-01 with its one entitled member present (created directly, as records are imported)."""

    class Meta:
        model = Meeting

    organization = factory.SubFactory(PartyOrganizationFactory)
    township = factory.SelfAttribute("organization.township")
    village = factory.SelfAttribute("organization.village")
    kind = MeetingKind.PARTY_DAY
    held_on = datetime.date(2026, 1, 1)
    topic = factory.Sequence(lambda n: f"会议{n}")
    entitled = 1
    present = 1


def village_with_secretary(township, name, started_on=datetime.date(2021, 1, 1)):
    """A village whose Party secretary has been in office since ``started_on``."""
    village = VillageFactory(township=township, name=name)
    TenureFactory(village=village, person=PersonFactory(township=township, village=village), started_on=started_on)
    return village


def report_values(**overrides):
    """A monthly report's values: every reported item 0 unless given."""
    return dict.fromkeys(REPORTED_CODES, 0) | overrides


class MonthlyReportFactory(factory.django.DjangoModelFactory):
    """An approved monthly report (created directly: the review workflow is tested on its own)."""

    class Meta:
        model = MonthlyReport

    village = factory.SubFactory(VillageFactory)
    township = factory.SelfAttribute("village.township")
    year = 2026
    month = 3
    status = ReportStatus.APPROVED
    values = factory.LazyFunction(report_values)


def use_token(api, user):
    """Authenticate an APIClient with a new token of ``user``; returns the clear token."""
    _instance, token = AuthToken.objects.create(user=user)
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return token


def satisfaction_survey(organization, actor, *, held_on, very, fairly=0, basic=0, not_=0, invalid=0, **kwargs):
    """A counted 满意度测评 of a village Party organization, one group (群众), through the service."""
    from assessments.choices import SurveyMethod, SurveyPurpose, TallyTarget
    from assessments.services.surveys import survey_save

    valid = very + fairly + basic + not_
    return survey_save(
        actor=actor,
        target_kind=TallyTarget.ORGANIZATION,
        organization=organization,
        year=kwargs.pop("year", held_on.year),
        held_on=held_on,
        purpose=kwargs.pop("purpose", SurveyPurpose.SANPING),
        method=SurveyMethod.MEETING,
        groups=[
            {
                "code": "villagers",
                "issued": valid + invalid,
                "returned": valid + invalid,
                "invalid": invalid,
                "counts": {"very": very, "fairly": fairly, "basic": basic, "not": not_},
            }
        ],
        **kwargs,
    )


def commitment(
    organization,
    *,
    actor=None,
    year=2026,
    title=None,
    responsible=None,
    quantity=None,
    unit="公里",
    milestones=(("完成方案", datetime.date(2026, 3, 31), None),),
    approve=True,
):
    """A village organization's commitment (承诺实事) entered, submitted and approved through the
    services, as a township clerk does; the responsible person gets a 村委委员 tenure unless given."""
    from cadres import services as cadres_services
    from cadres.choices import FocusArea, TargetKind

    if responsible is None:
        responsible = TenureFactory(
            village=organization.village,
            post=PostKind.VILLAGE_MEMBER,
            person=PersonFactory(township=organization.township, village=organization.village),
        ).person
    actor = actor or county_admin(organization.township.county)
    created = cadres_services.commitment_create(
        actor=actor,
        organization=organization,
        year=year,
        title=title or f"承诺{organization.pk}-{year}",
        focus=FocusArea.LIVELIHOOD,
        responsible=responsible,
        plan="一套实施方案",
        target_kind=TargetKind.QUANTITY if quantity is not None else TargetKind.DONE,
        target_quantity=quantity,
        target_unit=unit if quantity is not None else "",
        milestones=[{"title": t, "due_on": due.replace(year=year), "quantity": q} for t, due, q in milestones],
        submit=approve,
    )
    if approve:
        created = cadres_services.commitment_approve(actor=actor, commitment=created)
    return created


# --- Long runs of requests in one test ---------------------------------------------------

SESSION_ROW_REQUESTS = 50  # requests a signed-in client makes on one session row (renew_session_row)


def renew_session_row(client):
    """Move a signed-in test client to a new session row holding the same session data.

    SESSION_SAVE_EVERY_REQUEST updates the session's row on every request; inside a test's
    transaction no version of that row can be pruned, so after hundreds of requests each lookup
    of the session walks hundreds of row versions (a sweep of ~1,000 requests got ~30% slower per
    request). A new row with the same data (the user, the auth hash, the login time) is the same
    signed-in session to the app; only its key differs. Clients without a session cookie (tokens,
    anonymous) are left alone."""
    from importlib import import_module

    from django.conf import settings

    cookie = client.cookies.get(settings.SESSION_COOKIE_NAME)
    if cookie is None or not cookie.value:
        return
    engine = import_module(settings.SESSION_ENGINE)
    old = engine.SessionStore(cookie.value)
    data = dict(old.items())
    if not data:
        return
    new = engine.SessionStore()
    new.update(data)
    new.create()
    client.cookies[settings.SESSION_COOKIE_NAME] = new.session_key
