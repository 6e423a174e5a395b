"""factory_boy factories shared by every test module."""

import factory
from django.contrib.auth import get_user_model

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


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.COUNTY_VIEWER
    county = factory.SubFactory(CountyFactory)
    township = None
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def county_admin(county, **kwargs):
    return UserFactory(role=Role.COUNTY_ADMIN, county=county, **kwargs)


def county_viewer(county, **kwargs):
    return UserFactory(role=Role.COUNTY_VIEWER, county=county, **kwargs)


def township_staff(township, **kwargs):
    return UserFactory(role=Role.TOWNSHIP_STAFF, county=township.county, township=township, **kwargs)


def api_client_user(county, **kwargs):
    return UserFactory(role=Role.API_CLIENT, county=county, **kwargs)
