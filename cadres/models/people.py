"""People and posts: the person on record, tenures, 包村联村 and the reserve cadre pool."""

import datetime

from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from townships.models import Township
from villages.models import Village

from ..choices import Education, Gender, PostKind
from ..identity import mask_id_number, mask_phone


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
