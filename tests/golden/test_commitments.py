"""Golden case: 定·查·评 — overdue milestones and the 评优劣 ranking (cases/commitments_overdue_ranking.toml).

Commitments are entered, approved, progressed and graded through the cadres services; what is
overdue is read through ``commitments_due`` (what the township's to-do and the daily reminder
read), the ranking through ``village_ranking`` (the overview's 评优劣), and both also through the
pure rules they call.
"""

import datetime
from decimal import Decimal

import pytest

from cadres import commitment_rules as rules
from cadres import services
from cadres.choices import CommitmentGrade, ProgressStatus
from cadres.models import Milestone, ProgressEntry
from cadres.selectors import commitments_due, village_ranking
from tests import factories
from tests.golden.runner import load
from townships.models import Township
from villages.models import Village

pytestmark = pytest.mark.django_db

CASE = load("commitments_overdue_ranking.toml")
YEAR = CASE["year"]
DUE = datetime.date(YEAR, 6, 30)


def _decimal(text):
    return Decimal(text) if text != "" else None


@pytest.fixture
def ledger():
    """One approved commitment (5 公里) with the case's milestones and their entries."""
    township = factories.TownshipFactory(name="东镇")
    admin = factories.county_admin(township.county)
    village = factories.VillageFactory(township=township, name="李家村")
    village_user = factories.village_staff(village)  # its entries wait for the township's approval
    branch = factories.village_branch(village, "李家村党支部", factories.PartyOrganizationFactory(township=township))
    commitment = factories.commitment(
        branch,
        actor=admin,
        year=YEAR,
        quantity=Decimal(5),
        milestones=[(f"节点{m['name']}", DUE, _decimal(m["quantity"])) for m in CASE["milestones"]],
    )
    by_title = {m.title: m for m in Milestone.objects.filter(commitment=commitment)}
    for spec in CASE["milestones"]:
        milestone = by_title[f"节点{spec['name']}"]
        for e in spec["entries"]:
            entry = services.progress_record(
                actor=village_user if e.get("pending") else admin,
                commitment=commitment,
                milestone=milestone,
                on_date=datetime.date.fromisoformat(e["on"]),
                quantity=_decimal(e.get("quantity", "")),
                percent=e.get("percent"),
                note="进展",
            )
            assert entry.status == (ProgressStatus.PENDING if e.get("pending") else ProgressStatus.APPROVED)
    return township, by_title


CHECKS = [(m["name"], c) for m in CASE["milestones"] for c in m["checks"]]


@pytest.mark.parametrize(("name", "check"), CHECKS, ids=[f"{n}@{c['day']}" for n, c in CHECKS])
def test_milestone_overdue_as_worked_by_hand(ledger, name, check):
    township, by_title = ledger
    milestone = by_title[f"节点{name}"]
    day = datetime.date.fromisoformat(check["day"])
    due = {i.object_id: i for i in commitments_due(townships=Township.objects.filter(pk=township.pk), today=day)}
    assert (milestone.pk in due) == check["overdue"]
    if check["overdue"]:
        assert due[milestone.pk].days_overdue == check["days"]
    # The pure rule, on the approved entries alone, agrees.
    entries = [
        rules.Entry(e.on_date, e.quantity, e.percent)
        for e in ProgressEntry.objects.filter(milestone=milestone, status=ProgressStatus.APPROVED)
    ]
    assert (
        rules.milestone_overdue(due_on=milestone.due_on, quantity=milestone.quantity, entries=entries, today=day)
        == check["overdue"]
    )


def test_villages_ranked_by_share_completed_as_worked_by_hand():
    township = factories.TownshipFactory(name="西镇")
    admin = factories.county_admin(township.county)
    committee = factories.PartyOrganizationFactory(township=township)
    for spec in CASE["villages"]:
        village = factories.VillageFactory(township=township, name=spec["name"])
        branch = factories.village_branch(village, f"{spec['name']}党支部", committee)
        for n, grade in enumerate(spec["grades"]):
            c = factories.commitment(branch, actor=admin, year=YEAR, title=f"{spec['name']}承诺{n}")
            if grade:
                services.commitment_grade(actor=admin, commitment=c, grade=CommitmentGrade(grade), note="对照台账")
        for n in range(spec.get("drafts", 0)):
            factories.commitment(branch, actor=admin, year=YEAR, title=f"{spec['name']}草稿{n}", approve=False)
    ranking = village_ranking(villages=Village.objects.filter(township=township), year=YEAR)
    got = [
        {
            "village": village.name,
            "rank": row.rank if row.rank is not None else "",
            "percent": str(row.percent) if row.percent is not None else "",
        }
        for village, row in ranking
    ]
    assert got == CASE["ranking"]
