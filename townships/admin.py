from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import AuditEvent, County, Township, User


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


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "role", "county", "township", "is_active", "last_login"]
    list_filter = ["role", "is_active", "county", "township"]
    list_select_related = ["county", "township"]
    search_fields = ["username", "first_name", "last_name", "email"]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("角色与范围"), {"fields": ("role", "county", "township")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("角色与范围"), {"fields": ("role", "county", "township")}),
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
