from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, Role, TownshipKind
from .message_kinds import message_kind_choices

# The years and months a record may name. Forms and the API check them through the
# model fields, so a month 13 or a year 1457 is a 400 with this message, not a failed
# database constraint.
YEAR_MESSAGE = _("年份应在 2000 到 2100 之间。")
MONTH_MESSAGE = _("月份应在 1 到 12 之间。")
YEAR_VALIDATORS = [MinValueValidator(2000, YEAR_MESSAGE), MaxValueValidator(2100, YEAR_MESSAGE)]
MONTH_VALIDATORS = [MinValueValidator(1, MONTH_MESSAGE), MaxValueValidator(12, MONTH_MESSAGE)]


def validate_period(year, month):
    """A (year, month) checked exactly as the models' fields check it, for the paths that take the
    period from a URL or an argument rather than a form: ValidationError naming ``year``/``month``."""
    errors = {}
    for field, value, validators in (("year", year, YEAR_VALIDATORS), ("month", month, MONTH_VALIDATORS)):
        try:
            for validator in validators:
                validator(value)
        except ValidationError as error:
            errors[field] = error.messages
    if errors:
        raise ValidationError(errors)


class County(models.Model):
    """A county or district (县/区): the unit one organization department runs."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)

    # Scoping paths (see townships.scoping): how a row reaches its county and township.
    scope_county_path = "pk"
    scope_township_path = "townships"

    class Meta:
        verbose_name = _("县（区）")
        verbose_name_plural = _("县（区）")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Township(models.Model):
    """A township (乡), town (镇) or subdistrict (街道) under a county."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="townships", verbose_name=_("所属县"))
    name = models.CharField(_("名称"), max_length=50)
    kind = models.CharField(_("类型"), max_length=16, choices=TownshipKind.choices, default=TownshipKind.TOWN)
    division_code = models.CharField(_("行政区划代码"), max_length=12, blank=True)
    # An editable sort key: pinyin guesses place names wrong (长岭, 朝阳), staff set the order.
    sort_key = models.CharField(_("排序码"), max_length=32, blank=True)
    is_active = models.BooleanField(_("启用"), default=True)
    # Totals kept by townships.services.township_refresh_totals (a Celery task),
    # so lists and dashboards never recount villages on every view.
    village_count = models.PositiveIntegerField(_("村（社区）数"), default=0, editable=False)
    population = models.PositiveIntegerField(_("人口"), default=0, editable=False)
    households = models.PositiveIntegerField(_("户数"), default=0, editable=False)
    totals_refreshed_at = models.DateTimeField(_("合计更新时间"), null=True, blank=True, editable=False)

    scope_county_path = "county"
    scope_township_path = "pk"

    class Meta:
        verbose_name = _("乡镇（街道）")
        verbose_name_plural = _("乡镇（街道）")
        ordering = ["sort_key", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["county", "name"],
                name="township_unique_name_in_county",
                violation_error_message=_("本县已有同名乡镇。"),
            ),
        ]
        indexes = [models.Index(fields=["county", "sort_key", "name"])]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person or REST client using the product, with one role and its scope."""

    role = models.CharField(_("角色"), max_length=20, choices=Role.choices, default=Role.COUNTY_VIEWER)
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属县")
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="users", verbose_name=_("所属乡镇")
    )
    # A village login's village (村级账号). A string reference: villages sits above this app.
    # The village's own township is checked where accounts are made (townships.services.village_user_create).
    village = models.ForeignKey(
        "villages.Village",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        verbose_name=_("所属村（社区）"),
    )
    # Kept with the user (loaded on every request anyway) so the navbar's badge costs no query;
    # townships.services.notify and message_mark_read recount it in the same transaction.
    unread_messages = models.PositiveIntegerField(_("未读消息"), default=0, editable=False)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role=Role.TOWNSHIP_STAFF) | Q(township__isnull=False),
                name="user_township_staff_has_township",
                violation_error_message=_("乡镇人员必须指定所属乡镇。"),
            ),
            models.CheckConstraint(
                condition=~Q(role=Role.VILLAGE_STAFF) | Q(township__isnull=False, village__isnull=False),
                name="user_village_staff_has_village",
                violation_error_message=_("村级账号必须指定所属乡镇和村（社区）。"),
            ),
            # Only a village login names a village: a township or county account with a village
            # would read as narrower than it is.
            models.CheckConstraint(
                condition=Q(role=Role.VILLAGE_STAFF) | Q(village__isnull=True),
                name="user_village_only_for_village_staff",
                violation_error_message=_("只有村级账号可以指定所属村（社区）。"),
            ),
        ]

    def __str__(self):
        # Pages, forms and the admin name people as people read them. The security record keeps
        # the account name itself (AuditEvent.actor_name), the API never prints a user.
        return self.display_name

    @property
    def display_name(self):
        """How the interface names a user: the name given (first_name holds the whole Chinese
        name), else the full name, else the account name."""
        return self.first_name or self.get_full_name() or self.get_username()

    @property
    def is_county_admin(self):
        return self.is_superuser or self.role == Role.COUNTY_ADMIN

    @property
    def is_county_level(self):
        return self.is_superuser or self.role in (Role.COUNTY_ADMIN, Role.COUNTY_VIEWER, Role.API_CLIENT)

    @property
    def is_township_staff(self):
        return not self.is_superuser and self.role == Role.TOWNSHIP_STAFF

    @property
    def is_village_staff(self):
        """A village login (村党组织书记/村党建专干): its own village only, through an allowlist of pages."""
        return not self.is_superuser and self.role == Role.VILLAGE_STAFF


class AuditEvent(models.Model):
    """One security-relevant act: a login, an export, a reveal, an approval, an override."""

    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("操作人"),
    )
    actor_name = models.CharField(_("操作人账号"), max_length=150, blank=True)
    action = models.CharField(_("动作"), max_length=24, choices=AuditAction.choices)
    target_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    target_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    target_repr = models.CharField(_("对象"), max_length=200, blank=True)
    detail = models.JSONField(_("详情"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Whose records the event concerns, for the county's audit log (null: a failed login with an
    # unknown account name, or an event before these columns existed and without an actor).
    # PROTECT: audit rows cannot be altered (migration 0005's trigger), so they cannot be set null either.
    county = models.ForeignKey(
        County, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("县（区）")
    )
    township = models.ForeignKey(
        Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("乡镇")
    )

    scope_county_path = "county_id"
    scope_township_path = "township_id"

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["target_type", "target_id"]),
            models.Index(fields=["county", "-created_at"], name="audit_county_time"),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.get_action_display()} {self.target_repr}"


class CountySetting(models.Model):
    """One county-level setting (县级参数) whose default comes from the regulations.

    The definitions (key, label, default, bounds) are each app's own, registered with
    townships.county_settings; a row exists only where the county changed the default.
    """

    county = models.ForeignKey(County, on_delete=models.CASCADE, related_name="settings", verbose_name=_("县"))
    key = models.CharField(_("参数"), max_length=64)
    value = models.JSONField(_("取值"))
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("修改人")
    )

    scope_county_path = "county"
    scope_township_path = "county__townships"

    class Meta:
        verbose_name = _("县级参数")
        verbose_name_plural = _("县级参数")
        constraints = [models.UniqueConstraint(fields=["county", "key"], name="county_setting_unique_key")]

    def __str__(self):
        return f"{self.county} {self.key}"


class ImportBatch(models.Model):
    """One accepted Excel upload (导入批次). The file's hash makes a second upload of it a no-op."""

    county = models.ForeignKey(County, on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Township, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    kind = models.CharField(_("导入类型"), max_length=32)
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(_("文件名"), max_length=200)
    rows = models.PositiveIntegerField(_("行数"), default=0)
    created = models.PositiveIntegerField(_("新增"), default=0)
    created_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    scope_county_path = "county"
    scope_township_path = "township"

    class Meta:
        verbose_name = _("导入批次")
        verbose_name_plural = _("导入批次")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["county", "kind", "sha256"], name="import_batch_unique_file"),
        ]

    def __str__(self):
        return f"{self.kind} {self.filename}"


class Message(models.Model):
    """An in-app message (站内消息) to one user: a report returned or approved, a deadline near, a
    run finished or failed, a flag awaiting decision, an import finished. County intranets have no
    SMS or WeChat gateway; ``settings.MESSAGE_GATEWAY`` names a function that may forward them."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="messages", verbose_name=_("收件人")
    )
    # Each app registers the kinds it sends (townships.message_kinds).
    kind = models.CharField(_("类型"), max_length=20, choices=message_kind_choices)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("链接"), max_length=300, blank=True)
    # The same event is told once: a non-empty key is unique per recipient (a deadline reminder).
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="message_recipient_unread")]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], condition=~Q(key=""), name="message_unique_key_per_recipient"
            )
        ]

    def __str__(self):
        return self.title
