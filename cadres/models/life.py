"""Organizational life: meetings (三会一课, 主题党日 …) and the yearly appraisal of members."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.choices import EntryStatus, EvidenceKind
from townships.models import Township
from villages.models import PartyOrganization, Village

from ..choices import MeetingKind, Rating
from .members import PartyMember


def evidence_path(instance, filename):
    return f"evidence/{instance._meta.model_name}/{instance.township_id}/{filename}"


class MeetingQuerySet(models.QuerySet):
    def counted(self):
        """The meetings that count (in compliance, alerts, derived metrics): approved ones. A village
        login's record waits for its township's approval (townships.review); a returned one never counts."""
        return self.filter(status=EntryStatus.APPROVED)


class Meeting(models.Model):
    """A record of organizational life (组织生活记录): 三会一课, 主题党日, 组织生活会, 民主评议.

    Recorded by the township or the county, it is approved as it is saved; recorded by a village
    login, it is pending until the township approves it (村级填报审核, ``townships.review``)."""

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
    status = models.CharField(_("审核状态"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.APPROVED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=300, blank=True)

    objects = MeetingQuerySet.as_manager()

    scope_county_path = "township__county"
    scope_township_path = "township"
    scope_village_path = "village"  # a village login sees (and enters) its own village's meetings

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
            # A returned record is kept (what was returned, and why) and may be entered again corrected.
            models.UniqueConstraint(
                fields=["organization", "kind", "held_on", "topic"],
                condition=~Q(status=EntryStatus.RETURNED),
                name="meeting_unique_record",
                violation_error_message=_("同一组织同一天已有同主题的同类会议记录。"),
            ),
        ]
        indexes = [
            models.Index(fields=["organization", "kind", "held_on"]),
            models.Index(fields=["township", "held_on"]),
            models.Index(fields=["township", "status"], name="meeting_township_status"),
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
