"""七一 commendations (表彰) and recommendations (推荐): one row per (year, kind, person or
organization), proposed from the record (``assessments/honours.py``) or nominated by a township, and
decided by a named county user with an opinion."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cadres.models import Person
from townships.models import YEAR_VALIDATORS, County, Township
from villages.models import PartyOrganization, Village

from ..choices import HonourKind, HonourState


class Honour(models.Model):
    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"), validators=YEAR_VALIDATORS)
    kind = models.CharField(_("类别"), max_length=24, choices=HonourKind.choices)
    township = models.ForeignKey(Township, on_delete=models.PROTECT, related_name="+", verbose_name=_("乡镇"))
    village = models.ForeignKey(
        Village, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("村（社区）")
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="honours", verbose_name=_("人员")
    )
    organization = models.ForeignKey(
        PartyOrganization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="honours",
        verbose_name=_("党组织"),
    )
    from_record = models.BooleanField(_("按考核结果提名"), default=False)
    reason = models.CharField(_("提名理由"), max_length=300)
    deeds = models.TextField(_("主要事迹"), blank=True)
    state = models.CharField(_("状态"), max_length=10, choices=HonourState.choices, default=HonourState.PROPOSED)
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    nominated_at = models.DateTimeField(_("提名时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    opinion = models.TextField(_("决定意见"), blank=True)

    scope_county_path = "county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("表彰与推荐")
        verbose_name_plural = _("表彰与推荐")
        ordering = ["-year", "kind", "township", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind", "person"], condition=Q(person__isnull=False), name="honour_one_per_person"
            ),
            models.UniqueConstraint(
                fields=["year", "kind", "organization"],
                condition=Q(organization__isnull=False),
                name="honour_one_per_organization",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False, organization__isnull=True)
                | Q(person__isnull=True, organization__isnull=False),
                name="honour_names_a_person_or_an_organization",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()} {self.name}"

    @property
    def name(self):
        return self.person.name if self.person_id else self.organization.name
