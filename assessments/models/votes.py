"""The typed democratic vote (民主测评) of a village secretary: since the 述职述廉 ballots, kept only
for the years entered before them (shown as 录入值（历史）)."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import YEAR_VALIDATORS, Township
from villages.models import Village


class VoteResult(models.Model):
    """The democratic vote (民主测评) on a village secretary for a year."""

    village = models.ForeignKey(Village, on_delete=models.PROTECT, related_name="vote_results")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="vote_results")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    score = models.DecimalField(_("测评得分（千分制）"), max_digits=7, decimal_places=2)
    incompetent_share = models.DecimalField(_("“不称职”票比例"), max_digits=5, decimal_places=4, default=0)

    scope_county_path = "township__county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("民主测评")
        verbose_name_plural = _("民主测评")
        constraints = [
            models.UniqueConstraint(fields=["village", "year"], name="vote_result_unique"),
            models.CheckConstraint(condition=Q(score__gte=0, score__lte=1000), name="vote_score_range"),
            models.CheckConstraint(
                condition=Q(incompetent_share__gte=0, incompetent_share__lte=1), name="vote_share_range"
            ),
        ]

    def __str__(self):
        return f"{self.village} {self.year}"
