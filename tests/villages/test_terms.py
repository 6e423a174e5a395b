"""换届: terms ended or ending within six months, the 换届提醒 list and card, and recording an election.

Expected dates are worked by hand from the rule (a term ends on the same day of the month;
"within 6 months" is ``term_end <= today + 6 calendar months``, clamped to the month's end).
"""

import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from tests import factories
from townships.dates import add_months, add_years
from townships.models import AuditEvent, Township
from villages.choices import OrganizationKind
from villages.models import PartyOrganization
from villages.selectors import terms_due, terms_due_card, terms_due_counts
from villages.services import organization_elect

D = datetime.date
TODAY = D(2026, 11, 26)


@pytest.fixture
def today(monkeypatch):
    """The pages and the service read ``timezone.localdate()``: pin it to TODAY."""
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: TODAY)
    return TODAY


def org(township, name, term_start=None, term_end=None, **kwargs):
    return factories.PartyOrganizationFactory(
        township=township, name=name, term_start=term_start, term_end=term_end, **kwargs
    )


# --- the calendar rule ------------------------------------------------------------

# (day, months, expected, working)
MONTH_CASES = [
    (D(2026, 11, 26), 6, D(2027, 5, 26), "Nov → May of the next year, same day"),
    (D(2026, 8, 31), 6, D(2027, 2, 28), "Feb 2027 has 28 days: 31 clamps to 28"),
    (D(2027, 8, 31), 6, D(2028, 2, 29), "2028 is a leap year: 31 clamps to 29"),
    (D(2026, 12, 31), 6, D(2027, 6, 30), "June has 30 days"),
    (D(2026, 6, 30), 6, D(2026, 12, 30), "same year, same day"),
    (D(2026, 1, 31), 1, D(2026, 2, 28), "one month from 31 Jan"),
]


@pytest.mark.parametrize(("day", "months", "expected", "working"), MONTH_CASES)
def test_add_months_keeps_the_day_and_clamps_to_the_months_end(day, months, expected, working):
    assert add_months(day, months) == expected, working


@pytest.mark.parametrize(
    ("day", "years", "expected"),
    [
        (D(2026, 11, 20), 5, D(2031, 11, 20)),
        (D(2028, 2, 29), 5, D(2033, 2, 28)),  # 2033 is not a leap year
        (D(2028, 2, 29), 4, D(2032, 2, 29)),  # 2032 is
        (D(2026, 3, 1), 1, D(2027, 3, 1)),
    ],
)
def test_add_years_is_the_same_day_and_29_february_becomes_28(day, years, expected):
    assert add_years(day, years) == expected


@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2200, 12, 31)), st.integers(min_value=0, max_value=120))
def test_add_months_lands_in_the_right_month_never_later_in_it(day, months):
    result = add_months(day, months)
    assert (result.year * 12 + result.month) - (day.year * 12 + day.month) == months
    assert result.day <= day.day
    assert result.day == day.day or result.month != (result + datetime.timedelta(days=1)).month


# --- the selector -----------------------------------------------------------------


@pytest.mark.django_db
def test_terms_due_at_the_boundaries(township, other_township):
    start = D(2021, 11, 26)
    ended_today = org(township, "今天届满", start, D(2026, 11, 26))
    ended_before = org(township, "早已届满", D(2020, 1, 1), D(2025, 1, 1))
    ends_tomorrow = org(township, "明天届满", start, D(2026, 11, 27))
    last_due_day = org(township, "半年边界", start, D(2027, 5, 26))  # 26 Nov + 6 months = 26 May
    org(township, "半年又一天", start, D(2027, 5, 27))
    org(township, "没有任期")
    org(township, "已停用", start, D(2026, 1, 1), is_active=False)
    other = org(other_township, "邻乡到期", start, D(2026, 12, 1))

    rows = list(terms_due(townships=Township.objects.filter(pk=township.pk), today=TODAY))

    assert [(o.name, o.term_state) for o in rows] == [
        (ended_before.name, "overdue"),
        (ended_today.name, "overdue"),  # term_end <= today: 已届满 on the day itself
        (ends_tomorrow.name, "due"),
        (last_due_day.name, "due"),
    ]
    both = Township.objects.filter(pk__in=[township.pk, other_township.pk])
    assert other in terms_due(townships=both, today=TODAY)
    assert terms_due_counts(townships=both, today=TODAY) == {"overdue": 2, "due": 3}


@pytest.mark.django_db
def test_six_months_from_31_august_ends_on_28_february(township):
    org(township, "二月末", D(2022, 2, 28), D(2027, 2, 28))
    org(township, "三月一日", D(2022, 3, 1), D(2027, 3, 1))
    rows = terms_due(townships=[township], today=D(2026, 8, 31))
    assert [(o.name, o.term_state) for o in rows] == [("二月末", "due")]


@pytest.mark.django_db
def test_terms_due_selects_township_and_village(township, village, django_assert_num_queries):
    committee = org(township, "镇党委", D(2021, 1, 1), D(2026, 1, 1))
    factories.PartyOrganizationFactory(
        township=township,
        village=village,
        parent=committee,
        kind=OrganizationKind.BRANCH,
        name="李家村党支部",
        term_start=D(2021, 12, 1),
        term_end=D(2026, 12, 1),
    )
    with django_assert_num_queries(1):
        rows = list(terms_due(townships=[township], today=TODAY))
        assert [(o.township.name, o.village.name if o.village else None) for o in rows] == [
            ("城关镇", None),
            ("城关镇", "李家村"),
        ]


@pytest.mark.django_db
def test_the_card_counts_and_names_the_first_five(township, django_assert_num_queries):
    for i in range(7):
        org(township, f"到期{i}", D(2021, 1, 1), D(2026, 11, 20 + i))  # 20..26 Nov: all 已届满
    org(township, "半年内", D(2022, 1, 1), D(2027, 1, 1))
    with django_assert_num_queries(2):
        card = terms_due_card(townships=[township], today=TODAY, township=township)
    assert (card["overdue"], card["due"], card["total"]) == (7, 1, 8)
    assert [o.name for o in card["first"]] == ["到期0", "到期1", "到期2", "到期3", "到期4"]
    with django_assert_num_queries(0):
        html = render_to_string("villages/inc_terms_due.html", {"terms_due": card})
    assert "换届提醒" in html
    assert "2026-11-20" in html
    assert "到期5" not in html
    assert f"{reverse('terms-due')}?state=overdue&amp;township={township.pk}" in html


@pytest.mark.django_db
def test_the_card_says_when_nothing_is_due(township):
    card = terms_due_card(townships=[township], today=TODAY)
    assert (card["overdue"], card["due"], card["first"]) == (0, 0, [])
    assert "没有已届满或半年内届满的党组织" in render_to_string("villages/inc_terms_due.html", {"terms_due": card})


# --- the list page ----------------------------------------------------------------

# session, user, the filter form's township choices, the idle-timeout session save
# (savepoint, update, release): as every list page (tests/villages/test_views.py).
FIXED = 6


@pytest.mark.django_db
def test_the_list_shows_what_is_due_and_filters_by_state_and_township(
    client, admin_user, township, other_township, today
):
    org(township, "城关已届满", D(2021, 1, 1), D(2026, 1, 1))
    org(township, "城关半年内", D(2022, 3, 1), D(2027, 3, 1))
    org(other_township, "青石半年内", D(2022, 2, 1), D(2027, 2, 1))
    org(township, "城关未到期", D(2024, 1, 1), D(2029, 1, 1))
    client.force_login(admin_user)
    url = reverse("terms-due")

    page = client.get(url).content.decode()
    assert page.index("城关已届满") < page.index("青石半年内") < page.index("城关半年内")
    assert "城关未到期" not in page
    page = client.get(url, {"state": "overdue"}).content.decode()
    assert "城关已届满" in page and "半年内" not in page.split("<tbody>")[1]
    page = client.get(url, {"state": "due", "township": township.pk}).content.decode()
    assert "城关半年内" in page and "青石半年内" not in page and "城关已届满" not in page
    assert client.get(url, {"state": "nonsense", "page": "x", "sort": "drop"}).status_code == 200
    assert url in client.get(reverse("organization-list")).content.decode()


@pytest.mark.django_db
def test_a_township_user_sees_only_their_townships_terms(client, staff_user, township, other_township, today):
    org(township, "本镇到期", D(2021, 1, 1), D(2026, 1, 1))
    org(other_township, "邻乡到期", D(2021, 1, 1), D(2026, 1, 1))
    client.force_login(staff_user)
    page = client.get(reverse("terms-due")).content.decode()
    assert "本镇到期" in page and "邻乡到期" not in page
    # Asking for the other township by id lists nothing of it (not a choice: the filter refuses it).
    page = client.get(reverse("terms-due"), {"township": other_township.pk}).content.decode()
    assert "邻乡到期" not in page
    sheet = load_workbook(io.BytesIO(client.get(reverse("terms-due-export")).content)).active
    assert [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["本镇到期"]


@pytest.mark.django_db
def test_the_list_query_count_is_pinned_for_few_and_many_rows(
    client, admin_user, township, many_townships, today, django_assert_num_queries
):
    client.force_login(admin_user)
    org(township, "一个", D(2021, 1, 1), D(2026, 1, 1))
    with django_assert_num_queries(FIXED + 2):  # count, page
        assert client.get(reverse("terms-due")).status_code == 200
    for i, other in enumerate(many_townships):
        committee = org(other, f"党委{i}", D(2021, 1, 1), D(2026, 6, 1))
        factories.PartyOrganizationFactory(
            township=other,
            village=other.villages.first(),
            parent=committee,
            kind=OrganizationKind.BRANCH,
            name=f"支部{i}",
            term_start=D(2022, 4, 1),
            term_end=D(2027, 4, 1),
        )
    with django_assert_num_queries(FIXED + 2):
        response = client.get(reverse("terms-due"))
    assert response.content.decode().count("text-bg-warning") == 6


# session, user, rows, the audit record, the idle-timeout session save (savepoint, update, release).
EXPORT_QUERIES = 7


@pytest.mark.django_db
def test_the_export_is_audited_with_its_filters(
    client, admin_user, township, village, today, django_assert_num_queries
):
    committee = org(township, "镇党委", D(2021, 1, 1), D(2026, 1, 1))
    factories.PartyOrganizationFactory(
        township=township,
        village=village,
        parent=committee,
        kind=OrganizationKind.BRANCH,
        name="李家村党支部",
        term_start=D(2022, 4, 1),
        term_end=D(2027, 4, 1),
    )
    client.force_login(admin_user)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("terms-due-export"), {"state": "due"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "换届提醒"
    assert [c.value for c in sheet[1]] == [
        "乡镇",
        "名称",
        "类型",
        "所属村（社区）",
        "本届任期开始",
        "届满日期",
        "状态",
        "距届满",
    ]
    # 26 Nov 2026 → 1 Apr 2027: 4 (rest of Nov) + 31 + 31 + 28 + 31 + 1 = 126 days
    assert [c.value for c in sheet[2]] == [
        "城关镇",
        "李家村党支部",
        "党支部",
        "李家村",
        "2022-04-01",
        "2027-04-01",
        "半年内届满",
        "还有 126 天",
    ]
    assert sheet.max_row == 2
    event = AuditEvent.objects.get(action="export")
    assert event.detail == {"list": "terms-due", "rows": 1, "filters": "state=due"}
    assert event.target_repr == "换届提醒列表"


@pytest.mark.django_db
def test_the_list_and_export_refuse_wrong_methods_and_anonymous(client, admin_user):
    assert client.get(reverse("terms-due")).status_code == 302
    assert client.get(reverse("terms-due-export")).status_code == 302
    client.force_login(admin_user)
    assert client.post(reverse("terms-due")).status_code == 405
    assert client.post(reverse("terms-due-export")).status_code == 405


# --- recording an election --------------------------------------------------------


@pytest.fixture
def branch(township):
    return org(township, "镇党委", D(2021, 11, 20), D(2026, 11, 20))


def _unchanged(organization):
    fresh = PartyOrganization.objects.get(pk=organization.pk)
    return (fresh.term_start, fresh.term_end) == (organization.term_start, organization.term_end)


@pytest.mark.django_db
def test_an_election_starts_the_new_term_and_is_audited(admin_user, branch, today):
    elected = organization_elect(actor=admin_user, organization=branch, elected_on=D(2026, 11, 20), years=5)
    branch.refresh_from_db()
    assert (branch.term_start, branch.term_end) == (D(2026, 11, 20), D(2031, 11, 20))
    assert elected.term_end == D(2031, 11, 20)
    event = AuditEvent.objects.get(action="update", target_id=str(branch.pk))
    assert event.detail == {
        "election": "2026-11-20",
        "term_end": "2031-11-20",
        "years": 5,
        "previous_term": ["2021-11-20", "2026-11-20"],
    }
    assert event.target_type == "villages.partyorganization"


@pytest.mark.django_db
def test_an_election_on_29_february_ends_on_28_february(admin_user, township, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D(2028, 3, 1))
    o = org(township, "闰年", D(2023, 3, 1), D(2028, 3, 1))
    organization_elect(actor=admin_user, organization=o, elected_on=D(2028, 2, 29), years=5, note="  按期换届 ")
    o.refresh_from_db()
    assert (o.term_start, o.term_end) == (D(2028, 2, 29), D(2033, 2, 28))
    assert AuditEvent.objects.get(target_id=str(o.pk)).detail["note"] == "按期换届"


@pytest.mark.django_db
def test_an_organization_without_a_term_gets_its_first(admin_user, township, today):
    o = org(township, "新建党委")
    organization_elect(actor=admin_user, organization=o, elected_on=D(2026, 1, 5), years=3)
    o.refresh_from_db()
    assert (o.term_start, o.term_end) == (D(2026, 1, 5), D(2029, 1, 5))


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("elected_on", "years", "field", "message"),
    [
        (D(2026, 11, 27), 5, "elected_on", "选举日期不能晚于今天。"),
        (D(2021, 11, 19), 5, "elected_on", "选举日期不能早于本届任期开始日期（2021-11-20）。"),
        (D(2026, 11, 20), 0, "years", "任期年限须为 1 至 5 年。"),
        (D(2026, 11, 20), 6, "years", "任期年限须为 1 至 5 年。"),
        (D(2026, 11, 20), -5, "years", "任期年限须为 1 至 5 年。"),
        (D(2026, 11, 20), "5", "years", "任期年限须为 1 至 5 年。"),
        (D(2026, 11, 20), True, "years", "任期年限须为 1 至 5 年。"),
        ("2026-11-20", 5, "elected_on", "请填写有效的选举日期。"),
        (None, 5, "elected_on", "请填写有效的选举日期。"),
    ],
)
def test_bad_elections_are_refused_and_change_nothing(admin_user, branch, today, elected_on, years, field, message):
    with pytest.raises(ValidationError) as refused:
        organization_elect(actor=admin_user, organization=branch, elected_on=elected_on, years=years)
    assert refused.value.message_dict == {field: [message]}
    assert _unchanged(branch)
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_an_inactive_organization_cannot_hold_an_election(admin_user, township, today):
    o = org(township, "停用党委", D(2021, 1, 1), D(2026, 1, 1), is_active=False)
    with pytest.raises(ValidationError):
        organization_elect(actor=admin_user, organization=o, elected_on=D(2026, 11, 1), years=5)
    assert _unchanged(o)


@pytest.mark.django_db
def test_the_detail_page_offers_the_election_form_with_a_confirmation(client, admin_user, viewer_user, branch):
    url = reverse("organization-detail", args=[branch.pk])
    client.force_login(admin_user)
    page = client.get(url).content.decode()
    assert reverse("organization-elect", args=[branch.pk]) in page
    assert 'data-confirm="确认记录换届选举？' in page
    assert 'name="years"' in page and 'value="5"' in page
    client.force_login(viewer_user)
    assert reverse("organization-elect", args=[branch.pk]) not in client.get(url).content.decode()


@pytest.mark.django_db
def test_township_staff_record_their_organizations_election(client, staff_user, branch, today):
    client.force_login(staff_user)
    url = reverse("organization-elect", args=[branch.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"elected_on": "2026-11-20", "years": "5", "note": "镇党委换届"})
    assert response.status_code == 302
    assert response["Location"] == reverse("organization-detail", args=[branch.pk])
    branch.refresh_from_db()
    assert (branch.term_start, branch.term_end) == (D(2026, 11, 20), D(2031, 11, 20))
    event = AuditEvent.objects.get(action="update", target_id=str(branch.pk))
    assert event.detail["election"] == "2026-11-20" and event.detail["note"] == "镇党委换届"
    assert event.actor == staff_user


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"elected_on": "2026-11-27", "years": "5"}, "选举日期不能晚于今天。"),
        ({"elected_on": "2020-01-01", "years": "5"}, "选举日期不能早于本届任期开始日期（2021-11-20）。"),
        ({"elected_on": "2026-11-20", "years": "6"}, "任期年限须为 1 至 5 年。"),
        ({"elected_on": "2026-11-20", "years": "0"}, "任期年限须为 1 至 5 年。"),
        ({"elected_on": "2026-11-20", "years": "五"}, "任期年限须为 1 至 5 年。"),
        ({"elected_on": "2026-13-45", "years": "5"}, "请填写有效的选举日期。"),
        ({"elected_on": "", "years": "5"}, "请填写选举日期。"),
        ({"elected_on": "2026-11-20", "years": ""}, "请填写任期年限。"),
        ({"elected_on": "2026-11-20", "years": "5", "note": "长" * 201}, "200"),
    ],
)
def test_bad_input_shows_a_chinese_message_and_changes_nothing(client, admin_user, branch, today, data, message):
    client.force_login(admin_user)
    response = client.post(reverse("organization-elect", args=[branch.pk]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _unchanged(branch)
    assert not AuditEvent.objects.filter(action="update").exists()


@pytest.mark.django_db
def test_viewers_cannot_record_an_election(client, viewer_user, branch, today):
    client.force_login(viewer_user)
    url = reverse("organization-elect", args=[branch.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"elected_on": "2026-11-20", "years": "5"}).status_code == 403
    assert _unchanged(branch)


@pytest.mark.django_db
def test_another_townships_organization_answers_404(client, other_staff_user, branch, today):
    client.force_login(other_staff_user)
    assert client.get(reverse("organization-detail", args=[branch.pk])).status_code == 404
    url = reverse("organization-elect", args=[branch.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"elected_on": "2026-11-20", "years": "5"}).status_code == 404
    assert _unchanged(branch)
    assert client.put(url).status_code == 405
