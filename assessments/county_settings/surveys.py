"""Satisfaction surveys' options, weights, rater groups, bands and minimum sample, and 约谈."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef

from ..ballots import Band, Option
from .scoring import SURVEY, TALKS

# Where "last" is read in a quarterly bulletin (talk.last_scope).
LAST_SCOPES = {"township": gettext_lazy("乡镇内末位"), "county": gettext_lazy("全县末位")}

# The options of a satisfaction ballot (测评表) in the order printed; their weights are settings.
SATISFACTION_OPTIONS = {
    "very": gettext_lazy("满意"),
    "fairly": gettext_lazy("比较满意"),
    "basic": gettext_lazy("基本满意"),
    "not": gettext_lazy("不满意"),
}
# The rater groups a county may use (测评主体); which ones, and in what order, is a setting.
RATER_GROUPS = {
    "members": gettext_lazy("党员"),
    "representatives": gettext_lazy("村民代表"),
    "villagers": gettext_lazy("群众"),
    "cadres": gettext_lazy("村组干部"),
    "township": gettext_lazy("乡镇干部"),
    "enterprises": gettext_lazy("驻村单位及企业"),
}
_DEFAULT_WEIGHTS = {"very": 100, "fairly": 80, "basic": 60, "not": 0}

ASSESSMENT_SETTINGS = (
    *(
        SettingDef(
            f"survey.weight.{code}",
            SURVEY,
            gettext_lazy("“%(o)s”票权重") % {"o": label},
            _DEFAULT_WEIGHTS[code],
            0,
            100,
            gettext_lazy("分"),
            gettext_lazy("得分 = Σ 票数 × 权重 ÷ 有效票"),
        )
        for code, label in SATISFACTION_OPTIONS.items()
    ),
    SettingDef(
        "survey.rate_options",
        SURVEY,
        gettext_lazy("计入满意率的选项"),
        "very,fairly",
        0,
        0,
        "",
        gettext_lazy("满意率 = 所列选项票数 ÷ 有效票"),
        choices=SATISFACTION_OPTIONS,
        ordered_list=True,
    ),
    SettingDef(
        "survey.groups",
        SURVEY,
        gettext_lazy("测评主体（分组计票）"),
        "members,representatives,villagers",
        0,
        0,
        "",
        "",
        choices=RATER_GROUPS,
        ordered_list=True,
    ),
    SettingDef("survey.min_sample", SURVEY, gettext_lazy("最低有效样本"), 30, 1, 100000, gettext_lazy("张"), ""),
    SettingDef("survey.band.satisfied", SURVEY, gettext_lazy("“满意”档最低得分"), 85, 0, 100, gettext_lazy("分"), ""),
    SettingDef("survey.band.fairly", SURVEY, gettext_lazy("“比较满意”档最低得分"), 75, 0, 100, gettext_lazy("分"), ""),
    SettingDef("survey.band.basic", SURVEY, gettext_lazy("“基本满意”档最低得分"), 60, 0, 100, gettext_lazy("分"), ""),
    SettingDef(
        "weak.closing_survey_at_least",
        SURVEY,
        gettext_lazy("整顿销号须验收测评满意率达到（0 为不要求）"),
        0,
        0,
        100,
        "%",
        gettext_lazy("软弱涣散村党组织整顿验收"),
    ),
    SettingDef(
        "talk.last_quarters",
        TALKS,
        gettext_lazy("季度通报连续末位几个季度建议约谈"),
        2,
        1,
        8,
        gettext_lazy("个季度"),
        gettext_lazy("已发布的季度通报；同一人连续担任书记的季度"),
    ),
    SettingDef(
        "talk.last_scope",
        TALKS,
        gettext_lazy("末位的比较范围"),
        "township",
        0,
        0,
        "",
        gettext_lazy("乡镇内（至少 2 个村参与排名）或全县"),
        choices=LAST_SCOPES,
    ),
    SettingDef(
        "talk.petitions_above",
        TALKS,
        gettext_lazy("一个季度信访件数超过此数建议约谈（0 为不启用）"),
        5,
        0,
        100000,
        gettext_lazy("件"),
        gettext_lazy("月报“信访件数”，已审核的三个月合计"),
    ),
    SettingDef(
        "talk.review_fair_triggers",
        TALKS,
        gettext_lazy("述职评议“一般”也建议约谈（1 是，0 仅“差”）"),
        1,
        0,
        1,
        "",
        gettext_lazy("《党委（党组）书记抓基层党建工作述职评议考核办法》"),
    ),
    SettingDef(
        "talk.weak_triggers",
        TALKS,
        gettext_lazy("认定软弱涣散即建议约谈村党组织书记（1 是，0 否）"),
        1,
        0,
        1,
    ),
    SettingDef(
        "talk.follow_up_days",
        TALKS,
        gettext_lazy("约谈后默认回访期限"),
        30,
        1,
        365,
        gettext_lazy("天"),
    ),
)


def satisfaction_options(conf):
    rate = set(conf["survey.rate_options"].split(","))
    return [
        Option(code, str(label), Decimal(conf[f"survey.weight.{code}"]), code in rate)
        for code, label in SATISFACTION_OPTIONS.items()
    ]


def satisfaction_bands(conf):
    return [
        Band("satisfied", str(SATISFACTION_OPTIONS["very"]), Decimal(conf["survey.band.satisfied"])),
        Band("fairly", str(SATISFACTION_OPTIONS["fairly"]), Decimal(conf["survey.band.fairly"])),
        Band("basic", str(SATISFACTION_OPTIONS["basic"]), Decimal(conf["survey.band.basic"])),
        Band("not", str(SATISFACTION_OPTIONS["not"]), Decimal(-1)),
    ]


def rater_groups(conf):
    """[(code, label)] of the county's rater groups, in order."""
    return [(code, str(RATER_GROUPS[code])) for code in conf["survey.groups"].split(",")]
