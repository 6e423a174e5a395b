from django.contrib import admin

from .models import PartyOrganization, Village


@admin.register(Village)
class VillageAdmin(admin.ModelAdmin):
    list_display = ["name", "township", "kind", "showcase_type", "households", "population", "is_active"]
    list_filter = ["kind", "showcase_type", "is_active", "township__county", "township"]
    search_fields = ["name", "division_code", "township__name"]
    list_select_related = ["township"]
    autocomplete_fields = ["township"]


@admin.register(PartyOrganization)
class PartyOrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "township", "village", "parent", "term_end", "is_active"]
    list_filter = ["kind", "is_active", "township__county", "township"]
    search_fields = ["name", "township__name", "village__name"]
    list_select_related = ["township", "village", "parent"]
    raw_id_fields = ["parent", "village"]
    filter_horizontal = ["joint_villages"]
