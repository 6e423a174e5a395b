import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.choices import EvidenceKind
from townships.models import Township
from villages.models import PartyOrganization, Village

from .choices import (
    AlertCode,
    CorrectionOutcome,
    Education,
    Gender,
    LeaveReason,
    MeetingKind,
    MemberPostType,
    PoliticalCheck,
    PostKind,
    Rating,
    Stage,
    Transition,
)
from .identity import mask_id_number, mask_phone


class Person(models.Model):
    """A person on record (人员): a Party member, applicant, cadre or reserve cadre.

    The ID-card number and phone are personal data: every page, API response,
    export and log shows them masked (cadres.identity) unless the role may see
    them in full and asks to, which is audited.
    """

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="people", verbose_name=_("所属乡镇"))
    village = models.ForeignKey(
        Village,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("所属村（社区）"),
    )
    name = models.CharField(_("姓名"), max_length=30)
    gender = models.CharField(_("性别"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=10, default="汉族")
    birth_date = models.DateField(_("出生日期"))
    id_number = models.CharField(_("身份证号"), max_length=18, unique=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices, blank=True)
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    household_address = models.CharField(_("户籍地址"), max_length=120, blank=True)
    # The address normalized (full-width, spaces, 号/组 spellings) so that
    # applicants from one household can be found for the 家族化 warning.
    household_key = models.CharField(max_length=120, blank=True, db_index=True, editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["township", "name", "pk"]
        indexes = [models.Index(fields=["township", "name"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(village__isnull=True) | Q(township__isnull=False), name="person_village_has_township"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def id_number_masked(self):
        return mask_id_number(self.id_number)

    @property
    def phone_masked(self):
        return mask_phone(self.phone)


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


class Tenure(models.Model):
    """A dated tenure of a person in a post (任职): township leadership or village cadre."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("人员"))
    post = models.CharField(_("职务"), max_length=32, choices=PostKind.choices)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="tenures", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="tenures", verbose_name=_("村（社区）")
    )
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    end_reason = models.CharField(_("离任原因"), max_length=100, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("任职")
        verbose_name_plural = _("任职")
        ordering = ["township", "village", "post", "-started_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="tenure_end_after_start",
                violation_error_message=_("离任日期不能早于任职日期。"),
            ),
            models.UniqueConstraint(
                fields=["village", "post"],
                condition=Q(ended_on__isnull=True)
                & Q(post__in=[PostKind.VILLAGE_SECRETARY, PostKind.COMMITTEE_DIRECTOR, PostKind.SUPERVISION_DIRECTOR]),
                name="tenure_one_current_holder_per_village_post",
                violation_error_message=_("该村此职务已有在任人员，请先办理离任。"),
            ),
        ]
        indexes = [models.Index(fields=["village", "post", "ended_on"]), models.Index(fields=["township", "post"])]

    def __str__(self):
        return f"{self.person} {self.get_post_display()}"

    @property
    def last_day(self):
        """The last day in office: ``ended_on`` is the first day out (免职之日), so the day before it."""
        return self.ended_on - datetime.timedelta(days=1) if self.ended_on else None


class VillageContact(models.Model):
    """包村/联村: a township leader assigned to contact a village."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="village_contacts")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="contacts")
    started_on = models.DateField(_("开始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("包村联村")
        verbose_name_plural = _("包村联村")
        ordering = ["village", "-started_on"]

    def __str__(self):
        return f"{self.person} → {self.village}"


class ReserveCadre(models.Model):
    """A member of a village's reserve cadre pool (村级后备干部)."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="reserve_entries")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="reserve_cadres")
    added_on = models.DateField(_("纳入日期"))
    removed_on = models.DateField(_("移出日期"), null=True, blank=True)
    note = models.CharField(_("培养方向"), max_length=200, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("后备干部")
        verbose_name_plural = _("后备干部")
        ordering = ["village", "-added_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "village"], condition=Q(removed_on__isnull=True), name="reserve_one_open_entry"
            ),
        ]

    def __str__(self):
        return f"{self.person} ({self.village})"


def evidence_path(instance, filename):
    return f"evidence/{instance._meta.model_name}/{instance.township_id}/{filename}"


class Meeting(models.Model):
    """A record of organizational life (组织生活记录): 三会一课, 主题党日, 组织生活会, 民主评议."""

    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("党组织")
    )
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("乡镇"))
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="meetings")
    kind = models.CharField(_("类型"), max_length=20, choices=MeetingKind.choices)
    held_on = models.DateField(_("召开日期"))
    topic = models.CharField(_("主题"), max_length=200)
    entitled = models.PositiveIntegerField(_("应到人数"))
    present = models.PositiveIntegerField(_("实到人数"))
    evidence = models.FileField(_("佐证材料"), upload_to=evidence_path, blank=True)
    evidence_kind = models.CharField(_("材料类型"), max_length=10, choices=EvidenceKind.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("组织生活记录")
        verbose_name_plural = _("组织生活记录")
        ordering = ["-held_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(present__lte=F("entitled")),
                name="meeting_present_not_above_entitled",
                violation_error_message=_("实到人数不能多于应到人数。"),
            ),
            models.UniqueConstraint(
                fields=["organization", "kind", "held_on", "topic"],
                name="meeting_unique_record",
                violation_error_message=_("同一组织同一天已有同主题的同类会议记录。"),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "kind", "held_on"]),
            models.Index(fields=["township", "held_on"]),
        ]

    def __str__(self):
        return f"{self.held_on} {self.get_kind_display()} {self.topic}"


class Appraisal(models.Model):
    """The year's democratic appraisal of members (民主评议党员) in one organization."""

    organization = models.ForeignKey(PartyOrganization, on_delete=models.PROTECT, related_name="appraisals")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    held_on = models.DateField(_("评议日期"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("民主评议党员")
        verbose_name_plural = _("民主评议党员")
        ordering = ["-year", "organization"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "year"],
                name="appraisal_once_a_year",
                violation_error_message=_("该组织本年度已开展民主评议。"),
            ),
        ]

    def __str__(self):
        return f"{self.organization} {self.year}"


class AppraisalRating(models.Model):
    appraisal = models.ForeignKey(Appraisal, on_delete=models.CASCADE, related_name="ratings")
    member = models.ForeignKey(PartyMember, on_delete=models.PROTECT, related_name="ratings")
    rating = models.CharField(_("评定等次"), max_length=16, choices=Rating.choices)

    class Meta:
        verbose_name = _("评议等次")
        verbose_name_plural = _("评议等次")
        constraints = [models.UniqueConstraint(fields=["appraisal", "member"], name="rating_once_per_member")]

    def __str__(self):
        return f"{self.member_id} {self.get_rating_display()}"


class StoredAlert(models.Model):
    """A derived alert (预警) as last computed (``cadres.services.alerts_refresh``): the landing pages
    and the alert list read these rows instead of recomputing every alert on every view."""

    township = models.ForeignKey(Township, on_delete=models.CASCADE, related_name="+")
    village = models.ForeignKey(Village, on_delete=models.CASCADE, null=True, related_name="+")
    code = models.CharField(_("预警"), max_length=32, choices=AlertCode.choices)
    message = models.CharField(_("说明"), max_length=300)
    count = models.PositiveIntegerField(_("数量"), default=1)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        indexes = [models.Index(fields=["township", "code"])]

    def __str__(self):
        return f"{self.township_id}/{self.village_id} {self.code}"


class AlertRefresh(models.Model):
    """When a township's alerts were last computed (also for a township that has none)."""

    township = models.OneToOneField(Township, on_delete=models.CASCADE, primary_key=True, related_name="+")
    computed_at = models.DateTimeField(_("计算时间"))

    class Meta:
        verbose_name = _("预警计算")
        verbose_name_plural = _("预警计算")

    def __str__(self):
        return f"{self.township_id} {self.computed_at:%Y-%m-%d %H:%M}"
