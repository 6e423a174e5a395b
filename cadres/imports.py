"""Excel imports of the member roster and of meeting records.

Both run on the skeleton in townships.imports: every row is checked by its form
before anything is written; the whole file is written in one transaction or not
at all; a file already imported (same SHA-256) adds nothing, and rows already on
record (same ID number; same meeting) are skipped, so uploading a corrected file
again only adds what is new.
"""

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from townships.bulk import copy_objects
from townships.county_settings import settings_for
from townships.imports import (
    CountColumn,
    DateColumn,
    LabelColumn,
    RawColumn,
    RowForm,
    TextColumn,
    WorkbookImport,
)
from townships.xlsx import normalize_cell
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

from . import rules
from .choices import ETHNICITIES, Education, Gender, MeetingKind, Stage, Transition
from .identity import IdentityError, check_id_matches, normalize_phone, parse_id_number
from .models import Meeting, MembershipEvent, PartyMember, Person
from .services import ACTIVE_MEMBER_STAGES, _subtree_ids, household_key

ROSTER_SHEET = "党员名册"
# Examples for the template's instructions, in the column order of the row forms below.
ROSTER_EXAMPLE = [
    "张明",
    "男",
    "汉族",
    "1985-06-15",
    "41052319850615001X",
    "13812345678",
    "大学专科",
    "农民",
    "李家村三组12号",
    "中共李家村支部委员会",
    "正式党员",
    "2008-03-01",
    "2008-09-01",
    "2009-10-01",
    "2010-01-10",
    "2011-01-15",
]
MEETING_SHEET = "组织生活"
MEETING_EXAMPLE = ["中共李家村支部委员会", "主题党日", "2026-03-05", "学习贯彻全会精神", 25, 22]

_STAGE_BY_LABEL = {str(label): value for value, label in Stage.choices}
_EDUCATION_BY_LABEL = {str(label): value for value, label in Education.choices}
_GENDER_BY_LABEL = {"男": Gender.MALE, "女": Gender.FEMALE}
_MEETING_KIND_BY_LABEL = {str(label): value for value, label in MeetingKind.choices}
# The roster's dates in the order they happen, and the one each stage can't lack.
_DATES = ("applied_on", "activist_on", "candidate_on", "admitted_on", "confirmed_on")
_STAGE_DATE = {
    Stage.APPLICANT: "applied_on",
    Stage.ACTIVIST: "activist_on",
    Stage.CANDIDATE: "candidate_on",
    Stage.PROBATIONARY: "admitted_on",
    Stage.FULL: "admitted_on",
}

_PERSON_FIELDS = (
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "id_number",
    "phone",
    "education",
    "occupation",
    "household_address",
)


def _max_length(model, name):
    return model._meta.get_field(name).max_length


def _recorder(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _organizations(township):
    """Organizations by name; names repeat under different parents (第一党小组), so the
    qualified "上级组织/名称" always works and the plain name only where it is unique."""
    orgs = list(PartyOrganization.objects.filter(township=township, is_active=True).select_related("village", "parent"))
    counts = {}
    for org in orgs:
        counts[org.name] = counts.get(org.name, 0) + 1
    found = {}
    for org in orgs:
        # Keys normalized like the cells (NFKC turns full-width characters half-width).
        if org.parent is not None:
            found[normalize_cell(f"{org.parent.name}/{org.name}")] = org
        if counts[org.name] == 1:
            found[normalize_cell(org.name)] = org
    return found


def _organization_named(importer, value):
    organization = importer.organizations.get(value or "")
    if organization is None:
        raise ValidationError(_("本乡镇没有名为“%(name)s”的党组织。") % {"name": value or ""})
    return organization


# --- The roster -----------------------------------------------------------------


class RosterRowForm(RowForm):
    """One member of the roster (党员名册)."""

    name = TextColumn(
        label="姓名",
        max_length=_max_length(Person, "name"),
        error_messages={"required": gettext_lazy("姓名不能为空。")},
    )
    gender = LabelColumn(label="性别", choices=_GENDER_BY_LABEL, invalid=gettext_lazy("性别只能填“男”或“女”。"))
    ethnicity = LabelColumn(
        label="民族",
        choices={e: e for e in ETHNICITIES},
        required=False,
        default="汉族",
        invalid=gettext_lazy("民族名称不正确，如“汉族”“回族”。"),
    )
    birth_date = DateColumn(label="出生日期", error_messages={"required": gettext_lazy("出生日期不能为空。")})
    id_number = RawColumn(label="身份证号", error_messages={"required": gettext_lazy("身份证号不能为空。")})
    phone = RawColumn(label="联系电话", required=False)
    education = LabelColumn(
        label="学历", choices=_EDUCATION_BY_LABEL, required=False, invalid=gettext_lazy("学历应为：%(choices)s。")
    )
    occupation = TextColumn(label="职业", required=False, max_length=_max_length(Person, "occupation"))
    household_address = TextColumn(
        label="户籍地址", required=False, max_length=_max_length(Person, "household_address")
    )
    organization = RawColumn(label="所在党组织", required=False)
    stage = LabelColumn(label="发展阶段", choices=_STAGE_BY_LABEL, invalid=gettext_lazy("发展阶段应为：%(choices)s。"))
    applied_on = DateColumn(label="申请入党日期", required=False)
    activist_on = DateColumn(label="确定积极分子日期", required=False)
    candidate_on = DateColumn(label="列为发展对象日期", required=False)
    admitted_on = DateColumn(label="入党日期", required=False)
    confirmed_on = DateColumn(label="转正日期", required=False)

    def clean_id_number(self):
        raw = self.cleaned_data["id_number"]
        if isinstance(raw, int | float):
            raise ValidationError(_("身份证号被 Excel 存成了数字（会丢失末尾几位），请把该列设为“文本”后重新填写。"))
        gender = self.cleaned_data.get("gender")
        try:
            parsed = parse_id_number(raw)
            check_id_matches(
                parsed,
                birth_date=self.cleaned_data.get("birth_date"),
                is_male=(gender == Gender.MALE) if gender else None,
            )
        except IdentityError as exc:
            raise ValidationError(str(exc)) from None
        first = self.importer.id_rows.setdefault(parsed.number, self.row)
        if first != self.row:
            raise ValidationError(_("与第 %(row)s 行的身份证号重复。") % {"row": first})
        return parsed.number

    def clean_phone(self):
        value = self.cleaned_data["phone"]
        try:
            return normalize_phone(value if value is not None else "")
        except IdentityError as exc:
            raise ValidationError(str(exc)) from None

    def clean_organization(self):
        organization = _organization_named(self.importer, self.cleaned_data["organization"])
        if organization.kind == OrganizationKind.COMMITTEE and organization.parent_id is None:
            raise ValidationError(_("党员应登记在支部（或党总支、村党委），不能直接登记在乡镇党委。"))
        return organization

    def clean(self):
        data = super().clean()
        dates = {name: data[name] for name in _DATES if data.get(name)}
        stage = data.get("stage")
        if stage is not None and not dates.get(_STAGE_DATE[stage]):
            label = self.fields[_STAGE_DATE[stage]].label
            self.add_error(
                _STAGE_DATE[stage], _("“%(stage)s”须填写%(column)s。") % {"stage": Stage(stage).label, "column": label}
            )
        ordered = list(dates.items())
        for (earlier, d1), (later, d2) in zip(ordered, ordered[1:], strict=False):
            if d2 < d1:
                self.add_error(
                    later,
                    _("不能早于“%(earlier)s”（%(date)s）。")
                    % {"earlier": self.fields[earlier].label, "date": d1.isoformat()},
                )
        today = timezone.localdate()
        for name, day in dates.items():
            if day > today:
                self.add_error(name, _("日期不能晚于今天。"))
        return data


ROSTER_HEADERS = RosterRowForm.headers()


class RosterImport(WorkbookImport):
    sheet = ROSTER_SHEET
    form_class = RosterRowForm
    kind = "roster"

    def prepare(self):
        self.organizations = _organizations(self.township)
        self.id_rows = {}  # ID number -> the first row holding it

    def check_rows(self, rows, *, complete):
        # Rows already on record: same ID number. Another township's person is an error.
        self.existing = {
            p.id_number: p
            for p in Person.objects.filter(id_number__in=[r.data["id_number"] for r in rows]).only(
                "pk", "id_number", "township_id"
            )
        }
        return [
            self.cell_error(r.number, "身份证号", _("此身份证号已在其他乡镇登记，请先办理组织关系转接。"))
            for r in rows
            if self.existing.get(r.data["id_number"]) is not None
            and self.existing[r.data["id_number"]].township_id != self.township.pk
        ]

    def write(self, rows):
        township, recorder = self.township, _recorder(self.actor)
        new_rows = [r.data for r in rows if r.data["id_number"] not in self.existing]
        people = copy_objects(
            Person,
            [
                Person(
                    township=township,
                    village_id=r["organization"].village_id,
                    household_key=household_key(r["household_address"]),
                    **{f: r[f] for f in _PERSON_FIELDS},
                )
                for r in new_rows
            ],
        )
        probation_months = settings_for(township.county_id)["pipeline.probation_months"]
        members = []
        for r, person in zip(new_rows, people, strict=True):
            dates = {name: r[name] for name in _DATES if r[name]}
            member = PartyMember(
                person=person,
                organization=r["organization"],
                township=township,
                village_id=r["organization"].village_id,
                stage=r["stage"],
                **dates,
            )
            if r["stage"] in (Stage.ACTIVIST, Stage.CANDIDATE):
                member.last_reviewed_on = dates.get("candidate_on") or dates.get("activist_on")
            if r["stage"] == Stage.PROBATIONARY:
                member.probation_end = rules.add_months(dates["admitted_on"], probation_months)
            members.append(member)
        members = copy_objects(PartyMember, members)
        copy_objects(
            MembershipEvent,
            [
                MembershipEvent(
                    member=m,
                    transition=Transition.REGISTER,
                    on_date=r[_STAGE_DATE[r["stage"]]],
                    detail={"stage": r["stage"], "source": "roster_import"},
                    recorded_by=recorder,
                )
                for r, m in zip(new_rows, members, strict=True)
            ],
        )
        return len(new_rows)

    def already_imported_message(self, previous):
        return _("此文件已于 %(when)s 导入，本次未重复添加任何记录。") % {
            "when": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M")
        }

    def conflict_message(self):
        return _("导入时与已有记录冲突（可能有人同时导入了同一批人员），所有记录均未导入，请重试。")

    def success_message(self, created, skipped):
        return _("导入成功：新增 %(created)s 人，已有记录跳过 %(skipped)s 人。") % {
            "created": created,
            "skipped": skipped,
        }


def roster_import(*, actor, township, upload, request=None):
    """Import the member roster of one township (the user's scope decides which)."""
    return RosterImport(actor=actor, township=township, upload=upload, request=request).run()


# --- Meetings -------------------------------------------------------------------


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
        existing = set(Meeting.objects.filter(existing_q).values_list("organization_id", "kind", "held_on", "topic"))
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
        return len(new_rows)


def meetings_import(*, actor, township, upload, request=None):
    """Import meeting records of one township's organizations."""
    return MeetingsImport(actor=actor, township=township, upload=upload, request=request).run()


def _template(sheet_name, headers, example, text_columns, notes):
    """A template workbook: the header row, text-formatted columns, and a sheet of instructions."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for index, header in enumerate(headers, start=1):
        letter = sheet.cell(row=1, column=index).column_letter
        sheet.column_dimensions[letter].width = max(12, len(header) * 2 + 4)
        if header in text_columns:
            # Text format so Excel keeps all 18 digits of an ID number.
            for row in range(2, 2001):
                sheet.cell(row=row, column=index).number_format = "@"
    guide = workbook.create_sheet("填写说明")
    guide.append(["列", "示例", "说明"])
    for header, value in zip(headers, example, strict=True):
        cell_value = str(value)
        guide.append([header, cell_value, notes.get(header, "")])
    for row in guide.iter_rows():
        for cell in row:
            cell.data_type = "s"
    return workbook


def roster_template():
    return _template(
        ROSTER_SHEET,
        ROSTER_HEADERS,
        ROSTER_EXAMPLE,
        {"身份证号", "联系电话"},
        {
            "身份证号": "18 位，末位可为 X；请保持“文本”格式，否则 Excel 会截断",
            "所在党组织": "须与系统中本乡镇党组织名称完全一致",
            "发展阶段": "、".join(_STAGE_BY_LABEL),
            "学历": "、".join(_EDUCATION_BY_LABEL),
            "申请入党日期": "日期可写 2026-03-05、2026/3/5 或 2026年3月5日",
        },
    )


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
