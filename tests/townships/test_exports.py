"""Every list's Excel export (townships/listing.py) reads plain rows: no model instances, labels
made once per value, a fixed number of queries; and its cells are what the page's columns give
on model instances, so the columns and contents did not change."""

import io
import operator

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models.signals import post_init
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from assessments.views.ratings import ratings_spec
from assessments.views.reports import review_spec
from assessments.views.scores import ranking_spec
from cadres.identity import mask_id_number
from cadres.models import Meeting
from cadres.views.cadres import tenures_spec
from cadres.views.meetings import meetings_spec
from cadres.views.members import corrections_spec, members_spec, mobile_spec, posts_spec
from cadres.views.people import people_spec
from tests.security.world import build_world, world_once
from townships.listing import export_rows, spec_state
from townships.views import audit_spec, townships_spec
from villages.choices import OrganizationKind
from villages.views import matters_spec, organizations_spec, terms_spec, villages_spec

pytestmark = pytest.mark.django_db

# (URL name, spec, queries of the export request as the county administrator: the session and its
# user, the rows' one query, the audit record, the session saved (a savepoint, its update, its
# release); the mobile members' list also reads the county's lost-contact setting.)
EXPORTS = [
    ("township-export", townships_spec, 7),
    ("village-export", villages_spec, 7),
    ("organization-export", organizations_spec, 7),
    ("terms-due-export", terms_spec, 7),
    ("matter-export", matters_spec, 7),
    ("audit-export", audit_spec, 7),
    ("score-export", ranking_spec, 7),
    ("report-export", review_spec, 7),
    ("rating-export", ratings_spec, 7),
    ("member-export", members_spec, 7),
    ("mobile-export", mobile_spec, 8),
    ("post-export", posts_spec, 7),
    ("correction-export", corrections_spec, 7),
    ("tenure-export", tenures_spec, 7),
    ("person-export", people_spec, 7),
    ("meeting-export", meetings_spec, 7),
]


@pytest.fixture
def world(monkeypatch, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    monkeypatch.setattr(transaction, "on_commit", lambda func, using=None, robust=False: func())
    cache.clear()
    return world_once("on_commit at once", build_world)


class InstanceCount:
    def __init__(self):
        self.built = []

    def __call__(self, sender, **kwargs):
        self.built.append(sender.__name__)


def _request(user, path, query=None):
    request = RequestFactory().get(path, query or {})
    request.user = user
    return request


def _sheet_rows(response):
    sheet = load_workbook(io.BytesIO(b"".join(response) if response.streaming else response.content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_every_list_export_reads_plain_rows_in_a_fixed_number_of_queries(world):
    client = Client()
    client.force_login(world.admin)
    client.get(reverse("home"))  # the session's first request: its own queries out of the way
    counted, measured = InstanceCount(), {}
    post_init.connect(counted)
    try:
        for name, _spec, _queries in EXPORTS:
            counted.built = []
            with CaptureQueriesContext(connection) as captured:
                response = client.get(reverse(name))
            assert response.status_code == 200, name
            rows = _sheet_rows(response)
            assert len(rows) > 1, f"{name}: the world has no rows to export"
            # The session and its user, the audit record (and its township): nothing per row.
            assert len(counted.built) <= 4, f"{name} built {counted.built} for {len(rows) - 1} rows"
            measured[name] = len(captured)
    finally:
        post_init.disconnect(counted)
    assert measured == {name: queries for name, _spec, queries in EXPORTS}


@pytest.mark.parametrize("query", [{}, {"full": "1"}], ids=["masked", "full"])
def test_each_exported_cell_is_what_the_page_column_gives_on_the_instance(world, query):
    """The page's columns still read model instances: the export's plain rows must give the same
    cells, row for row (the lists whose export has its own columns are checked below)."""
    for name, spec_factory, _queries in EXPORTS:
        request = _request(world.admin, reverse(name), query)
        spec = spec_factory(request)
        if spec.export_columns is not None:
            continue
        state = spec_state(request, spec)
        _headers, cells = spec.exported()
        page = [[column.value(obj) for column in spec.columns] for obj in state.rows]
        assert export_rows(state.rows, cells) == page, name


# The exports with their own columns, worked out from the instances as the columns were written.
OWN_COLUMNS = {
    "township-export": lambda t: [
        t.name,
        t.get_kind_display(),
        t.division_code,
        t.village_count,
        t.population,
        t.households,
        "是" if t.is_active else "否",
    ],
    "village-export": lambda v: [
        v.township.name,
        v.name,
        v.get_kind_display(),
        v.division_code,
        v.natural_villages,
        v.villager_groups,
        v.households,
        v.population,
        v.get_showcase_type_display(),
        "是" if v.is_active else "否",
    ],
    "organization-export": lambda o: [
        o.township.name,
        o.name,
        o.get_kind_display(),
        o.parent.name if o.parent else "",
        o.village.name if o.village else "",
        "是" if o.n_joint else "否",
        o.term_start.isoformat() if o.term_start else "",
        o.term_end.isoformat() if o.term_end else "",
        "是" if o.is_active else "否",
    ],
    "score-export": lambda s: [
        s.rank_in_county,
        s.rank_in_township,
        s.township.name,
        s.village.name if s.village else "（乡镇）",  # a township's own score has no village
        s.person.name if s.person else "",
        s.get_target_display(),
        f"{s.year}-{s.period:02d}",
        float(s.total),
        f"暂定（{s.manual_pending} 项人工评分待录入）" if s.manual_pending else "已定",
        s.veto_reason or ("是" if s.veto else ""),
        f"第 {s.scheme.version} 版",
    ],
}


def test_the_exports_with_their_own_columns_give_the_instances_values(world):
    specs = {name: spec for name, spec, _queries in EXPORTS}
    for name, expected in OWN_COLUMNS.items():
        request = _request(world.admin, reverse(name))
        spec = specs[name](request)
        state = spec_state(request, spec)
        _headers, cells = spec.exported()
        assert export_rows(state.rows, cells) == [expected(obj) for obj in state.rows], name


def test_a_meeting_of_a_group_and_a_member_exported_as_worked_out_from_the_fixture(world):
    client = Client()
    client.force_login(world.admin)
    meetings = _sheet_rows(client.get(reverse("meeting-export")))
    assert meetings[0] == ["乡镇", "党组织", "类型", "日期", "主题", "应到", "实到", "佐证", "审核"]
    group_meeting = (
        Meeting.objects.filter(organization__kind=OrganizationKind.GROUP)
        .select_related("organization__parent", "township")
        .order_by("-held_on", "pk")
        .first()
    )
    assert group_meeting is not None, "the world has a 党小组's meeting"
    group = group_meeting.organization
    row = next(r for r in meetings[1:] if r[4] == group_meeting.topic and r[3] == group_meeting.held_on.isoformat())
    assert row[0] == group_meeting.township.name
    assert row[1].startswith(f"{group.name}（{group.parent.name}")  # a group is named with its branch
    assert row[2] == group_meeting.get_kind_display()
    assert row[5:7] == [group_meeting.entitled, group_meeting.present]
    with_evidence = next(r for r in meetings[1:] if r[4] == world.meeting.topic and r[0] == world.a.name)
    assert with_evidence[7] == "是"  # the world's meeting has its minutes
    assert with_evidence[8] == "已通过"  # recorded by the township: approved as it was saved

    members = _sheet_rows(client.get(reverse("member-export")))
    member = world.member
    row = next(r for r in members[1:] if r[2] == member.person.name and r[5] == mask_id_number(member.person.id_number))
    assert row[0] == member.township.name and row[1] == member.organization.name
    assert row[3] == member.person.get_gender_display() and row[6] == member.get_stage_display()
    assert "*" in row[5]


def test_labels_are_made_once_per_value_not_per_row(world, monkeypatch):
    """The meetings export translates each meeting kind (and each review status) once, however many
    meetings it lists."""
    from django.utils import encoding

    calls = []
    force_str = encoding.force_str
    monkeypatch.setattr("townships.listing.force_str", lambda *a, **k: calls.append(a[0]) or force_str(*a, **k))
    request = _request(world.admin, reverse("meeting-export"))
    spec = meetings_spec(request)
    state = spec_state(request, spec)
    _headers, cells = spec.exported()
    rows = export_rows(state.rows, cells)
    kinds = {row[2] for row in rows}
    assert len(rows) > 3 * len(kinds)
    assert len(calls) == len(set(Meeting.objects.values_list("kind", flat=True))) + len(
        set(Meeting.objects.values_list("status", flat=True))
    )
    assert operator.countOf(calls, calls[0]) == 1
