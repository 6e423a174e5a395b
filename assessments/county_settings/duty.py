"""The 述职 ballots' settings: options, rater groups and weights, bands, the cap on 好, the composite."""

from decimal import Decimal

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef, SettingGroup

from ..ballots import Band, Option

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
