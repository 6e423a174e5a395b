"""Excel imports of the member roster and of meeting records.

Every row is validated before anything is written; the whole file is written
in one transaction or not at all; a file already imported (same SHA-256) adds
nothing, and rows already on record (same ID number; same meeting) are skipped,
so uploading a corrected file again only adds what is new.
"""

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from townships.choices import AuditAction
from townships.county_settings import settings_for
from townships.models import ImportBatch
from townships.services import audit_record
from townships.xlsx import CellError, WorkbookRejected, iter_sheet_rows, normalize_cell, open_workbook, parse_date
from villages.choices import OrganizationKind
from villages.models import PartyOrganization

from . import rules
from .choices import ETHNICITIES, Education, Gender, MeetingKind, Stage, Transition
from .identity import IdentityError, check_id_matches, normalize_phone, parse_id_number
from .models import Meeting, MembershipEvent, PartyMember, Person
from .services import ACTIVE_MEMBER_STAGES, household_key

ROSTER_SHEET = "党员名册"
ROSTER_HEADERS = [
    "姓名",
    "性别",
    "民族",
    "出生日期",
    "身份证号",
    "联系电话",
    "学历",
    "职业",
    "户籍地址",
    "所在党组织",
    "发展阶段",
    "申请入党日期",
    "确定积极分子日期",
    "列为发展对象日期",
    "入党日期",
    "转正日期",
]
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
MEETING_HEADERS = ["党组织", "会议类型", "召开日期", "主题", "应到人数", "实到人数"]
MEETING_EXAMPLE = ["中共李家村支部委员会", "主题党日", "2026-03-05", "学习贯彻全会精神", 25, 22]

_DATE_COLUMNS = {
    "申请入党日期": "applied_on",
    "确定积极分子日期": "activist_on",
    "列为发展对象日期": "candidate_on",
    "入党日期": "admitted_on",
    "转正日期": "confirmed_on",
}
_STAGE_BY_LABEL = {str(label): value for value, label in Stage.choices}
_EDUCATION_BY_LABEL = {str(label): value for value, label in Education.choices}
_GENDER_BY_LABEL = {"男": Gender.MALE, "女": Gender.FEMALE}
_MEETING_KIND_BY_LABEL = {str(label): value for value, label in MeetingKind.choices}
_STAGE_DATE = {
    Stage.APPLICANT: "applied_on",
    Stage.ACTIVIST: "activist_on",
    Stage.CANDIDATE: "candidate_on",
    Stage.PROBATIONARY: "admitted_on",
    Stage.FULL: "admitted_on",
}


@dataclass
class ImportResult:
    ok: bool
    errors: list = field(default_factory=list)  # CellError
    message: str = ""
    rows: int = 0
    created: int = 0
    skipped: int = 0
    already_imported: bool = False


def _digest(upload):
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in iter(lambda: upload.read(65536), b""):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def _previous_batch(county_id, kind, sha):
    return ImportBatch.objects.filter(county_id=county_id, kind=kind, sha256=sha).select_related("township").first()


def another_townships_file(previous, township):
    """The refusal when the same file was imported by another township (None otherwise).

    Checked before "already imported": for this township the file is not a duplicate
    but someone else's, and saying "已导入" would hide that."""
    if previous is None or previous.township_id in (None, township.pk):
        return None
    return ImportResult(
        ok=False,
        message=_("该文件已由%(t)s导入，不是本乡镇（%(own)s）的文件。")
        % {"t": previous.township.name, "own": township.name},
    )


def _open(upload, sheet_name):
    workbook = open_workbook(upload)
    if sheet_name not in workbook.sheetnames:
        raise WorkbookRejected(_("找不到工作表“%(sheet)s”，请使用系统提供的模板。") % {"sheet": sheet_name})
    return workbook, workbook[sheet_name]


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


def roster_import(*, actor, township, upload, request=None):
    """Import the member roster of one township (the user's scope decides which)."""
    sha = _digest(upload)
    previous = _previous_batch(township.county_id, "roster", sha)
    if refusal := another_townships_file(previous, township):
        return refusal
    if previous is not None:
        return ImportResult(
            ok=True,
            already_imported=True,
            message=_("此文件已于 %(when)s 导入，本次未重复添加任何记录。")
            % {"when": timezone.localtime(previous.created_at).strftime("%Y-%m-%d %H:%M")},
        )
    try:
        workbook, sheet = _open(upload, ROSTER_SHEET)
    except WorkbookRejected as exc:
        return ImportResult(ok=False, message=str(exc))
    organizations = _organizations(township)
    errors, parsed, seen_ids = [], [], {}
    try:
        rows = list(iter_sheet_rows(sheet, ROSTER_HEADERS))
    except WorkbookRejected as exc:
        workbook.close()
        return ImportResult(ok=False, message=str(exc))
    workbook.close()

    def err(row, column, message):
        errors.append(CellError(ROSTER_SHEET, row, column, message))

    for number, values in rows:
        row_errors = len(errors)
        name = values["姓名"]
        if not name:
            err(number, "姓名", _("姓名不能为空。"))
        gender = _GENDER_BY_LABEL.get(values["性别"] or "")
        if gender is None:
            err(number, "性别", _("性别只能填“男”或“女”。"))
        ethnicity = values["民族"] or "汉族"
        if ethnicity not in ETHNICITIES:
            err(number, "民族", _("民族名称不正确，如“汉族”“回族”。"))
        birth_date = None
        try:
            birth_date = parse_date(values["出生日期"])
            if birth_date is None:
                err(number, "出生日期", _("出生日期不能为空。"))
        except ValueError as exc:
            err(number, "出生日期", str(exc))
        raw_id = values["身份证号"]
        id_number = None
        if isinstance(raw_id, int | float):
            err(number, "身份证号", _("身份证号被 Excel 存成了数字（会丢失末尾几位），请把该列设为“文本”后重新填写。"))
        elif not raw_id:
            err(number, "身份证号", _("身份证号不能为空。"))
        else:
            try:
                parsed_id = parse_id_number(raw_id)
                check_id_matches(
                    parsed_id,
                    birth_date=birth_date,
                    is_male=(gender == Gender.MALE) if gender else None,
                )
                id_number = parsed_id.number
                if id_number in seen_ids:
                    err(number, "身份证号", _("与第 %(row)s 行的身份证号重复。") % {"row": seen_ids[id_number]})
                seen_ids.setdefault(id_number, number)
            except IdentityError as exc:
                err(number, "身份证号", str(exc))
        phone = ""
        try:
            phone = normalize_phone(values["联系电话"] if values["联系电话"] is not None else "")
        except IdentityError as exc:
            err(number, "联系电话", str(exc))
        education = ""
        if values["学历"]:
            education = _EDUCATION_BY_LABEL.get(values["学历"])
            if education is None:
                err(number, "学历", _("学历应为：%(choices)s。") % {"choices": "、".join(_EDUCATION_BY_LABEL)})
        organization = organizations.get(values["所在党组织"] or "")
        if organization is None:
            err(number, "所在党组织", _("本乡镇没有名为“%(name)s”的党组织。") % {"name": values["所在党组织"] or ""})
        elif organization.kind == OrganizationKind.COMMITTEE and organization.parent_id is None:
            err(number, "所在党组织", _("党员应登记在支部（或党总支、村党委），不能直接登记在乡镇党委。"))
        stage = _STAGE_BY_LABEL.get(values["发展阶段"] or "")
        if stage is None:
            err(number, "发展阶段", _("发展阶段应为：%(choices)s。") % {"choices": "、".join(_STAGE_BY_LABEL)})
        dates = {}
        for column, field_name in _DATE_COLUMNS.items():
            try:
                value = parse_date(values[column])
            except ValueError as exc:
                err(number, column, str(exc))
                continue
            if value is not None:
                dates[field_name] = value
        if stage is not None and not dates.get(_STAGE_DATE[stage]):
            label = next(c for c, f in _DATE_COLUMNS.items() if f == _STAGE_DATE[stage])
            err(number, label, _("“%(stage)s”须填写%(column)s。") % {"stage": Stage(stage).label, "column": label})
        ordered = [(c, dates.get(f)) for c, f in _DATE_COLUMNS.items() if dates.get(f)]
        for (c1, d1), (c2, d2) in zip(ordered, ordered[1:], strict=False):
            if d2 < d1:
                err(number, c2, _("不能早于“%(earlier)s”（%(date)s）。") % {"earlier": c1, "date": d1.isoformat()})
        today = timezone.localdate()
        for column, field_name in _DATE_COLUMNS.items():
            if dates.get(field_name) and dates[field_name] > today:
                err(number, column, _("日期不能晚于今天。"))
        if len(errors) == row_errors:
            parsed.append(
                {
                    "row": number,
                    "person": {
                        "name": name,
                        "gender": gender,
                        "ethnicity": ethnicity,
                        "birth_date": birth_date,
                        "id_number": id_number,
                        "phone": phone,
                        "education": education or "",
                        "occupation": values["职业"] or "",
                        "household_address": values["户籍地址"] or "",
                    },
                    "organization": organization,
                    "stage": stage,
                    "dates": dates,
                }
            )
    # Rows already on record: same ID number. Another township's person is an error.
    existing = {
        p.id_number: p
        for p in Person.objects.filter(id_number__in=[r["person"]["id_number"] for r in parsed]).only(
            "pk", "id_number", "township_id"
        )
    }
    for row in parsed:
        person = existing.get(row["person"]["id_number"])
        if person is not None and person.township_id != township.pk:
            err(row["row"], "身份证号", _("此身份证号已在其他乡镇登记，请先办理组织关系转接。"))
    if errors:
        errors.sort(key=lambda e: (e.row, ROSTER_HEADERS.index(e.column) if e.column in ROSTER_HEADERS else 99))
        return ImportResult(
            ok=False,
            errors=errors,
            rows=len(rows),
            message=_("共 %(n)s 处错误，所有记录均未导入。请修改后重新上传。") % {"n": len(errors)},
        )
    new_rows = [r for r in parsed if r["person"]["id_number"] not in existing]
    conf = settings_for(township.county_id)
    try:
        with transaction.atomic():
            ImportBatch.objects.create(
                county_id=township.county_id,
                township=township,
                kind="roster",
                sha256=sha,
                filename=(getattr(upload, "name", "") or "")[:200],
                rows=len(rows),
                created=len(new_rows),
                created_by=actor if getattr(actor, "is_authenticated", False) else None,
            )
            people = Person.objects.bulk_create(
                [
                    Person(
                        township=township,
                        village_id=r["organization"].village_id,
                        household_key=household_key(r["person"]["household_address"]),
                        **r["person"],
                    )
                    for r in new_rows
                ],
                batch_size=500,
            )
            members = []
            for r, person in zip(new_rows, people, strict=True):
                member = PartyMember(
                    person=person,
                    organization=r["organization"],
                    township=township,
                    village_id=r["organization"].village_id,
                    stage=r["stage"],
                    **r["dates"],
                )
                if r["stage"] in (Stage.ACTIVIST, Stage.CANDIDATE):
                    member.last_reviewed_on = r["dates"].get("candidate_on") or r["dates"].get("activist_on")
                if r["stage"] == Stage.PROBATIONARY:
                    member.probation_end = rules.add_months(
                        r["dates"]["admitted_on"], conf["pipeline.probation_months"]
                    )
                members.append(member)
            members = PartyMember.objects.bulk_create(members, batch_size=500)
            MembershipEvent.objects.bulk_create(
                [
                    MembershipEvent(
                        member=m,
                        transition=Transition.REGISTER,
                        on_date=r["dates"][_STAGE_DATE[r["stage"]]],
                        detail={"stage": r["stage"], "source": "roster_import"},
                        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                    )
                    for r, m in zip(new_rows, members, strict=True)
                ],
                batch_size=500,
            )
            audit_record(
                actor=actor,
                action=AuditAction.IMPORT,
                target=township,
                detail={"kind": "roster", "rows": len(rows), "created": len(new_rows), "sha256": sha},
                request=request,
            )
    except IntegrityError:
        return ImportResult(
            ok=False, message=_("导入时与已有记录冲突（可能有人同时导入了同一批人员），所有记录均未导入，请重试。")
        )
    return ImportResult(
        ok=True,
        rows=len(rows),
        created=len(new_rows),
        skipped=len(parsed) - len(new_rows),
        message=_("导入成功：新增 %(created)s 人，已有记录跳过 %(skipped)s 人。")
        % {"created": len(new_rows), "skipped": len(parsed) - len(new_rows)},
    )


def meetings_import(*, actor, township, upload, request=None):
    """Import meeting records of one township's organizations."""
    from django.db.models import Count, Q

    from .services import _subtree_ids

    sha = _digest(upload)
    previous = _previous_batch(township.county_id, "meetings", sha)
    if refusal := another_townships_file(previous, township):
        return refusal
    if previous is not None:
        return ImportResult(ok=True, already_imported=True, message=_("此文件已导入过，本次未重复添加任何记录。"))
    try:
        workbook, sheet = _open(upload, MEETING_SHEET)
        rows = list(iter_sheet_rows(sheet, MEETING_HEADERS))
        workbook.close()
    except WorkbookRejected as exc:
        return ImportResult(ok=False, message=str(exc))
    organizations = _organizations(township)
    roster = PartyMember.objects.filter(township=township, is_active=True, stage__in=ACTIVE_MEMBER_STAGES)
    direct = dict(roster.values_list("organization_id").annotate(n=Count("pk")))
    errors, parsed, seen = [], [], set()
    today = timezone.localdate()

    def err(row, column, message):
        errors.append(CellError(MEETING_SHEET, row, column, message))

    eligible_cache = {}

    def eligible(org):
        # Members are kept on their branch's roll; a Party group's meeting draws on its branch.
        roll = org.parent if org.kind == OrganizationKind.GROUP else org
        if roll.pk not in eligible_cache:
            eligible_cache[roll.pk] = sum(direct.get(pk, 0) for pk in _subtree_ids(roll))
        return eligible_cache[roll.pk]

    for number, values in rows:
        before = len(errors)
        org = organizations.get(values["党组织"] or "")
        if org is None:
            err(number, "党组织", _("本乡镇没有名为“%(name)s”的党组织。") % {"name": values["党组织"] or ""})
        kind = _MEETING_KIND_BY_LABEL.get(values["会议类型"] or "")
        if kind is None:
            err(number, "会议类型", _("会议类型应为：%(c)s。") % {"c": "、".join(_MEETING_KIND_BY_LABEL)})
        held_on = None
        try:
            held_on = parse_date(values["召开日期"])
            if held_on is None:
                err(number, "召开日期", _("召开日期不能为空。"))
            elif held_on > today:
                err(number, "召开日期", _("召开日期不能晚于今天。"))
        except ValueError as exc:
            err(number, "召开日期", str(exc))
        topic = values["主题"]
        if not topic:
            err(number, "主题", _("主题不能为空。"))
        counts = {}
        for column in ("应到人数", "实到人数"):
            value = values[column]
            try:
                count = int(value)
                if count < 0 or count != float(value):
                    raise ValueError
                counts[column] = count
            except (TypeError, ValueError):
                err(number, column, _("请填写不小于 0 的整数。"))
        if len(counts) == 2 and counts["实到人数"] > counts["应到人数"]:
            err(number, "实到人数", _("实到人数不能多于应到人数。"))
        if org is not None and kind is not None:
            if (kind == MeetingKind.GROUP) != (org.kind == OrganizationKind.GROUP):
                err(number, "会议类型", _("党小组会只能由党小组召开，其他会议记在支部。"))
            if "应到人数" in counts and counts["应到人数"] > eligible(org):
                err(number, "应到人数", _("应到人数多于该组织在册党员数（%(n)s）。") % {"n": eligible(org)})
        if len(errors) == before:
            key = (org.pk, kind, held_on, topic)
            if key in seen:
                err(number, "主题", _("与前面某行重复。"))
                continue
            seen.add(key)
            parsed.append({"organization": org, "kind": kind, "held_on": held_on, "topic": topic, **counts})
    if errors:
        return ImportResult(
            ok=False,
            errors=errors,
            rows=len(rows),
            message=_("共 %(n)s 处错误，所有记录均未导入。请修改后重新上传。") % {"n": len(errors)},
        )
    existing_q = Q(pk__in=[])
    for r in parsed:
        existing_q |= Q(organization=r["organization"], kind=r["kind"], held_on=r["held_on"], topic=r["topic"])
    existing = set(Meeting.objects.filter(existing_q).values_list("organization_id", "kind", "held_on", "topic"))
    new_rows = [r for r in parsed if (r["organization"].pk, r["kind"], r["held_on"], r["topic"]) not in existing]
    with transaction.atomic():
        ImportBatch.objects.create(
            county_id=township.county_id,
            township=township,
            kind="meetings",
            sha256=sha,
            filename=(getattr(upload, "name", "") or "")[:200],
            rows=len(rows),
            created=len(new_rows),
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        Meeting.objects.bulk_create(
            [
                Meeting(
                    organization=r["organization"],
                    township=township,
                    village_id=r["organization"].village_id,
                    kind=r["kind"],
                    held_on=r["held_on"],
                    topic=r["topic"],
                    entitled=r["应到人数"],
                    present=r["实到人数"],
                    recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
                )
                for r in new_rows
            ],
            batch_size=500,
        )
        audit_record(
            actor=actor,
            action=AuditAction.IMPORT,
            target=township,
            detail={"kind": "meetings", "rows": len(rows), "created": len(new_rows), "sha256": sha},
            request=request,
        )
    return ImportResult(
        ok=True,
        rows=len(rows),
        created=len(new_rows),
        skipped=len(parsed) - len(new_rows),
        message=_("导入成功：新增 %(c)s 条，已有记录跳过 %(s)s 条。")
        % {"c": len(new_rows), "s": len(parsed) - len(new_rows)},
    )


def _template(sheet_name, headers, example, text_columns, notes):
    """A template workbook: the header row, text-formatted columns, and a sheet of instructions."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

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
