"""述职 records: a village cadre's 述职述廉 and a township Party secretary's 抓基层党建述职评议考核, each
with its ballots (a ``BallotTally`` of the 述职 kinds) and, for a township secretary, the composite
with the township's annual assessment score and the grade."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.choices import PostKind
from cadres.models import Person
from townships.models import YEAR_VALIDATORS, County, Township
from villages.models import Village

from ..choices import DutyGrade, DutyLevel
from .ballots import BallotTally


def duty_file_path(instance, filename):
    return f"evidence/dutyreview/{instance.township_id}/{filename}"


class DutyReview(models.Model):
    """One person's 述职 of one year (述职述廉 / 述职评议考核结果): when and where they reported, the
    written report, the ballots, and for a township Party secretary the county secretary's 点评意见,
    the composite with the township's annual score, the grade and its working."""

    level = models.CharField(_("述职类别"), max_length=12, choices=DutyLevel.choices)
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="duty_reviews")
    village = models.ForeignKey(Village, on_delete=models.PROTECT, null=True, blank=True, related_name="duty_reviews")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="duty_reviews")
    post = models.CharField(_("职务"), max_length=32, choices=PostKind.choices)
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    reported_on = models.DateField(_("述职日期"))
    meeting = models.CharField(_("述职会议"), max_length=100, blank=True)
    meeting_on = models.DateField(_("会议日期"), null=True, blank=True)
    report_file = models.FileField(_("书面述职报告"), upload_to=duty_file_path, blank=True)
    tally = models.OneToOneField(BallotTally, on_delete=models.PROTECT, related_name="duty_review")
    comment = models.TextField(_("县委书记点评意见"), blank=True)
    veto = models.BooleanField(_("一票否决"), default=False)
    veto_reason = models.CharField(_("否决事由"), max_length=200, blank=True)
    # Township secretaries: the composite (on 100), its parts, the grade and the working.
    annual = models.DecimalField(_("年度考核（折合百分）"), max_digits=6, decimal_places=2, null=True, blank=True)
    composite = models.DecimalField(_("综合得分"), max_digits=6, decimal_places=2, null=True, blank=True)
    grade = models.CharField(_("等次"), max_length=12, choices=DutyGrade.choices, blank=True)
    grade_reason = models.CharField(_("定等理由"), max_length=300, blank=True)
    tie_pending = models.BooleanField(_("并列待定"), default=False)
    decided_by_county = models.BooleanField(_("县委组织部决定"), default=False)
    working = models.JSONField(_("计算过程"), default=list, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    scope_county_path = "county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "township__sort_key", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "post", "village", "year"],
                condition=Q(village__isnull=False),
                name="duty_review_village_unique",
            ),
            models.UniqueConstraint(
                fields=["post", "township", "year"],
                condition=Q(village__isnull=True),
                name="duty_review_township_unique",
            ),
            models.CheckConstraint(
                condition=Q(level=DutyLevel.TOWNSHIP, village__isnull=True)
                | Q(level=DutyLevel.VILLAGE, village__isnull=False),
                name="duty_review_unit_matches_level",
            ),
        ]
        indexes = [models.Index(fields=["county", "level", "year"])]

    def __str__(self):
        return f"{self.person.name} {self.year}年{self.get_level_display()}"

    @property
    def unit_name(self):
        return self.village.name if self.village_id else self.township.name
