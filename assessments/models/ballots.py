"""Ballot tallies (测评计票): satisfaction surveys and the 述职 ballots (述职述廉测评 of village cadres,
述职评议测评 of township Party secretaries) — one model, told apart by ``kind``."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.choices import EntryStatus
from townships.models import YEAR_VALIDATORS, County, Township
from villages.models import PartyOrganization, Village

from ..choices import BallotKind, SurveyMethod, SurveyPurpose, TallyTarget


class BallotTallyQuerySet(models.QuerySet):
    def surveys(self):
        """The satisfaction surveys (满意度测评), without the 述职 ballots."""
        return self.filter(kind=BallotKind.SATISFACTION)

    def counted_village_surveys(self):
        """The satisfaction surveys of village Party organizations that count (approved), each
        village's latest first: what the metric, the ranking, the 软弱涣散 leads and 销号 read."""
        return self.filter(
            kind=BallotKind.SATISFACTION, target_kind=TallyTarget.ORGANIZATION, status=EntryStatus.APPROVED
        ).order_by("village_id", "-held_on", "-pk")


class BallotTally(models.Model):
    """One ballot count (测评): who was rated (a village Party organization, its secretary or a township),
    for which year and purpose, how, and the result computed from its groups' counts by the county's
    formula when it was recorded (``options`` keeps the options and weights used, so a later change of
    the county's settings does not rewrite history)."""

    kind = models.CharField(_("测评类型"), max_length=16, choices=BallotKind.choices, default=BallotKind.SATISFACTION)
    purpose = models.CharField(_("测评用途"), max_length=16, choices=SurveyPurpose.choices)
    target_kind = models.CharField(_("测评对象类型"), max_length=24, choices=TallyTarget.choices)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="ballot_tallies")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="ballot_tallies")
    organization = models.ForeignKey(
        PartyOrganization, on_delete=models.PROTECT, null=True, blank=True, related_name="ballot_tallies"
    )
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="ballot_tallies")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    held_on = models.DateField(_("测评日期"))
    method = models.CharField(_("测评方式"), max_length=16, choices=SurveyMethod.choices)
    note = models.TextField(_("备注"), blank=True)
    options = models.JSONField(_("选项与权重"), default=list, editable=False)
    group_weighted = models.BooleanField(_("按组加权"), default=False)
    valid = models.PositiveIntegerField(_("有效票"), default=0)
    rate = models.DecimalField(_("满意率（%）"), max_digits=5, decimal_places=2, null=True, blank=True)
    score = models.DecimalField(_("测评得分"), max_digits=5, decimal_places=2, null=True, blank=True)
    band = models.CharField(_("档次"), max_length=16, blank=True)
    reason = models.CharField(_("未计结果原因"), max_length=200, blank=True)
    working = models.JSONField(_("计算过程"), default=list, editable=False)
    status = models.CharField(_("状态"), max_length=12, choices=EntryStatus.choices, default=EntryStatus.APPROVED)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = BallotTallyQuerySet.as_manager()

    scope_county_path = "county"
    scope_township_path = "township"
    scope_village_path = "village"

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-held_on", "-pk"]
        indexes = [
            models.Index(fields=["kind", "target_kind", "village", "held_on"]),
            models.Index(fields=["county", "year"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(target_kind=TallyTarget.ORGANIZATION)
                | Q(organization__isnull=False, village__isnull=False),
                name="tally_organization_target",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TallyTarget.SECRETARY) | Q(person__isnull=False, village__isnull=False),
                name="tally_secretary_target",
            ),
            models.CheckConstraint(
                condition=~Q(target_kind=TallyTarget.TOWNSHIP) | Q(village__isnull=True),
                name="tally_township_target",
            ),
            models.CheckConstraint(condition=Q(rate__gte=0, rate__lte=100), name="tally_rate_range"),
        ]

    def __str__(self):
        return f"{self.target_name} {self.year}年{self.get_purpose_display()}"

    @property
    def target_name(self):
        """The rated, by name (the related rows must be loaded: select_related)."""
        if self.target_kind == TallyTarget.TOWNSHIP:
            return self.township.name
        if self.target_kind == TallyTarget.TOWNSHIP_SECRETARY:
            return f"{self.township.name}党委书记 {self.person.name}"
        if self.target_kind == TallyTarget.VILLAGE_CADRE:
            return f"{self.village.name} {self.person.name}"
        if self.target_kind == TallyTarget.SECRETARY:
            return f"{self.village.name}党组织书记 {self.person.name}"
        return self.organization.name


class BallotGroup(models.Model):
    """One rater group's ballots in a tally (分组计票): issued, returned, invalid, and the count per option."""

    tally = models.ForeignKey(BallotTally, on_delete=models.CASCADE, related_name="groups")
    position = models.PositiveSmallIntegerField(default=0)
    code = models.CharField(_("测评主体"), max_length=24)
    label = models.CharField(_("测评主体名称"), max_length=40)
    weight = models.DecimalField(_("组权重"), max_digits=5, decimal_places=2, default=1)
    issued = models.PositiveIntegerField(_("发出票数"))
    returned = models.PositiveIntegerField(_("收回票数"))
    invalid = models.PositiveIntegerField(_("无效票数"), default=0)
    counts = models.JSONField(_("各选项票数"), default=dict)

    class Meta:
        verbose_name = _("分组计票")
        verbose_name_plural = _("分组计票")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tally", "code"], name="ballot_group_unique"),
            models.CheckConstraint(condition=Q(returned__lte=models.F("issued")), name="ballot_returned_le_issued"),
            models.CheckConstraint(condition=Q(invalid__lte=models.F("returned")), name="ballot_invalid_le_returned"),
        ]

    def __str__(self):
        return self.label

    @property
    def valid(self):
        return self.returned - self.invalid
