"""The member roster import (党员名册): people and their membership records, with the pipeline's dates."""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from townships.bulk import copy_objects
from townships.county_settings import settings_for
from townships.imports import (
    DateColumn,
    LabelColumn,
    RawColumn,
    RowForm,
    TextColumn,
    WorkbookImport,
)
from townships.inputs import inputs_changed
from villages.choices import OrganizationKind

from .. import rules
from ..choices import ETHNICITIES, Education, Gender, Stage, Transition
from ..identity import IdentityError, check_id_matches, normalize_phone, parse_id_number
from ..models import MembershipEvent, PartyMember, Person
from ..services import household_key
from .common import _max_length, _organization_named, _organizations, _recorder, _template

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

_STAGE_BY_LABEL = {str(label): value for value, label in Stage.choices}
_EDUCATION_BY_LABEL = {str(label): value for value, label in Education.choices}
_GENDER_BY_LABEL = {"男": Gender.MALE, "女": Gender.FEMALE}
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
        if new_rows:
            since = min(r[_STAGE_DATE[r["stage"]]] for r in new_rows)
            inputs_changed(county_id=township.county_id, since=since, actor=self.actor)
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
