"""七一 commendations and 推荐: the lists drawn from signed ratings only, drawn again without touching
what was decided, a township's nominations checked, each decision with an opinion and a confirmation,
audited and told, the printable list, the person page, scoping and pinned query counts."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from assessments.choices import AssessmentMessageKind, HonourKind, HonourState
from assessments.models import AnnualRating, Honour
from assessments.services import honours as honour_services
from cadres.choices import Stage
from tests import factories
from townships.choices import AuditAction
from townships.models import AuditEvent, Message

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 20)


def rated(township, name, grades, signer):
    """A village whose secretary (since 2021) has signed ratings {year: (grade, total)}."""
    village = factories.village_with_secretary(township, name)
    person = village.tenures.get().person
    for year, (grade, total) in grades.items():
        AnnualRating.objects.create(
            person=person, village=village, township=township, year=year, daily=Decimal(total),
            total=Decimal(total), grade=grade, reason="测试", signed_off_by=signer,
        )  # fmt: skip
    return person


@pytest.fixture
def county_lists(county, township, other_township, admin_user):
    """优秀 2025 secretaries: 甲 (950, signed), 乙 (900, signed, 优秀 2024 too), 丙 (990, unsigned);
    丁 in the other township (920, signed)."""
    return {
        "甲": rated(township, "甲村", {2025: ("excellent", 950)}, admin_user),
        "乙": rated(township, "乙村", {2025: ("excellent", 900), 2024: ("excellent", 910)}, admin_user),
        "丙": rated(township, "丙村", {2025: ("excellent", 990)}, None),
        "丁": rated(other_township, "丁村", {2025: ("excellent", 920)}, admin_user),
    }


def test_the_lists_read_only_signed_ratings_and_keep_what_was_decided(county, admin_user, staff_user, county_lists):
    counts = honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    commended = Honour.objects.filter(kind=HonourKind.EXCELLENT_SECRETARY)
    # 丙's rating is not signed: not on any list. 甲 950, 丁 920, 乙 900 within the default quota of 10.
    assert sorted(h.person.name for h in commended) == sorted(county_lists[n].name for n in ("甲", "乙", "丁"))
    assert [h.person.name for h in Honour.objects.filter(kind=HonourKind.PROMOTION)] == [county_lists["乙"].name]
    assert counts[HonourKind.CANDIDATE] == 0  # nobody commended before
    first = commended.get(person=county_lists["甲"])
    with pytest.raises(ValidationError, match="决定意见"):
        honour_services.honour_decide(actor=admin_user, honour=first, approve=True, opinion=" ")
    honour_services.honour_decide(actor=admin_user, honour=first, approve=True, opinion="事迹突出，同意表彰")
    assert AuditEvent.objects.filter(action=AuditAction.APPROVE, target_id=str(first.pk)).exists()
    told = Message.objects.get(recipient=staff_user, kind=AssessmentMessageKind.HONOUR_DECIDED)
    assert told.title == f"2026年优秀村党组织书记：{first.person.name} 同意"
    with pytest.raises(ValidationError, match="已经决定过"):
        honour_services.honour_decide(actor=admin_user, honour=first, approve=False, opinion="再议")
    # 乙's 2025 rating turns out to be 不称职 and is signed again: drawing again drops the undecided
    # proposal; the decided one (甲) stays as it was.
    AnnualRating.objects.filter(person=county_lists["乙"], year=2025).update(grade="incompetent")
    honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    assert not Honour.objects.filter(person=county_lists["乙"]).exists()
    first.refresh_from_db()
    assert first.state == HonourState.APPROVED and first.opinion == "事迹突出，同意表彰"


def test_a_township_nominates_its_own_full_members_and_organizations_only(
    township, other_township, staff_user, admin_user
):
    member = factories.PartyMemberFactory(organization__township=township, stage=Stage.FULL)
    applicant = factories.PartyMemberFactory(organization__township=township, stage=Stage.ACTIVIST)
    foreign = factories.PartyMemberFactory(organization__township=other_township, stage=Stage.FULL)
    common = {"actor": staff_user, "year": 2026, "kind": HonourKind.EXCELLENT_MEMBER, "township": township}
    for person, message in ((applicant.person, "正式党员"), (foreign.person, "正式党员")):
        with pytest.raises(ValidationError, match=message):
            honour_services.honour_nominate(person=person, reason="带头致富", **common)
    with pytest.raises(ValidationError, match="提名理由"):
        honour_services.honour_nominate(person=member.person, reason="", **common)
    honour = honour_services.honour_nominate(person=member.person, reason="带头致富", **common)
    assert honour.state == HonourState.PROPOSED and not honour.from_record
    with pytest.raises(ValidationError, match="已被提名"):
        honour_services.honour_nominate(person=member.person, reason="再次", **common)
    with pytest.raises(Exception, match="不能为该乡镇提名"):
        honour_services.honour_nominate(
            actor=staff_user, year=2026, kind=HonourKind.EXCELLENT_MEMBER, township=other_township,
            person=foreign.person, reason="x",
        )  # fmt: skip
    assert Honour.objects.count() == 1


def test_pages_decide_with_a_confirmation_print_and_are_scoped(
    client, county, admin_user, staff_user, other_staff_user, county_lists
):
    honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    own = Honour.objects.get(kind=HonourKind.EXCELLENT_SECRETARY, person=county_lists["甲"])
    foreign = Honour.objects.get(kind=HonourKind.EXCELLENT_SECRETARY, person=county_lists["丁"])
    client.force_login(other_staff_user)
    assert client.get(reverse("honour-detail", args=[own.pk])).status_code == 404
    page = client.get(reverse("honour-list")).content.decode()
    assert county_lists["丁"].name in page and county_lists["甲"].name not in page
    client.force_login(staff_user)
    assert (
        client.post(
            reverse("honour-detail", args=[own.pk]), {"decision": "approve", "opinion": "x", "confirm": "on"}
        ).status_code
        == 403
    )
    client.force_login(admin_user)
    url = reverse("honour-detail", args=[own.pk])
    page = client.post(url, {"decision": "approve", "opinion": "同意"}).content.decode()
    assert "请勾选确认后再决定" in page and Honour.objects.get(pk=own.pk).state == HonourState.PROPOSED
    client.post(url, {"decision": "approve", "opinion": "同意", "confirm": "on"})
    assert Honour.objects.get(pk=own.pk).state == HonourState.APPROVED
    printed = client.get(reverse("honour-print", args=[2026])).content.decode()
    assert county_lists["甲"].name in printed and county_lists["丁"].name not in printed  # only the decided
    person_page = client.get(reverse("person-detail", args=[own.person_id])).content.decode()
    assert "2026年 优秀村党组织书记" in person_page
    # The record (一人一档): the signed grade, linked to the secretary's page with the monthly scores.
    assert "2025 优秀（950.00）" in person_page and reverse("secretary-detail", args=[own.person_id]) in person_page
    assert foreign.state == HonourState.PROPOSED


def test_the_list_query_count_does_not_grow(client, county, township, admin_user, county_lists):
    honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    client.force_login(admin_user)
    with CaptureQueriesContext(connection) as first:
        client.get(reverse("honour-list"))
    for i in range(4):
        rated(township, f"加{i}村", {2025: ("excellent", 800 + i)}, admin_user)
    honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    with CaptureQueriesContext(connection) as second:
        client.get(reverse("honour-list"))
    assert Honour.objects.count() > 4 and len(second) == len(first)


def test_the_api_lists_honours_by_the_same_scope_and_filters(county, admin_user, staff_user, county_lists):
    from rest_framework.test import APIClient

    honour_services.honours_propose(actor=admin_user, county_id=county.pk, year=2026, today=TODAY)
    api = APIClient()
    factories.use_token(api, staff_user)
    rows = api.get(reverse("api:honour-list"), {"kind": "excellent_secretary"}).json()["results"]
    # 甲 and 乙 of the township (丙's rating is unsigned; 丁 is another township's).
    assert sorted(r["person_name"] for r in rows) == sorted([county_lists["甲"].name, county_lists["乙"].name])
    assert {r["state"] for r in rows} == {"proposed"}
    foreign = Honour.objects.get(person=county_lists["丁"], kind=HonourKind.EXCELLENT_SECRETARY)
    assert api.get(reverse("api:honour-detail", args=[foreign.pk])).status_code == 404
    assert api.get(reverse("api:honour-list"), {"year": "x"}).status_code == 400
    factories.use_token(api, admin_user)
    api.get(reverse("api:honour-list"))  # the token's first use writes its last-used time
    everyone = Honour.objects.count()
    with CaptureQueriesContext(connection) as queries:
        assert api.get(reverse("api:honour-list")).json()["count"] == everyone
    # The count and the page with its four joins (the token and its user are cached after first use).
    assert len(queries) == 2, [q["sql"] for q in queries.captured_queries]


def test_an_organizations_page_shows_its_commendation_to_its_own_township_only(
    client, township, staff_user, other_staff_user, admin_user
):
    organization = factories.PartyOrganizationFactory(township=township)
    honour = honour_services.honour_nominate(
        actor=staff_user, year=2026, kind=HonourKind.ADVANCED_ORGANIZATION, township=township,
        organization=organization, reason="三会一课规范",
    )  # fmt: skip
    honour_services.honour_decide(actor=admin_user, honour=honour, approve=True, opinion="同意表彰")
    client.force_login(staff_user)
    page = client.get(reverse("organization-detail", args=[organization.pk])).content.decode()
    assert "2026年 先进基层党组织" in page and "同意表彰" in page and reverse("honour-detail", args=[honour.pk]) in page
    client.force_login(other_staff_user)
    assert client.get(reverse("organization-detail", args=[organization.pk])).status_code == 404
