"""The assessment's own county settings (registered with townships.county_settings when the app is
ready): the 千分制 (report deadline, annual composite, grades and the 优秀 quota, removal, the
weak-and-lax clues), satisfaction surveys' options, weights, rater groups, bands and minimum sample,
talks, and the 述职 ballots."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from cadres.county_settings import ALERT
from townships.county_settings import SettingDef, SettingGroup

from .ballots import Band, Option

# The page lists its groups by weight, after the cadres' (预警 is 40).
ASSESS = SettingGroup(gettext_lazy("千分制考核"), 50)
SURVEY = SettingGroup(gettext_lazy("满意度测评"), 60)
TALKS = SettingGroup(gettext_lazy("约谈"), 70)

RATING_SETTINGS = (
    # 千分制 (DOMAIN §6)
    SettingDef("report.deadline_day", ASSESS, gettext_lazy("月报报送截止日（次月）"), 5, 1, 28, gettext_lazy("日"), ""),
    SettingDef("annual.weight_daily", ASSESS, gettext_lazy("年度综合：日常考核权重"), 40, 0, 100, "%", ""),
    SettingDef("annual.weight_concentrated", ASSESS, gettext_lazy("年度综合：集中考核权重"), 40, 0, 100, "%", ""),
    SettingDef("annual.weight_vote", ASSESS, gettext_lazy("年度综合：民主测评权重"), 20, 0, 100, "%", ""),
    # Grade bands are shares of the scheme's full marks, so a 100- or 1200-point scheme grades alike.
    SettingDef("grade.excellent_share", ASSESS, gettext_lazy("优秀分数线（占满分比例）"), 0.9, 0.5, 1.0, "", ""),
    SettingDef("grade.competent_share", ASSESS, gettext_lazy("称职分数线（占满分比例）"), 0.75, 0.3, 1.0, "", ""),
    SettingDef("grade.basic_share", ASSESS, gettext_lazy("基本称职分数线（占满分比例）"), 0.6, 0.1, 1.0, "", ""),
    SettingDef("grade.excellent_quota", ASSESS, gettext_lazy("优秀名额比例"), 0.15, 0.0, 0.5, "", ""),
    SettingDef(
        "grade.quota_rounding",
        ASSESS,
        gettext_lazy("优秀名额取整方式"),
        "floor",
        0,
        0,
        "",
        gettext_lazy("名额是上限，默认向下取整"),
        choices={
            "floor": gettext_lazy("向下取整"),
            "round": gettext_lazy("四舍五入"),
            "ceil": gettext_lazy("向上取整"),
        },
    ),
    SettingDef(
        "grade.quota_min_pool",
        ASSESS,
        gettext_lazy("达到此人数的单位至少有 1 个优秀名额（0 为不设）"),
        5,
        0,
        100,
        gettext_lazy("人"),
        "",
    ),
    SettingDef(
        "grade.quota_scope",
        ASSESS,
        gettext_lazy("优秀名额计算范围"),
        "county",
        0,
        0,
        "",
        "",
        choices={"county": gettext_lazy("全县统一"), "township": gettext_lazy("按乡镇分配")},
    ),
    SettingDef(
        "grade.tie_break",
        ASSESS,
        gettext_lazy("名额边界并列时的比较依据（依次）"),
        "vote,concentrated",
        0,
        0,
        "",
        gettext_lazy("仍并列的交县委组织部决定"),
        choices={
            "vote": gettext_lazy("民主测评得分"),
            "concentrated": gettext_lazy("集中考核得分"),
            "daily": gettext_lazy("日常考核得分"),
        },
        ordered_list=True,
    ),
    SettingDef(
        "annual.min_months", ASSESS, gettext_lazy("参加年度评定的最少任职月数"), 6, 1, 12, gettext_lazy("个月"), ""
    ),
    SettingDef(
        "grade.incompetent_vote_share", ASSESS, gettext_lazy("“不称职”票达到此比例定为不称职"), 0.3, 0.1, 1.0, "", ""
    ),
    SettingDef(
        "removal.consecutive",
        ASSESS,
        gettext_lazy("连续不称职次数（调整退出）"),
        2,
        1,
        5,
        gettext_lazy("次"),
        "村党组织书记退出办法",
    ),
    SettingDef(
        "removal.total",
        ASSESS,
        gettext_lazy("累计不称职次数（调整退出）"),
        3,
        1,
        10,
        gettext_lazy("次"),
        "村党组织书记退出办法",
    ),
    SettingDef(
        "removal.gap_breaks",
        ASSESS,
        gettext_lazy("未参加评定的年度中断“连续”（1 是，0 否）"),
        0,
        0,
        1,
        "",
        gettext_lazy("默认 0：“连续两次考核”指本人相邻的两次考核"),
    ),
    # 软弱涣散 candidates the records point at (DOMAIN §6: satisfaction below 60%, petitions concentrated).
    SettingDef("weak.satisfaction_below", ALERT, gettext_lazy("软弱涣散线索：群众满意度低于"), 60, 0, 100, "%", ""),
    SettingDef(
        "weak.petitions_at_least",
        ALERT,
        gettext_lazy("软弱涣散线索：上月信访达到"),
        5,
        1,
        100,
        gettext_lazy("件"),
        "",
    ),
)

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


# --- 述职述廉 of village cadres and 述职评议 of township Party secretaries ------------------------

VILLAGE_DUTY = SettingGroup(gettext_lazy("村干部述职述廉"), 80)
TOWNSHIP_DUTY = SettingGroup(gettext_lazy("乡镇党委书记述职评议"), 90)

# The options of a village cadre's 述职述廉 ballot; the last one is what the 不称职 share counts.
VILLAGE_DUTY_OPTIONS = {
    "excellent": gettext_lazy("优秀"),
    "competent": gettext_lazy("称职"),
    "basic": gettext_lazy("基本称职"),
    "incompetent": gettext_lazy("不称职"),
}
VILLAGE_DUTY_GROUPS = {
    "members": gettext_lazy("党员"),
    "representatives": gettext_lazy("村民代表"),
    "township": gettext_lazy("乡镇领导"),
    "cadres": gettext_lazy("村组干部"),
    "villagers": gettext_lazy("群众"),
}
TOWNSHIP_DUTY_OPTIONS = {
    "good": gettext_lazy("好"),
    "fair": gettext_lazy("较好"),
    "average": gettext_lazy("一般"),
    "poor": gettext_lazy("差"),
}
TOWNSHIP_DUTY_GROUPS = {
    "county_committee": gettext_lazy("县委委员"),
    "departments": gettext_lazy("县直部门"),
    "leaders": gettext_lazy("乡镇班子成员"),
    "secretaries": gettext_lazy("村党组织书记"),
    "representatives": gettext_lazy("党员群众代表"),
}
_VILLAGE_DUTY_WEIGHTS = {"excellent": 100, "competent": 80, "basic": 60, "incompetent": 0}
_VILLAGE_GROUP_WEIGHTS = {"members": 40, "representatives": 40, "township": 20, "cadres": 20, "villagers": 20}
_TOWNSHIP_DUTY_WEIGHTS = {"good": 100, "fair": 80, "average": 60, "poor": 0}
_TOWNSHIP_GROUP_WEIGHTS = {
    "county_committee": 30,
    "departments": 20,
    "leaders": 15,
    "secretaries": 20,
    "representatives": 15,
}
_SCORE = gettext_lazy("测评得分 = Σ 组权重 × 组得分 ÷ Σ 组权重（无有效票的组不计，权重按其余各组重新折算）")


def _weights(prefix, group, options, defaults, what):
    return tuple(
        SettingDef(
            f"{prefix}.{code}",
            group,
            gettext_lazy("“%(o)s”%(w)s") % {"o": label, "w": what},
            defaults[code],
            0,
            100,
            gettext_lazy("分") if what == gettext_lazy("票权重") else "",
            _SCORE,
        )
        for code, label in options.items()
    )


DUTY_SETTINGS = (
    *_weights("duty.village.weight", VILLAGE_DUTY, VILLAGE_DUTY_OPTIONS, _VILLAGE_DUTY_WEIGHTS, gettext_lazy("票权重")),
    SettingDef(
        "duty.village.groups",
        VILLAGE_DUTY,
        gettext_lazy("述职述廉测评主体"),
        "members,representatives,township",
        0,
        0,
        choices=VILLAGE_DUTY_GROUPS,
        ordered_list=True,
    ),
    *_weights(
        "duty.village.group_weight", VILLAGE_DUTY, VILLAGE_DUTY_GROUPS, _VILLAGE_GROUP_WEIGHTS, gettext_lazy("组权重")
    ),
    SettingDef(
        "duty.village.deputies",
        VILLAGE_DUTY,
        gettext_lazy("副书记、“两委”委员也须述职述廉（1 是，0 否）"),
        0,
        0,
        1,
        "",
        gettext_lazy("书记和村委会主任每年述职述廉（seeds/002）"),
    ),
    SettingDef("duty.min_sample", VILLAGE_DUTY, gettext_lazy("述职测评最低有效票"), 10, 1, 100000, gettext_lazy("张")),
    *_weights(
        "duty.township.weight", TOWNSHIP_DUTY, TOWNSHIP_DUTY_OPTIONS, _TOWNSHIP_DUTY_WEIGHTS, gettext_lazy("票权重")
    ),
    SettingDef(
        "duty.township.groups",
        TOWNSHIP_DUTY,
        gettext_lazy("述职评议测评主体"),
        "county_committee,departments,leaders,secretaries,representatives",
        0,
        0,
        choices=TOWNSHIP_DUTY_GROUPS,
        ordered_list=True,
    ),
    *_weights(
        "duty.township.group_weight",
        TOWNSHIP_DUTY,
        TOWNSHIP_DUTY_GROUPS,
        _TOWNSHIP_GROUP_WEIGHTS,
        gettext_lazy("组权重"),
    ),
    SettingDef(
        "duty.township.weight_vote",
        TOWNSHIP_DUTY,
        gettext_lazy("综合得分中述职测评的权重"),
        40,
        0,
        100,
        "%",
        gettext_lazy("综合 = 述职测评 × 40% + 年度考核（折合百分）× 60%"),
    ),
    SettingDef("duty.township.weight_annual", TOWNSHIP_DUTY, gettext_lazy("综合得分中年度考核的权重"), 60, 0, 100, "%"),
    SettingDef(
        "duty.township.band.good", TOWNSHIP_DUTY, gettext_lazy("“好”最低综合得分"), 90, 0, 100, gettext_lazy("分")
    ),
    SettingDef(
        "duty.township.band.fair", TOWNSHIP_DUTY, gettext_lazy("“较好”最低综合得分"), 80, 0, 100, gettext_lazy("分")
    ),
    SettingDef(
        "duty.township.band.average", TOWNSHIP_DUTY, gettext_lazy("“一般”最低综合得分"), 60, 0, 100, gettext_lazy("分")
    ),
    SettingDef(
        "duty.township.good_cap",
        TOWNSHIP_DUTY,
        gettext_lazy("“好”等次比例上限（0 为不限）"),
        0,
        0,
        100,
        "%",
        gettext_lazy("名额 = 参评人数 × 比例，向下取整；边界并列者均定为“较好”，由县委组织部决定"),
    ),
)


def duty_options(conf, level):
    """The ballot options of a level's 述职 (``"village"`` or ``"township"``) with the county's weights."""
    labels = VILLAGE_DUTY_OPTIONS if level == "village" else TOWNSHIP_DUTY_OPTIONS
    return [Option(code, str(label), Decimal(conf[f"duty.{level}.weight.{code}"])) for code, label in labels.items()]


def duty_groups(conf, level):
    """[(code, label, weight)] of a level's rater groups the county uses, in order."""
    labels = VILLAGE_DUTY_GROUPS if level == "village" else TOWNSHIP_DUTY_GROUPS
    return [
        (code, str(labels[code]), Decimal(conf[f"duty.{level}.group_weight.{code}"]))
        for code in conf[f"duty.{level}.groups"].split(",")
    ]


def township_duty_bands(conf):
    return [
        Band("good", str(TOWNSHIP_DUTY_OPTIONS["good"]), Decimal(conf["duty.township.band.good"])),
        Band("fair", str(TOWNSHIP_DUTY_OPTIONS["fair"]), Decimal(conf["duty.township.band.fair"])),
        Band("average", str(TOWNSHIP_DUTY_OPTIONS["average"]), Decimal(conf["duty.township.band.average"])),
        Band("poor", str(TOWNSHIP_DUTY_OPTIONS["poor"]), Decimal(-1)),
    ]
