"""The cadres' own county settings (registered with townships.county_settings when the app is ready):
the membership pipeline, organizational life, village cadres' funds and the warnings the county
watches, with the regulations' defaults."""

from django.utils.translation import gettext_lazy

from townships.county_settings import SettingDef, SettingGroup
from villages.county_settings import LIFE

from .allowance import COUNTABLE_POSTS
from .choices import AllowanceCounting, PostKind

PIPELINE = SettingGroup(gettext_lazy("发展党员"), 10)
CADRE = SettingGroup(gettext_lazy("村干部"), 30)
ALERT = SettingGroup(gettext_lazy("预警"), 40)

CADRE_SETTINGS = (
    # 《中国共产党发展党员工作细则》(2014)
    SettingDef(
        "pipeline.min_age", PIPELINE, gettext_lazy("申请入党最低年龄"), 18, 18, 30, gettext_lazy("周岁"), "细则第六条"
    ),
    SettingDef(
        "pipeline.talk_within_days",
        PIPELINE,
        gettext_lazy("收到申请后谈话期限"),
        30,
        1,
        90,
        gettext_lazy("天"),
        "细则第八条",
    ),
    SettingDef(
        "pipeline.activist_min_months",
        PIPELINE,
        gettext_lazy("积极分子培养考察最短期限"),
        12,
        6,
        36,
        gettext_lazy("个月"),
        "细则第十四条",
    ),
    SettingDef(
        "pipeline.activist_review_months",
        PIPELINE,
        gettext_lazy("积极分子考察间隔"),
        6,
        1,
        12,
        gettext_lazy("个月"),
        "细则第十三条",
    ),
    SettingDef(
        "pipeline.mentors_min",
        PIPELINE,
        gettext_lazy("培养联系人最少人数"),
        1,
        1,
        2,
        gettext_lazy("人"),
        "细则第十二条",
    ),
    SettingDef(
        "pipeline.mentors_max",
        PIPELINE,
        gettext_lazy("培养联系人最多人数"),
        2,
        1,
        3,
        gettext_lazy("人"),
        "细则第十二条",
    ),
    SettingDef(
        "pipeline.sponsors", PIPELINE, gettext_lazy("入党介绍人人数"), 2, 2, 2, gettext_lazy("人"), "细则第十九条"
    ),
    SettingDef(
        "pipeline.training_days",
        PIPELINE,
        gettext_lazy("集中培训最少天数"),
        3,
        1,
        10,
        gettext_lazy("天"),
        "细则第十七条",
    ),
    SettingDef(
        "pipeline.training_hours",
        PIPELINE,
        gettext_lazy("集中培训最少学时"),
        24,
        8,
        80,
        gettext_lazy("学时"),
        "细则第十七条",
    ),
    SettingDef(
        "pipeline.approval_months",
        PIPELINE,
        gettext_lazy("乡镇党委审批期限"),
        3,
        1,
        6,
        gettext_lazy("个月"),
        "细则第二十六条",
    ),
    SettingDef(
        "pipeline.approval_max_months",
        PIPELINE,
        gettext_lazy("特殊情况审批最长期限"),
        6,
        3,
        6,
        gettext_lazy("个月"),
        "细则第二十六条",
    ),
    SettingDef(
        "pipeline.probation_months", PIPELINE, gettext_lazy("预备期"), 12, 12, 12, gettext_lazy("个月"), "党章第七条"
    ),
    SettingDef(
        "pipeline.extension_min_months",
        PIPELINE,
        gettext_lazy("延长预备期最短"),
        6,
        1,
        12,
        gettext_lazy("个月"),
        "党章第七条",
    ),
    SettingDef(
        "pipeline.extension_max_months",
        PIPELINE,
        gettext_lazy("延长预备期最长"),
        12,
        6,
        12,
        gettext_lazy("个月"),
        "党章第七条",
    ),
    SettingDef(
        "pipeline.notice_working_days", PIPELINE, gettext_lazy("公示期"), 5, 3, 15, gettext_lazy("个工作日"), "细则"
    ),
    SettingDef(
        "pipeline.rejoin_ban_years",
        PIPELINE,
        gettext_lazy("除名、劝退后不得重新入党年限"),
        5,
        1,
        10,
        gettext_lazy("年"),
        "",
    ),
    SettingDef(
        "pipeline.correction_months",
        PIPELINE,
        gettext_lazy("不合格党员限期改正期限"),
        6,
        3,
        12,
        gettext_lazy("个月"),
        "",
    ),
    SettingDef(
        "pipeline.correction_max_months",
        PIPELINE,
        gettext_lazy("限期改正最长期限"),
        12,
        6,
        12,
        gettext_lazy("个月"),
        "",
    ),
    # 《中国共产党支部工作条例（试行）》(2018)
    SettingDef(
        "life.branch_general_per_quarter",
        LIFE,
        gettext_lazy("支部党员大会（每季度）"),
        1,
        0,
        6,
        gettext_lazy("次"),
        "条例第十九条",
    ),
    SettingDef(
        "life.branch_committee_per_month",
        LIFE,
        gettext_lazy("支部委员会会议（每月）"),
        1,
        0,
        4,
        gettext_lazy("次"),
        "条例第十九条",
    ),
    SettingDef(
        "life.group_per_month", LIFE, gettext_lazy("党小组会（每月）"), 1, 0, 4, gettext_lazy("次"), "条例第十九条"
    ),
    SettingDef(
        "life.lecture_per_quarter", LIFE, gettext_lazy("党课（每季度）"), 1, 0, 6, gettext_lazy("次"), "条例第十九条"
    ),
    SettingDef("life.party_day_per_month", LIFE, gettext_lazy("主题党日（每月）"), 1, 0, 4, gettext_lazy("次"), ""),
    SettingDef(
        "life.life_meeting_per_year",
        LIFE,
        gettext_lazy("组织生活会（每年）"),
        1,
        0,
        4,
        gettext_lazy("次"),
        "条例第二十条",
    ),
    SettingDef(
        "life.appraisal_per_year",
        LIFE,
        gettext_lazy("民主评议党员（每年）"),
        1,
        0,
        2,
        gettext_lazy("次"),
        "条例第二十一条",
    ),
    SettingDef("life.excellent_max_share", LIFE, gettext_lazy("民主评议“优秀”最高比例"), 0.3334, 0.1, 0.5, "", ""),
    SettingDef(
        "life.absence_expel_months",
        LIFE,
        gettext_lazy("连续不参加组织生活、不交党费予以除名"),
        6,
        6,
        12,
        gettext_lazy("个月"),
        "党章第九条",
    ),
    # 村干部报酬 is a dated standard of the assessment's (assessments.models.PayStandard), not a setting.
    SettingDef(
        "cadre.party_funds_year", CADRE, gettext_lazy("村级党建经费"), 20000, 0, 1000000, gettext_lazy("元/村/年"), ""
    ),
    # Warnings the county watches (seeds; DOMAIN §4, §6)
    SettingDef(
        "alert.secretary_vacancy_months", ALERT, gettext_lazy("书记岗位空缺预警"), 3, 1, 12, gettext_lazy("个月"), ""
    ),
    SettingDef(
        "alert.no_new_member_years", ALERT, gettext_lazy("多年未发展党员预警"), 3, 1, 10, gettext_lazy("年"), ""
    ),
    SettingDef("alert.no_candidate_years", ALERT, gettext_lazy("无发展对象预警"), 2, 1, 10, gettext_lazy("年"), ""),
    SettingDef("alert.aging_age", ALERT, gettext_lazy("老龄化年龄线"), 60, 50, 80, gettext_lazy("岁"), ""),
    SettingDef("alert.aging_share", ALERT, gettext_lazy("老龄化比例预警线"), 0.5, 0.1, 1.0, "", ""),
    SettingDef("alert.young_age", ALERT, gettext_lazy("青年党员年龄线"), 40, 30, 50, gettext_lazy("岁"), ""),
    SettingDef(
        "alert.lost_contact_months", ALERT, gettext_lazy("流动党员失联预警"), 6, 1, 24, gettext_lazy("个月"), ""
    ),
    SettingDef(
        "alert.family_applicants", ALERT, gettext_lazy("同户同年申请入党人数预警"), 2, 2, 10, gettext_lazy("人"), ""
    ),
)

# 正常离任村干部生活补贴 (seeds/003; the rule in cadres/allowance.py). The band table is dated county
# data (cadres.models.AllowanceTable), not a setting.
ALLOWANCE = SettingGroup(gettext_lazy("离任生活补贴"), 120)

ALLOWANCE_SETTINGS = (
    SettingDef(
        "allowance.min_years",
        ALLOWANCE,
        gettext_lazy("享受生活补贴最低任职年限"),
        3,
        1,
        30,
        gettext_lazy("年"),
        gettext_lazy("满整年计"),
    ),
    SettingDef(
        "allowance.min_age",
        ALLOWANCE,
        gettext_lazy("享受生活补贴年龄"),
        60,
        50,
        80,
        gettext_lazy("周岁"),
        gettext_lazy("年满当月起发放，出生日期以身份证号码为准"),
    ),
    SettingDef(
        "allowance.counting",
        ALLOWANCE,
        gettext_lazy("任职年限计算方式"),
        AllowanceCounting.CUMULATIVE.value,
        0,
        0,
        "",
        gettext_lazy("累计：各段任职相加（同时任多职只计一次）；最长连续：取最长一段不间断任职"),
        choices=dict(AllowanceCounting.choices),
    ),
    SettingDef(
        "allowance.posts",
        ALLOWANCE,
        gettext_lazy("计入任职年限的职务"),
        ",".join(COUNTABLE_POSTS),
        0,
        0,
        "",
        gettext_lazy("逗号分隔"),
        choices={post: PostKind(post).label for post in COUNTABLE_POSTS},
        ordered_list=True,
    ),
    SettingDef(
        "allowance.viewer_sees_amounts",
        ALLOWANCE,
        gettext_lazy("县委组织部查看人员可查看生活补贴金额（1 是，0 否）"),
        0,
        0,
        1,
        "",
        gettext_lazy("补贴金额属个人信息：默认仅县委组织部管理员和本乡镇可见"),
    ),
)
