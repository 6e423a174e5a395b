from django.db import models
from django.utils.translation import gettext_lazy as _


class Target(models.TextChoices):
    VILLAGE = "village", _("村（社区）")
    VILLAGE_SECRETARY = "village_secretary", _("村党组织书记")
    TOWNSHIP = "township", _("乡镇")


# The unit a target's scores belong to: a village for the village targets, a township for the
# township target. One scoring pipeline serves both; a score is keyed by (target, unit).
VILLAGE_TARGETS = (Target.VILLAGE, Target.VILLAGE_SECRETARY)  # in the order bulletins print them


def unit_level(target):
    """ "village" or "township": whose scores a target's are."""
    return "township" if target == Target.TOWNSHIP else "village"


class Category(models.TextChoices):
    """The four focus areas of 《乡镇工作重点》."""

    PARTY_BUILDING = "party_building", _("抓党建")
    BOTTOM_LINES = "bottom_lines", _("守底线")
    INDUSTRY = "industry", _("强产业")
    LIVELIHOOD = "livelihood", _("惠民生")


class Method(models.TextChoices):
    RATIO = "ratio", _("比例计分")
    PER_ITEM = "per_item", _("按项计分")
    DEDUCTION = "deduction", _("扣分（扣完为止）")
    TIERED = "tiered", _("分档计分")
    BINARY = "binary", _("完成与否")
    MANUAL = "manual", _("人工评分")
    RANK = "rank", _("排名计分")
    VETO = "veto", _("一票否决")


class SchemeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ACTIVE = "active", _("启用")
    LOCKED = "locked", _("已锁定（已用于关账期间）")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已报送")
    RETURNED = "returned", _("已退回")
    APPROVED = "approved", _("已审核")


class RunKind(models.TextChoices):
    MONTHLY = "monthly", _("月度评分")
    QUARTERLY = "quarterly", _("季度通报")
    ANNUAL = "annual", _("年度评定")


class RunStatus(models.TextChoices):
    PENDING = "pending", _("排队中")
    RUNNING = "running", _("计算中")
    SUCCEEDED = "succeeded", _("已完成")
    FAILED = "failed", _("失败")


class AssessmentMessageKind(models.TextChoices):
    """The in-app messages the assessment sends (registered with townships.message_kinds); its
    deadline reminder is the cadres' CadreMessageKind.DEADLINE."""

    REPORT_RETURNED = "report_returned", _("月报被退回")
    REPORT_APPROVED = "report_approved", _("月报审核通过")
    RUN_FINISHED = "run_finished", _("评分完成")
    RUN_FAILED = "run_failed", _("评分失败")
    FLAG_PENDING = "flag_pending", _("调整退出待决定")
    BULLETIN_PUBLISHED = "bulletin_published", _("季度通报已发布")
    TALK_PENDING = "talk_pending", _("约谈待决定")
    TALK_FOLLOW_UP = "talk_follow_up", _("约谈回访到期")
    RECTIFICATION_OVERDUE = "rectification_due", _("整改事项逾期")
    PAY_APPROVED = "pay_approved", _("村干部报酬已审定")
    PAY_CHANGED = "pay_changed", _("已审定报酬的依据有变化")
    HONOUR_DECIDED = "honour_decided", _("表彰推荐已决定")


class PeriodKind(models.TextChoices):
    MONTH = "month", _("月度")
    QUARTER = "quarter", _("季度")
    YEAR = "year", _("年度")


class Grade(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    COMPETENT = "competent", _("称职")
    BASIC = "basic", _("基本称职")
    INCOMPETENT = "incompetent", _("不称职")


class RemovalState(models.TextChoices):
    WATCH = "watch", _("警示名单")
    FLAGGED = "flagged", _("建议调整退出")


class RemovalDecision(models.TextChoices):
    AGREE = "agree", _("同意调整")
    REJECT = "reject", _("不予调整")


class BallotKind(models.TextChoices):
    """What a ballot tally measures; each kind has its own options and weights (county settings)."""

    SATISFACTION = "satisfaction", _("满意度测评")
    VILLAGE_DUTY = "village_duty", _("述职述廉测评")  # village cadres: 优秀/称职/基本称职/不称职
    TOWNSHIP_DUTY = "township_duty", _("述职评议测评")  # township Party secretaries: 好/较好/一般/差


class SurveyPurpose(models.TextChoices):
    SANPING = "sanping", _("年终“三评”")
    REPORT = "report", _("述职测评")
    RECTIFICATION = "rectification", _("软弱涣散整顿验收")
    OTHER = "other", _("其他")


class TallyTarget(models.TextChoices):
    ORGANIZATION = "organization", _("村党组织")
    SECRETARY = "secretary", _("村党组织书记")
    TOWNSHIP = "township", _("乡镇")
    VILLAGE_CADRE = "village_cadre", _("村干部")  # a 述职 of the 村委会主任 or a deputy
    TOWNSHIP_SECRETARY = "township_secretary", _("乡镇党委书记")


# The targets a satisfaction survey may have (the 述职 targets are the 述职评议's own).
SURVEY_TARGETS = (TallyTarget.ORGANIZATION, TallyTarget.SECRETARY, TallyTarget.TOWNSHIP)


class DutyLevel(models.TextChoices):
    """Whose 述职 a review is: a village cadre's 述职述廉, or a township secretary's 述职评议."""

    VILLAGE = "village", _("村干部述职述廉")
    TOWNSHIP = "township", _("乡镇党委书记抓基层党建述职评议")


class DutyGrade(models.TextChoices):
    """The grades of a township Party secretary's 述职评议考核."""

    GOOD = "good", _("好")
    FAIR = "fair", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")


class SurveyMethod(models.TextChoices):
    MEETING = "meeting", _("会议现场测评")
    DOOR = "door", _("入户测评")
    ONLINE = "online", _("线上测评")
    PHONE = "phone", _("电话回访")


class TalkCause(models.TextChoices):
    """Why a 约谈 is proposed (DOMAIN §8: 信访量排名、通报、约谈; 述职评议 一般/差 → 约谈)."""

    LAST_IN_BULLETIN = "last_in_bulletin", _("季度通报连续排名末位")
    PETITIONS = "petitions", _("信访量超过限值")
    REPORT_REVIEW = "report_review", _("述职评议一般或差")
    INCOMPETENT = "incompetent", _("年度考核不称职")
    WEAK = "weak", _("软弱涣散")


class TalkLevel(models.TextChoices):
    """Who talks: the county to a township Party secretary, the township to a village secretary."""

    COUNTY = "county", _("县委组织部约谈乡镇党委书记")
    TOWNSHIP = "township", _("乡镇党委约谈村党组织书记")


class TalkState(models.TextChoices):
    PROPOSED = "proposed", _("建议约谈（待决定）")
    SCHEDULED = "scheduled", _("决定约谈（待记录）")
    HELD = "held", _("已约谈（待回访）")
    CLOSED = "closed", _("已回访办结")
    DISMISSED = "dismissed", _("不予约谈")


class TalkDecision(models.TextChoices):
    HOLD = "hold", _("决定约谈")
    DISMISS = "dismiss", _("不予约谈")


class RectificationStatus(models.TextChoices):
    OPEN = "open", _("未完成")
    DONE = "done", _("已完成")


class PayMode(models.TextChoices):
    """What sets a cadre's performance pay (绩效系数依据)."""

    GRADE = "grade", _("按上年度评定等次")
    BAND = "band", _("按期内月度考核平均分分档")


class PayRhythm(models.TextChoices):
    HALF = "half", _("每半年结算")
    YEAR = "year", _("每年结算")


class PayPeriodState(models.TextChoices):
    OPEN = "open", _("测算中")
    APPROVED = "approved", _("已审定")


class HonourKind(models.TextChoices):
    """七一 commendations (表彰) and recommendations (推荐): proposed from the record or nominated by a
    township, each decided by a named county user."""

    EXCELLENT_SECRETARY = "excellent_secretary", _("优秀村党组织书记")
    EXCELLENT_MEMBER = "excellent_member", _("优秀共产党员")
    ADVANCED_ORGANIZATION = "advanced_organization", _("先进基层党组织")
    PROMOTION = "promotion", _("职务晋升推荐")
    CANDIDATE = "candidate", _("党代表、人大代表、政协委员推荐")


# The kinds a township nominates; the others the record proposes.
NOMINATED_HONOURS = frozenset({HonourKind.EXCELLENT_MEMBER, HonourKind.ADVANCED_ORGANIZATION})


class HonourState(models.TextChoices):
    PROPOSED = "proposed", _("待决定")
    APPROVED = "approved", _("同意")
    DECLINED = "declined", _("不同意")
