import pytest

from tests import factories


@pytest.fixture
def county(db):
    return factories.CountyFactory(name="测试县")


@pytest.fixture
def other_county(db):
    return factories.CountyFactory(name="邻县")


@pytest.fixture
def township(county):
    return factories.TownshipFactory(county=county, name="城关镇")


@pytest.fixture
def other_township(county):
    return factories.TownshipFactory(county=county, name="青石乡")


@pytest.fixture
def village(township):
    return factories.VillageFactory(township=township, name="李家村")


@pytest.fixture
def other_village(other_township):
    return factories.VillageFactory(township=other_township, name="王庄村")


@pytest.fixture
def admin_user(county):
    return factories.county_admin(county, username="county-admin")


@pytest.fixture
def viewer_user(county):
    return factories.county_viewer(county, username="county-viewer")


@pytest.fixture
def staff_user(township):
    return factories.township_staff(township, username="town-staff")


@pytest.fixture
def other_staff_user(other_township):
    return factories.township_staff(other_township, username="other-town-staff")
