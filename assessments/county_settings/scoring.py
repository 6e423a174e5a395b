"""The 千分制's settings: the report deadline, the annual composite, grades and the 优秀 quota,
removal, the weak-and-lax clues."""

from django.utils.translation import gettext_lazy

from cadres.county_settings import ALERT
from townships.county_settings import SettingDef, SettingGroup

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
