"""The satisfaction survey import (满意度测评): one row per rater group of a survey; the rows of one
village Party organization, year, purpose and date make one survey. Every row and every survey is
checked (counts, groups, options, the minimum sample's reason) before any is written; then all are
written through ``survey_save`` in one transaction, or none."""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cadres.imports.common import _organization_named, _organizations, _template
from townships.county_settings import settings_for
from townships.imports import CountColumn, DateColumn, LabelColumn, RawColumn, RowForm

from .. import ballots
from ..choices import SurveyMethod, SurveyPurpose, TallyTarget
from ..county_settings import RATER_GROUPS, SATISFACTION_OPTIONS, rater_groups, satisfaction_options
from ..services.surveys import LATE_MONTHS, latest_held_on, survey_save
from .common import GroupRowsImport

SURVEY_SHEET = "满意度测评"
OPTION_HEADERS = {code: str(label) for code, label in SATISFACTION_OPTIONS.items()}


class SurveyRowForm(RowForm):
    """One rater group's ballots in one survey."""

    organization = RawColumn(label="村党组织", required=False)
    year = CountColumn(label="年度")
    held_on = DateColumn(label="测评日期", error_messages={"required": gettext_lazy("测评日期不能为空。")})
    purpose = LabelColumn(
        label="测评用途",
        choices={str(label): value for value, label in SurveyPurpose.choices},
        invalid=gettext_lazy("测评用途应为：%(choices)s。"),
    )
    method = LabelColumn(
        label="测评方式",
        choices={str(label): value for value, label in SurveyMethod.choices},
        invalid=gettext_lazy("测评方式应为：%(choices)s。"),
    )
    group = RawColumn(label="测评主体", required=False)
    issued = CountColumn(label="发出票数")
    returned = CountColumn(label="收回票数")
    invalid = CountColumn(label="无效票数")
    very = CountColumn(label=OPTION_HEADERS["very"])
    fairly = CountColumn(label=OPTION_HEADERS["fairly"])
    basic = CountColumn(label=OPTION_HEADERS["basic"])
    not_ = CountColumn(label=OPTION_HEADERS["not"])

    def clean_organization(self):
        organization = _organization_named(self.importer, self.cleaned_data["organization"])
        if organization.village_id is None:
            raise ValidationError(_("“%(n)s”不是村（社区）党组织。") % {"n": organization.name})
        return organization

    def clean_group(self):
        value = str(self.cleaned_data["group"] or "").strip()
        code = self.importer.groups.get(value)
        if code is None:
            raise ValidationError(_("测评主体应为本县设置的：%(ok)s。") % {"ok": "、".join(self.importer.groups)})
        return code

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year, held_on = data["year"], data["held_on"]
        if not 2000 <= year <= 2100:
            self.add_error("year", _("年度应在 2000 到 2100 之间。"))
        elif held_on > timezone.localdate():
            self.add_error("held_on", _("测评日期不能晚于今天。"))
        elif not datetime.date(year, 1, 1) <= held_on <= latest_held_on(year):
            self.add_error(
                "held_on",
                _("%(y)s 年度的测评日期应在 %(y)s 年内（年终测评最晚到次年 %(m)s 月）。")
                % {"y": year, "m": LATE_MONTHS},
            )
        group = ballots.Group(
            data["group"],
            self.importer.group_labels[data["group"]],
            data["issued"],
            data["returned"],
            data["invalid"],
            {"very": data["very"], "fairly": data["fairly"], "basic": data["basic"], "not": data["not_"]},
        )
        for problem in ballots.group_errors(group, self.importer.options):
            self.add_error(None, problem)
        return data


def _survey_key(data):
    return (data["organization"].pk, data["year"], data["purpose"], data["held_on"])


class SurveysImport(GroupRowsImport):
    sheet = SURVEY_SHEET
    form_class = SurveyRowForm
    kind = "surveys"
    same_group_message = gettext_lazy("与第 %(n)s 行是同一次测评的同一测评主体。")

    def prepare(self):
        conf = settings_for(self.township.county_id)
        self.organizations = _organizations(self.township)
        self.groups = {label: code for code, label in rater_groups(conf)}
        self.group_labels = dict(rater_groups(conf))
        self.options = satisfaction_options(conf)

    def tally_key(self, data):
        return _survey_key(data)

    def counts(self, data):
        return {"very": data["very"], "fairly": data["fairly"], "basic": data["basic"], "not": data["not_"]}

    def save_tally(self, first, groups):
        survey_save(
            actor=self.actor,
            target_kind=TallyTarget.ORGANIZATION,
            organization=first["organization"],
            year=first["year"],
            held_on=first["held_on"],
            purpose=first["purpose"],
            method=first["method"],
            groups=groups,
            request=self.request,
        )

    def success_message(self, created, skipped):
        return _("导入成功：新增满意度测评 %(c)s 次。") % {"c": created}


def surveys_import(*, actor, township, upload, request=None):
    return SurveysImport(actor=actor, township=township, upload=upload, request=request).run()


def surveys_template(conf):
    groups = [label for _code, label in rater_groups(conf)]
    example = ["中共李家村支部委员会", timezone.localdate().year - 1, "2025-12-15", "年终“三评”", "会议现场测评"]
    purposes = "、".join(str(label) for _v, label in SurveyPurpose.choices)
    methods = "、".join(str(label) for _v, label in SurveyMethod.choices)
    return _template(
        SURVEY_SHEET,
        SurveyRowForm.headers(),
        [*example, groups[0], 40, 38, 2, 20, 10, 4, 2],
        ["村党组织"],
        {
            "村党组织": _("本乡镇村（社区）党组织的名称；同一次测评（同一党组织、年度、用途、日期）每个测评主体一行"),
            "测评主体": _("本县设置的测评主体：%(g)s（其他可启用的：%(all)s）")
            % {"g": "、".join(groups), "all": "、".join(str(v) for v in RATER_GROUPS.values())},
            "测评用途": purposes,
            "测评方式": methods,
            "收回票数": _("不能多于发出票数"),
            "无效票数": _("不能多于收回票数"),
            OPTION_HEADERS["very"]: _("各选项票数合计应等于有效票（收回 − 无效）"),
        },
    )
