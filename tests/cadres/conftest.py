import pytest

from tests import factories


@pytest.fixture
def committee(township):
    return factories.PartyOrganizationFactory(township=township, name="中共城关镇委员会")


@pytest.fixture
def branch(village, committee):
    """李家村's Party branch under the township committee."""
    return factories.village_branch(village, "中共李家村支部委员会", committee)


@pytest.fixture
def other_branch(other_village):
    """王庄村's Party branch under 青石乡's committee."""
    return factories.branch_with_committee(other_village, "王庄村支部", "中共青石乡委员会")
