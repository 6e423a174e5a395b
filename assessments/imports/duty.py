"""The 述职 ballots import: one row per rater group of one person's 述职 — village cadres' 述职述廉
(sheet 述职述廉) or the township Party secretary's 述职评议 (sheet 述职评议). Every row is checked (the
village, the person and post, the rater group, the counts) before any is written; then every 述职 is
written through ``duty_review_save`` in one transaction, or none."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.choices import PostKind
from cadres.imports.common import _template
from cadres.models import Tenure
from townships.county_settings import settings_for
from townships.imports import CountColumn, DateColumn, LabelColumn, RawColumn, RowForm, TextColumn
from townships.xlsx import normalize_cell

from .. import ballots
from ..choices import DutyLevel
from ..county_settings import TOWNSHIP_DUTY_OPTIONS, VILLAGE_DUTY_OPTIONS, duty_groups, duty_options
from ..duty_forms import VILLAGE_POST_CHOICES
from ..services.duty import duty_review_save
from .common import GroupRowsImport

SHEETS = {DutyLevel.VILLAGE: "述职述廉", DutyLevel.TOWNSHIP: "述职评议"}


class _DutyRow(RowForm):
    person = RawColumn(label="姓名", required=False)
    year = CountColumn(label="年度")
    reported_on = DateColumn(label="述职日期", error_messages={"required": gettext_lazy("述职日期不能为空。")})
    meeting = TextColumn(label="述职会议", required=False)
    group = RawColumn(label="测评主体", required=False)
    issued = CountColumn(label="发出票数")
    returned = CountColumn(label="收回票数")
    invalid = CountColumn(label="无效票数")

    level = DutyLevel.VILLAGE
    options = VILLAGE_DUTY_OPTIONS

    def clean_group(self):
        value = normalize_cell(str(self.cleaned_data["group"] or ""))
        code = self.importer.groups.get(value)
        if code is None:
            raise ValidationError(_("测评主体应为本县设置的：%(ok)s。") % {"ok": "、".join(self.importer.groups)})
        return code

    def counts(self, data):
        return {code: data[code] for code in self.options}

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year = data["year"]
        if not 2000 <= year <= 2100:
            self.add_error("year", _("年度应在 2000 到 2100 之间。"))
            return data
        if data["reported_on"] > timezone.localdate():
            self.add_error("reported_on", _("日期不能晚于今天。"))
        data["person"] = self.find_person(data)
        group = ballots.Group(
            data["group"],
            self.importer.group_labels[data["group"]],
            data["issued"],
            data["returned"],
            data["invalid"],
            self.counts(data),
        )
        for problem in ballots.group_errors(group, self.importer.options):
            self.add_error(None, problem)
        return data


class VillageDutyRow(_DutyRow):
    village = RawColumn(label="村（社区）", required=False)
    post = LabelColumn(
        label="职务",
        choices={str(label): value for value, label in VILLAGE_POST_CHOICES},
        invalid=gettext_lazy("职务应为：%(choices)s。"),
    )
    excellent = CountColumn(label=str(VILLAGE_DUTY_OPTIONS["excellent"]))
    competent = CountColumn(label=str(VILLAGE_DUTY_OPTIONS["competent"]))
    basic = CountColumn(label=str(VILLAGE_DUTY_OPTIONS["basic"]))
    incompetent = CountColumn(label=str(VILLAGE_DUTY_OPTIONS["incompetent"]))

    def clean_village(self):
        village = self.importer.villages.get(normalize_cell(str(self.cleaned_data["village"] or "")))
        if village is None:
            raise ValidationError(_("本乡镇没有名为“%(n)s”的村（社区）。") % {"n": self.cleaned_data["village"] or ""})
        return village

    def find_person(self, data):
        name = normalize_cell(str(data["person"] or ""))
        found = self.importer.holders.get((data["village"].pk, data["post"], name), set())
        if len(found) != 1:
            self.add_error(
                "person",
                _("%(v)s没有任%(p)s的“%(n)s”。")
                % {"v": data["village"].name, "p": PostKind(data["post"]).label, "n": name}
                if not found
                else _("%(v)s有多位“%(n)s”，请在页面上逐一录入。") % {"v": data["village"].name, "n": name},
            )
            return None
        return next(iter(found))


class TownshipDutyRow(_DutyRow):
    good = CountColumn(label=str(TOWNSHIP_DUTY_OPTIONS["good"]))
    fair = CountColumn(label=str(TOWNSHIP_DUTY_OPTIONS["fair"]))
    average = CountColumn(label=str(TOWNSHIP_DUTY_OPTIONS["average"]))
    poor = CountColumn(label=str(TOWNSHIP_DUTY_OPTIONS["poor"]))

    level = DutyLevel.TOWNSHIP
    options = TOWNSHIP_DUTY_OPTIONS

    def find_person(self, data):
        name = normalize_cell(str(data["person"] or ""))
        found = self.importer.holders.get((None, PostKind.PARTY_SECRETARY, name), set())
        if len(found) != 1:
            self.add_error("person", _("本乡镇没有任党委书记的“%(n)s”。") % {"n": name})
            return None
        return next(iter(found))


def _key(data):
    return (getattr(data.get("village"), "pk", None), data.get("post"), data["person"].pk, data["year"])


class DutyImport(GroupRowsImport):
    kind = "duty"
    same_group_message = gettext_lazy("与第 %(n)s 行是同一人同一测评主体。")

    def __init__(self, *, level, **kwargs):
        super().__init__(**kwargs)
        self.level = level
        self.sheet = SHEETS[level]
        self.form_class = VillageDutyRow if level == DutyLevel.VILLAGE else TownshipDutyRow
        self.kind = f"duty-{level}"

    def prepare(self):
        conf = settings_for(self.township.county_id)
        groups = duty_groups(conf, self.level)
        self.groups = {normalize_cell(label): code for code, label, _w in groups}
        self.group_labels = {code: label for code, label, _w in groups}
        self.options = duty_options(conf, self.level)
        self.villages = {normalize_cell(v.name): v for v in self.township.villages.filter(is_active=True)}
        self.holders = {}
        for tenure in Tenure.objects.filter(township=self.township).select_related("person"):
            key = (tenure.village_id, tenure.post, normalize_cell(tenure.person.name))
            self.holders.setdefault(key, set()).add(tenure.person)

    def tally_key(self, data):
        return _key(data)

    def counts(self, data):
        return {code: data[code] for code in self.form_class.options}

    def save_tally(self, first, groups):
        duty_review_save(
            actor=self.actor,
            level=self.level,
            person=first["person"],
            post=first.get("post") or PostKind.PARTY_SECRETARY,
            township=self.township,
            village=first.get("village"),
            year=first["year"],
            reported_on=first["reported_on"],
            meeting=first["meeting"],
            groups=groups,
            request=self.request,
        )

    def success_message(self, created, skipped):
        return _("导入成功：新增述职测评 %(c)s 人次。") % {"c": created}


def duty_import(*, actor, township, upload, level, request=None):
    return DutyImport(actor=actor, township=township, upload=upload, level=level, request=request).run()


def duty_template(conf, level):
    groups = [label for _code, label, _w in duty_groups(conf, level)]
    year = timezone.localdate().year - 1
    form = VillageDutyRow if level == DutyLevel.VILLAGE else TownshipDutyRow
    if level == DutyLevel.VILLAGE:
        example = [
            "张三",
            year,
            f"{year}-12-20",
            "村党员大会",
            groups[0],
            40,
            38,
            2,
            "李家村",
            "村党组织书记",
            20,
            10,
            4,
            2,
        ]
    else:
        example = ["王五", year, f"{year}-12-28", "全县述职评议会", groups[0], 20, 20, 0, 15, 4, 1, 0]
    return _template(
        SHEETS[level],
        form.headers(),
        example,
        ["姓名"],
        {
            "测评主体": _("本县设置的测评主体：%(g)s；同一人的每个测评主体一行") % {"g": "、".join(groups)},
            "收回票数": _("不能多于发出票数"),
            "无效票数": _("不能多于收回票数"),
            "述职日期": datetime.date(year, 12, 20).isoformat(),
        },
    )
