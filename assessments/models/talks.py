"""约谈 that follow the results, and each township's 整改台账."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import YEAR_VALIDATORS, Township
from villages.models import Village

from ..choices import RectificationStatus, TalkCause, TalkDecision, TalkLevel, TalkState


class Talk(models.Model):
    """A 约谈 (an admonitory interview with a record): the county talks to a township Party secretary,
    a township to a village Party secretary.

    A rule proposes it from the results, once per (person, cause, period) like a removal flag; a
    named user decides to hold it or not, with an opinion; then what was said and promised is
    recorded with a follow-up date (回访), and the follow-up's outcome closes it.
    """

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="talks", verbose_name=_("约谈对象"))
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    # Null for a township Party secretary (the county talks to the township).
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("村（社区）")
    )
    level = models.CharField(_("约谈层级"), max_length=10, choices=TalkLevel.choices)
    cause = models.CharField(_("约谈事由"), max_length=20, choices=TalkCause.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    # The period the cause comes from: "2026" (a year) or "2026Q3" (a quarter).
    period = models.CharField(_("所属期间"), max_length=8)
    reason = models.CharField(_("依据"), max_length=300)
    state = models.CharField(_("状态"), max_length=10, choices=TalkState.choices, default=TalkState.PROPOSED)
    decision = models.CharField(_("决定"), max_length=10, choices=TalkDecision.choices, blank=True)
    opinion = models.TextField(_("决定意见"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    held_on = models.DateField(_("约谈日期"), null=True, blank=True)
    talker = models.CharField(_("谈话人"), max_length=100, blank=True)
    content = models.TextField(_("约谈内容"), blank=True)
    commitment = models.TextField(_("表态与承诺"), blank=True)
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    follow_up_note = models.TextField(_("回访情况"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("提出时间"), auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("约谈")
        verbose_name_plural = _("约谈")
        ordering = ["-year", "-period", "township", "pk"]
        indexes = [models.Index(fields=["township", "state"])]
        constraints = [
            models.UniqueConstraint(fields=["person", "cause", "period"], name="talk_once_per_person_cause_period"),
            models.CheckConstraint(
                condition=Q(level=TalkLevel.COUNTY, village__isnull=True)
                | Q(level=TalkLevel.TOWNSHIP, village__isnull=False),
                name="talk_village_matches_level",
            ),
        ]

    def __str__(self):
        return f"{self.person} {self.period} {self.get_cause_display()}"

    @property
    def awaiting_decision(self):
        return self.state == TalkState.PROPOSED


class RectificationItem(models.Model):
    """A row of a township's 整改台账: a problem, the measure, the deadline (时限), the person
    responsible, done or not; optionally the 约谈 it follows from."""

    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    talk = models.ForeignKey(
        Talk,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rectifications",
        verbose_name=_("相关约谈"),
    )
    problem = models.CharField(_("问题"), max_length=300)
    measure = models.CharField(_("整改措施"), max_length=300)
    deadline = models.DateField(_("整改时限"))
    responsible = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="rectification_items", verbose_name=_("责任人")
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=RectificationStatus.choices, default=RectificationStatus.OPEN
    )
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    completion_note = models.CharField(_("完成情况"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改台账")
        ordering = ["status", "deadline", "pk"]
        indexes = [models.Index(fields=["township", "status", "deadline"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(status=RectificationStatus.OPEN, completed_on__isnull=True)
                | Q(status=RectificationStatus.DONE, completed_on__isnull=False),
                name="rectification_done_has_date",
            ),
        ]

    def __str__(self):
        return self.problem[:40]

    def is_overdue(self, today):
        return self.status == RectificationStatus.OPEN and self.deadline < today
