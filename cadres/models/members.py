"""Membership records: the pipeline, mobile members, posts without office and 限期改正."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.models import Township
from villages.models import PartyOrganization, Village

from ..choices import CorrectionOutcome, LeaveReason, MemberPostType, PoliticalCheck, Stage, Transition
from .people import Person


class PartyMember(models.Model):
    """One membership record (党员档案): a person's way through the five stages in one organization.

    A person has at most one active record; leaving (转出, 去世, 除名, 劝退) ends
    it and keeps it, and a later application opens a new one.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("人员"))
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="members", verbose_name=_("所在党组织")
    )
    # Copied from the organization so scoping and per-village counts need no join.
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="members", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("村（社区）")
    )
    stage = models.CharField(_("发展阶段"), max_length=16, choices=Stage.choices, default=Stage.APPLICANT)
    is_active = models.BooleanField(_("在册"), default=True)
    left_on = models.DateField(_("出党或转出日期"), null=True, blank=True)
    leave_reason = models.CharField(_("出党或转出原因"), max_length=24, choices=LeaveReason.choices, blank=True)

    applied_on = models.DateField(_("递交申请日期"), null=True, blank=True)
    talked_on = models.DateField(_("谈话日期"), null=True, blank=True)
    activist_on = models.DateField(_("确定为积极分子日期"), null=True, blank=True)
    last_reviewed_on = models.DateField(_("最近考察日期"), null=True, blank=True)
    candidate_on = models.DateField(_("列为发展对象日期"), null=True, blank=True)
    political_check = models.CharField(_("政审结论"), max_length=8, choices=PoliticalCheck.choices, blank=True)
    training_days = models.PositiveSmallIntegerField(_("集中培训天数"), default=0)
    training_hours = models.PositiveSmallIntegerField(_("集中培训学时"), default=0)
    admitted_on = models.DateField(_("支部大会接收日期（入党日期）"), null=True, blank=True)
    approved_on = models.DateField(_("乡镇党委审批日期"), null=True, blank=True)
    probation_end = models.DateField(_("预备期满日期"), null=True, blank=True)
    probation_extended = models.BooleanField(_("已延长预备期"), default=False)
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    mentors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="mentees", verbose_name=_("培养联系人")
    )
    sponsors = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="sponsored", verbose_name=_("入党介绍人")
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("党员（含入党申请人）")
        verbose_name_plural = _("党员（含入党申请人）")
        ordering = ["township", "village", "person__name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(is_active=True),
                name="member_one_active_record_per_person",
                violation_error_message=_("此人已有在册的党员（申请人）记录。"),
            ),
            models.CheckConstraint(
                condition=Q(is_active=True) | Q(left_on__isnull=False),
                name="member_left_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["township", "stage", "is_active"]),
            models.Index(fields=["village", "stage", "is_active"]),
            models.Index(fields=["organization", "is_active"]),
        ]

    def __str__(self):
        return f"{self.person.name}（{self.get_stage_display()}）"


class MembershipEvent(models.Model):
    """One step of the pipeline as recorded (发展党员过程记录): date, evidence, public notice, who recorded it."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="events", verbose_name=_("党员"))
    transition = models.CharField(_("环节"), max_length=16, choices=Transition.choices)
    on_date = models.DateField(_("日期"))
    detail = models.JSONField(_("材料与说明"), default=dict, blank=True)
    notice_from = models.DateField(_("公示开始"), null=True, blank=True)
    notice_to = models.DateField(_("公示结束"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("记录人")
    )
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("发展过程记录")
        verbose_name_plural = _("发展过程记录")
        ordering = ["member", "on_date", "pk"]

    def __str__(self):
        return f"{self.get_transition_display()} {self.on_date}"


class MobileRecord(models.Model):
    """A mobile member (流动党员): away six months or more without moving the membership."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="mobile_records")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    destination = models.CharField(_("流入地"), max_length=100)
    since = models.DateField(_("外出日期"))
    contact_person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("联系人")
    )
    last_contact_on = models.DateField(_("最近联系日期"), null=True, blank=True)
    ended_on = models.DateField(_("返回日期"), null=True, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("流动党员")
        verbose_name_plural = _("流动党员")
        ordering = ["-since", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["member"], condition=Q(ended_on__isnull=True), name="mobile_one_open"),
        ]

    def __str__(self):
        return f"{self.member_id} → {self.destination}"


class MemberPost(models.Model):
    """A post for a member without office (无职党员设岗定责)."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="posts")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    post_type = models.CharField(_("岗位"), max_length=16, choices=MemberPostType.choices)
    duty = models.CharField(_("职责"), max_length=200, blank=True)
    started_on = models.DateField(_("设岗日期"))
    ended_on = models.DateField(_("撤岗日期"), null=True, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("无职党员岗位")
        verbose_name_plural = _("无职党员岗位")
        ordering = ["-started_on", "pk"]

    def __str__(self):
        return self.get_post_type_display()


class Correction(models.Model):
    """限期改正 of a member rated 不合格, ending in 改正, 劝退 or 除名."""

    member = models.ForeignKey(PartyMember, on_delete=models.CASCADE, related_name="corrections")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    started_on = models.DateField(_("开始日期"))
    deadline = models.DateField(_("改正期限"))
    outcome = models.CharField(
        _("结果"), max_length=16, choices=CorrectionOutcome.choices, default=CorrectionOutcome.PENDING
    )
    outcome_on = models.DateField(_("处理日期"), null=True, blank=True)
    reason = models.CharField(_("原因"), max_length=200, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("限期改正")
        verbose_name_plural = _("限期改正")
        ordering = ["-started_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(deadline__gt=F("started_on")), name="correction_deadline_after_start"),
        ]

    def __str__(self):
        return f"{self.member_id} {self.get_outcome_display()}"
