"""Golden case of the commendation and 推荐 proposal rules (cases/commendations.toml), pure."""

from assessments import honours
from tests.golden.runner import load

CASE = load("commendations.toml")
NAMES = {p["id"]: p["name"] for p in CASE["people"]}
RECORDS = [
    honours.Record(
        person=p["id"],
        ratings={int(y): (g, t) for y, (g, t) in p["ratings"].items()},
        commended=frozenset(p.get("commended", [])),
        in_office=p.get("in_office", True),
    )
    for p in CASE["people"]
]


def test_the_july_first_list_takes_the_quota_and_everyone_tied_at_its_edge():
    got = honours.secretary_commendations(
        RECORDS, year=CASE["year"], clean_years=CASE["clean_years"], quota=CASE["quota"]
    )
    assert [[NAMES[p.person], p.rank, "并列" in p.reason] for p in got] == CASE["expected"]["commendations"]


def test_the_promotion_list():
    got = honours.promotion_proposals(
        RECORDS, year=CASE["year"], window=CASE["window"], promotion_excellent=CASE["promotion_excellent"]
    )
    assert [NAMES[p.person] for p in got] == CASE["expected"]["promotion"]


def test_the_candidate_list():
    got = honours.candidate_proposals(RECORDS, year=CASE["year"], window=CASE["window"])
    assert [NAMES[p.person] for p in got] == CASE["expected"]["candidates"]
