from django.contrib import admin, messages
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from knox import admin as knox_admin  # noqa: F401  registers knox's AuthTokenAdmin, replaced below
from knox.models import AuthToken

from .choices import AuditAction, Role
from .models import AuditEvent, County, Township, User
from .services import audit_record
from .tokens import token_issue, tokens_delete


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["name", "division_code", "is_active"]
    search_fields = ["name", "division_code"]
    list_filter = ["is_active"]


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "kind", "sort_key", "village_count", "population", "is_active"]
    list_filter = ["county", "kind", "is_active"]
    search_fields = ["name", "division_code"]
    list_select_related = ["county"]
    ordering = ["county", "sort_key", "name"]


class _ScopeCheck:
    """A village login's township is its village's own (the model's constraint cannot see the join)."""

    def clean(self):
        data = super().clean()
        village, township = data.get("village"), data.get("township")
        if village is not None and township is not None and village.township_id != township.pk:
            self.add_error("village", _("所属村（社区）不在所选乡镇。"))
        return data


class UserChangeForm(_ScopeCheck, auth_forms.UserChangeForm):
    pass


class UserCreationForm(_ScopeCheck, auth_forms.AdminUserCreationForm):
    pass


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "first_name", "role", "county", "township", "village", "is_active", "last_login"]
    list_filter = ["role", "is_active", "county", "township"]
    list_select_related = ["county", "township", "village"]
    raw_id_fields = ["village"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ("role", "county", "township", "village")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与范围"), {"fields": ("role", "county", "township", "village")}),
    )
    actions = ["issue_api_token"]
    # Fields that decide what the account may see or do: changing any of them is audited.
    POWER_FIELDS = (
        "role",
        "county",
        "township",
        "village",
        "is_active",
        "is_staff",
        "is_superuser",
        "groups",
        "user_permissions",
    )

    def save_model(self, request, obj, form, change):
        changed = [name for name in self.POWER_FIELDS if name in form.changed_data]
        before = type(obj).objects.filter(pk=obj.pk).first() if change else None
        super().save_model(request, obj, form, change)
        if changed or not change:
            detail = {
                name: [str(getattr(before, name, "")) if before else "", str(getattr(obj, name, ""))]
                for name in changed
                if name not in ("groups", "user_permissions")
            }
            audit_record(
                actor=request.user, action=AuditAction.ROLE_CHANGED, target=obj, detail=detail, request=request
            )

    @admin.action(description=_("签发接口令牌（只显示一次）"))
    def issue_api_token(self, request, queryset):
        for client in queryset:
            if client.role != Role.API_CLIENT or client.county is None:
                self.message_user(request, _("%(u)s 不是接口客户端，已跳过。") % {"u": client}, messages.WARNING)
                continue
            try:
                token = token_issue(
                    actor=request.user, client_name=client.username, county=client.county, request=request
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(
                request,
                _("%(u)s 的新令牌（请立即复制，之后无法再次查看）：%(t)s") % {"u": client, "t": token},
                messages.SUCCESS,
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail is written by services, never edited by hand."""

    list_display = ["created_at", "actor_name", "action", "target_type", "target_repr", "ip_address"]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_name", "target_repr", "target_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- API client tokens ------------------------------------------------------------------
# knox registers its own AuthToken admin; ours replaces it so that revoking is audited and
# tokens are issued only through the audited user action above (which also insists on an
# api_client user). knox.admin is imported at the top so the replacement works whatever the app order.

admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class AuthTokenAdmin(admin.ModelAdmin):
    """Revoke client tokens (delete); the clear token is never stored, so there is nothing to show."""

    list_display = ["user", "token_key", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username", "token_key"]
    ordering = ["-created"]
    fields = ["user", "token_key", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        tokens_delete(actor=request.user, tokens=AuthToken.objects.filter(pk=obj.pk), request=request)

    def delete_queryset(self, request, queryset):
        tokens_delete(actor=request.user, tokens=queryset, request=request)
