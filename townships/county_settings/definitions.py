"""The county settings the base rules read (pipeline, organizational life, village cadres, the 千分制,
alerts), with the regulations' defaults. Other apps register their own (``register_settings``)."""

from django.utils.translation import gettext_lazy

from . import SettingDef

PIPELINE = gettext_lazy("发展党员")
LIFE = gettext_lazy("组织生活")
CADRE = gettext_lazy("村干部")
ASSESS = gettext_lazy("千分制考核")
ALERT = gettext_lazy("预警")

TOWNSHIP_SETTINGS = (
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
    SettingDef("life.evidence_max_mb", LIFE, gettext_lazy("佐证材料文件大小上限"), 10, 1, 50, "MB", ""),
    # 村干部报酬 (seed example, yuan)
    SettingDef(
        "cadre.pay_one_shoulder_month",
        CADRE,
        gettext_lazy("“一肩挑”书记月报酬"),
        1560,
        0,
        100000,
        gettext_lazy("元/月"),
        "",
    ),
    SettingDef(
        "cadre.pay_single_post_month",
        CADRE,
        gettext_lazy("书记或主任（单任）月报酬"),
        1500,
        0,
        100000,
        gettext_lazy("元/月"),
        "",
    ),
    SettingDef(
        "cadre.pay_deputy_month", CADRE, gettext_lazy("副职及委员月报酬"), 1300, 0, 100000, gettext_lazy("元/月"), ""
    ),
    SettingDef(
        "cadre.pay_group_leader_year",
        CADRE,
        gettext_lazy("村民小组长年报酬"),
        600,
        0,
        100000,
        gettext_lazy("元/年"),
        "",
    ),
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
    SettingDef(
        "alert.family_applicants", ALERT, gettext_lazy("同户同年申请入党人数预警"), 2, 2, 10, gettext_lazy("人"), ""
    ),
)
