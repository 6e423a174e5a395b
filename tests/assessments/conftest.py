import pytest
from django.core.cache import cache

from assessments.demo import create_scheme
from tests import factories

SCHEME_YEAR = 2026


@pytest.fixture(autouse=True)
def throttle_reset():
    """The scorecard API's per-token throttle counts in the cache: each test starts with none."""
    cache.clear()


@pytest.fixture
def scheme(county):
    """The demo county's 1000-point secretary scheme for 2026, active."""
    return create_scheme(county=county, year=SCHEME_YEAR)


@pytest.fixture
def villages(township, other_township):
    """Three villages of the township and one of the other, each with a secretary in office."""
    return [factories.village_with_secretary(township, f"村{i}") for i in range(3)] + [
        factories.village_with_secretary(other_township, "外村")
    ]
