"""Stored alerts (预警) and when each township's alerts were last computed."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from townships.models import Township
from villages.models import Village

from ..choices import AlertCode


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
