"""The meeting records import (组织生活): one row per meeting of the township's organizations."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townships.choices import EntryStatus
from townships.imports import (
    CountColumn,
    DateColumn,
    LabelColumn,
    RawColumn,
    RowForm,
    TextColumn,
    WorkbookImport,
)
from townships.inputs import inputs_changed
from villages.choices import OrganizationKind

from ..choices import MeetingKind
from ..models import Meeting, PartyMember
from ..services import ACTIVE_MEMBER_STAGES, _subtree_ids
from .common import _max_length, _organization_named, _organizations, _recorder, _template

MEETING_SHEET = "组织生活"
MEETING_EXAMPLE = ["中共李家村支部委员会", "主题党日", "2026-03-05", "学习贯彻全会精神", 25, 22]
_MEETING_KIND_BY_LABEL = {str(label): value for value, label in MeetingKind.choices}


class MeetingRowForm(RowForm):
    """One meeting of an organization's Party life (组织生活)."""

    organization = RawColumn(label="党组织", required=False)
    kind = LabelColumn(
        label="会议类型", choices=_MEETING_KIND_BY_LABEL, invalid=gettext_lazy("会议类型应为：%(choices)s。")
    )
    held_on = DateColumn(label="召开日期", error_messages={"required": gettext_lazy("召开日期不能为空。")})
    topic = TextColumn(
        label="主题",
        max_length=_max_length(Meeting, "topic"),
        error_messages={"required": gettext_lazy("主题不能为空。")},
    )
    entitled = CountColumn(label="应到人数")
    present = CountColumn(label="实到人数")

    def clean_organization(self):
        return _organization_named(self.importer, self.cleaned_data["organization"])

    def clean_held_on(self):
        held_on = self.cleaned_data["held_on"]
        if held_on > timezone.localdate():
            raise ValidationError(_("召开日期不能晚于今天。"))
        return held_on

    def clean(self):
        data = super().clean()
        organization, kind, entitled = data.get("organization"), data.get("kind"), data.get("entitled")
        if entitled is not None and data.get("present") is not None and data["present"] > entitled:
            self.add_error("present", _("实到人数不能多于应到人数。"))
        if organization is not None and kind is not None:
            if (kind == MeetingKind.GROUP) != (organization.kind == OrganizationKind.GROUP):
                self.add_error("kind", _("党小组会只能由党小组召开，其他会议记在支部。"))
            eligible = self.importer.eligible(organization)
            if entitled is not None and entitled > eligible:
                self.add_error("entitled", _("应到人数多于该组织在册党员数（%(n)s）。") % {"n": eligible})
        if not self.errors:
            key = (organization.pk, kind, data["held_on"], data["topic"])
            if key in self.importer.seen:
                self.add_error("topic", _("与前面某行重复。"))
            self.importer.seen.add(key)
        return data


MEETING_HEADERS = MeetingRowForm.headers()


class MeetingsImport(WorkbookImport):
    sheet = MEETING_SHEET
    form_class = MeetingRowForm
    kind = "meetings"

    def prepare(self):
        self.organizations = _organizations(self.township)
        roster = PartyMember.objects.filter(township=self.township, is_active=True, stage__in=ACTIVE_MEMBER_STAGES)
        self.direct = dict(roster.values_list("organization_id").annotate(n=Count("pk")))
        self.eligible_by_roll = {}
        self.seen = set()

    def eligible(self, organization):
        """Members who may attend: a Party group's meeting draws on its branch's roll."""
        roll = organization.parent if organization.kind == OrganizationKind.GROUP else organization
        if roll.pk not in self.eligible_by_roll:
            self.eligible_by_roll[roll.pk] = sum(self.direct.get(pk, 0) for pk in _subtree_ids(roll))
        return self.eligible_by_roll[roll.pk]

    def write(self, rows):
        existing_q = Q(pk__in=[])
        for r in rows:
            d = r.data
            existing_q |= Q(organization=d["organization"], kind=d["kind"], held_on=d["held_on"], topic=d["topic"])
        existing = set(
            Meeting.objects.filter(existing_q)
            .exclude(status=EntryStatus.RETURNED)  # a returned record may be entered again
            .values_list("organization_id", "kind", "held_on", "topic")
        )
        new_rows = [
            r.data
            for r in rows
            if (r.data["organization"].pk, r.data["kind"], r.data["held_on"], r.data["topic"]) not in existing
        ]
        recorder = _recorder(self.actor)
        Meeting.objects.bulk_create(
            [
                Meeting(
                    organization=d["organization"],
                    township=self.township,
                    village_id=d["organization"].village_id,
                    kind=d["kind"],
                    held_on=d["held_on"],
                    topic=d["topic"],
                    entitled=d["entitled"],
                    present=d["present"],
                    recorded_by=recorder,
                )
                for d in new_rows
            ],
            batch_size=500,
        )
        if new_rows:
            since = min(d["held_on"] for d in new_rows)
            inputs_changed(county_id=self.township.county_id, since=since, actor=self.actor)
        return len(new_rows)


def meetings_import(*, actor, township, upload, request=None):
    """Import meeting records of one township's organizations."""
    return MeetingsImport(actor=actor, township=township, upload=upload, request=request).run()


def meetings_template():
    return _template(
        MEETING_SHEET,
        MEETING_HEADERS,
        MEETING_EXAMPLE,
        set(),
        {
            "会议类型": "、".join(_MEETING_KIND_BY_LABEL),
            "党组织": "填支部名称；党小组会填“支部名称/党小组名称”，如“中共李家村支部委员会/第一党小组”",
            "召开日期": "日期可写 2026-03-05、2026/3/5 或 2026年3月5日",
        },
    )
