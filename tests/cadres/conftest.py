import pytest

from tests import factories
from villages.choices import OrganizationKind


@pytest.fixture
def branch(township, village):
    """李家村's Party branch under the township committee."""
    committee = factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")
    return factories.PartyOrganizationFactory(
        township=township, village=village, parent=committee, kind=OrganizationKind.BRANCH, name="中共李家村支部委员会"
    )
