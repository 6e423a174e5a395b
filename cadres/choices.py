from django.db import models
from django.utils.translation import gettext_lazy as _

from townships.choices import EntryStatus


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class Education(models.TextChoices):
    POSTGRADUATE = "postgraduate", _("研究生")
    BACHELOR = "bachelor", _("大学本科")
    COLLEGE = "college", _("大学专科")
    SECONDARY = "secondary", _("中专/高中")
    JUNIOR = "junior", _("初中")
    PRIMARY = "primary", _("小学及以下")


ETHNICITIES = (
    "汉族 蒙古族 回族 藏族 维吾尔族 苗族 彝族 壮族 布依族 朝鲜族 满族 侗族 瑶族 白族 "
    "土家族 哈尼族 哈萨克族 傣族 黎族 傈僳族 佤族 畲族 高山族 拉祜族 水族 东乡族 纳西族 景颇族 "
    "柯尔克孜族 土族 达斡尔族 仫佬族 羌族 布朗族 撒拉族 毛南族 仡佬族 锡伯族 阿昌族 普米族 塔吉克族 怒族 "
    "乌孜别克族 俄罗斯族 鄂温克族 德昂族 保安族 裕固族 京族 塔塔尔族 独龙族 鄂伦春族 赫哲族 门巴族 珞巴族 基诺族 "
).split()


class Stage(models.TextChoices):
    """The five stages of 《中国共产党发展党员工作细则》, in order."""

    APPLICANT = "applicant", _("入党申请人")
    ACTIVIST = "activist", _("入党积极分子")
    CANDIDATE = "candidate", _("发展对象")
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


STAGE_ORDER = list(Stage.values)


class Transition(models.TextChoices):
    APPLY = "apply", _("递交入党申请")
    TALK = "talk", _("入党谈话")
    ACTIVIST = "activist", _("确定为入党积极分子")
    REVIEW = "review", _("积极分子考察")
    CANDIDATE = "candidate", _("列为发展对象")
    ADMIT = "admit", _("接收为预备党员")
    CONFIRM = "confirm", _("预备党员转正")
    EXTEND = "extend", _("延长预备期")
    CANCEL = "cancel", _("取消预备党员资格")
    REGISTER = "register", _("登记在册（历史数据或转入）")
    TRANSFER_IN = "transfer_in", _("组织关系转入")
    LEAVE = "leave", _("出党或转出")


class LeaveReason(models.TextChoices):
    TRANSFER_OUT = "transfer_out", _("组织关系转出")
    DEATH = "death", _("去世")
    EXPELLED = "expelled", _("除名")
    PERSUADED = "persuaded", _("劝退")
    PROBATION_CANCELLED = "probation_cancelled", _("取消预备党员资格")
    WITHDRAWN = "withdrawn", _("撤回入党申请")


# Leaving for these reasons bars a new application for a number of years [setting].
REJOIN_BARRED_REASONS = frozenset({LeaveReason.EXPELLED, LeaveReason.PERSUADED})


class PoliticalCheck(models.TextChoices):
    PASSED = "passed", _("合格")
    FAILED = "failed", _("不合格")


class MemberPostType(models.TextChoices):
    """无职党员设岗定责: the ten post types in the seeds."""

    PROSPERITY = "prosperity", _("勤劳致富岗")
    MODEL = "model", _("先锋模范岗")
    STUDY = "study", _("理论学习岗")
    CULTURE = "culture", _("文体娱乐岗")
    SECURITY = "security", _("社会治安维护岗")
    POVERTY = "poverty", _("扶贫助困岗")
    VOLUNTEER = "volunteer", _("义务奉献岗")
    POLICY = "policy", _("政策宣传岗")
    ENVIRONMENT = "environment", _("环境维护岗")
    PUBLIC = "public", _("公益事业岗")


class CorrectionOutcome(models.TextChoices):
    PENDING = "pending", _("限期改正中")
    CORRECTED = "corrected", _("已改正")
    PERSUADED = "persuaded", _("劝退")
    EXPELLED = "expelled", _("除名")


class PostKind(models.TextChoices):
    # Township leadership (班子成员)
    PARTY_SECRETARY = "party_secretary", _("党委书记")
    TOWNSHIP_HEAD = "township_head", _("乡镇长")
    DEPUTY_SECRETARY = "deputy_secretary", _("党委副书记")
    CONGRESS_CHAIR = "congress_chair", _("人大主席")
    ORGANIZATION_MEMBER = "organization_member", _("组织委员")
    PUBLICITY_MEMBER = "publicity_member", _("宣传委员")
    DISCIPLINE_SECRETARY = "discipline_secretary", _("纪委书记")
    DEPUTY_HEAD = "deputy_head", _("副乡镇长")
    # Village cadres (村干部)
    VILLAGE_SECRETARY = "village_secretary", _("村党组织书记")
    COMMITTEE_DIRECTOR = "committee_director", _("村委会主任")
    VILLAGE_DEPUTY_SECRETARY = "village_deputy_secretary", _("村党组织副书记")
    VILLAGE_MEMBER = "village_member", _("村“两委”委员")
    SUPERVISION_DIRECTOR = "supervision_director", _("村务监督委员会主任")
    COLLEGE_GRADUATE = "college_graduate", _("大学生村官")
    FIRST_SECRETARY = "first_secretary", _("驻村第一书记")


TOWNSHIP_POSTS = frozenset(
    {
        PostKind.PARTY_SECRETARY,
        PostKind.TOWNSHIP_HEAD,
        PostKind.DEPUTY_SECRETARY,
        PostKind.CONGRESS_CHAIR,
        PostKind.ORGANIZATION_MEMBER,
        PostKind.PUBLICITY_MEMBER,
        PostKind.DISCIPLINE_SECRETARY,
        PostKind.DEPUTY_HEAD,
    }
)
VILLAGE_POSTS = frozenset(set(PostKind.values) - TOWNSHIP_POSTS)
# Posts of the village Party organization itself: 《中国共产党农村基层组织工作条例》 has them
# held by full members of that organization (cadres.rules.check_village_party_post).
# 村“两委”委员 is not here: it covers the villagers' committee's members too, who need
# not be Party members.
PARTY_ORGANIZATION_POSTS = frozenset({PostKind.VILLAGE_SECRETARY, PostKind.VILLAGE_DEPUTY_SECRETARY})
# Posts a village holds at most one of at a time (their vacancy is tracked).
SINGLE_HOLDER_POSTS = frozenset(
    {PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR, PostKind.SUPERVISION_DIRECTOR, PostKind.PARTY_SECRETARY}
)


class MeetingKind(models.TextChoices):
    """Organizational life (《中国共产党支部工作条例（试行）》)."""

    BRANCH_GENERAL = "branch_general", _("支部党员大会")
    BRANCH_COMMITTEE = "branch_committee", _("支部委员会会议")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    PARTY_DAY = "party_day", _("主题党日")
    LIFE_MEETING = "life_meeting", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class AlertCode(models.TextChoices):
    """What a derived alert (预警) on a village is about."""

    NO_NEW_MEMBER = "no_new_member", _("多年未发展党员")
    NO_CANDIDATE = "no_candidate", _("无发展对象")
    AGING = "aging", _("党员老龄化")
    NO_YOUNG_MEMBER = "no_young_member", _("无40岁以下党员")
    LOST_CONTACT = "lost_contact", _("流动党员失联")
    PIPELINE_OVERDUE = "pipeline_overdue", _("发展环节逾期")
    SECRETARY_VACANT = "secretary_vacant", _("书记岗位空缺")
    MEETINGS_MISSING = "meetings_missing", _("组织生活未按要求开展")
    FAMILY_APPLICANTS = "family_applicants", _("同户多人申请入党（家族化风险）")


class CadreMessageKind(models.TextChoices):
    """The in-app messages the cadres' app sends (registered with townships.message_kinds). The
    assessment's monthly-report reminder uses the same kind."""

    DEADLINE = "deadline", _("报送截止提醒")


# --- 定·查·评: commitments (承诺实事) ---------------------------------------------


class FocusArea(models.TextChoices):
    """The county's four focus areas (《乡镇工作重点》), the heading a commitment is filed under."""

    PARTY_BUILDING = "party_building", _("抓党建")
    BOTTOM_LINE = "bottom_line", _("守底线")
    INDUSTRY = "industry", _("强产业")
    LIVELIHOOD = "livelihood", _("惠民生")


class CommitmentStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class TargetKind(models.TextChoices):
    QUANTITY = "quantity", _("数量目标")
    DONE = "done", _("完成与否")


class CommitmentGrade(models.TextChoices):
    """评等次 at the year's end."""

    DONE = "done", _("完成")
    BASIC = "basic", _("基本完成")
    NOT_DONE = "not_done", _("未完成")


# A ledger entry's review is the one review of village entries (townships.review).
ProgressStatus = EntryStatus


class InspectionLevel(models.TextChoices):
    COUNTY = "county", _("县级督查")
    TOWNSHIP = "township", _("乡镇督查")


class InspectionFinding(models.TextChoices):
    ON_TRACK = "on_track", _("正常推进")
    BEHIND = "behind", _("滞后")
    PROBLEM = "problem", _("存在问题")


# --- 离任生活补贴: the leaving allowance ---------------------------------------------


class AllowanceCounting(models.TextChoices):
    """How the years of service are counted (setting ``allowance.counting``)."""

    CUMULATIVE = "cumulative", _("累计任职年限")
    CONTINUOUS = "continuous", _("最长连续任职年限")


class DisqualificationKind(models.TextChoices):
    """What bars a former village cadre from the leaving allowance (不享受生活补贴的情形)."""

    CRIMINAL = "criminal", _("受到刑事处罚")
    PARTY = "party", _("受到党纪处分")
    RECALL = "recall", _("被罢免")


class AllowanceStopKind(models.TextChoices):
    """Why payments stop (停发)."""

    DEATH = "death", _("去世")
    PUBLIC_POST = "public_post", _("担任有财政工资的公职")
