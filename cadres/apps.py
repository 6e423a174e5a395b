from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cadres"
    verbose_name = _("干部与党员")

    def ready(self):
        from townships.county_settings import register_settings

        from .county_settings import ALLOWANCE_SETTINGS, CADRE_SETTINGS

        register_settings(*CADRE_SETTINGS, *ALLOWANCE_SETTINGS)

        from townships.message_kinds import register_message_kinds

        from .choices import CadreMessageKind

        register_message_kinds(CadreMessageKind)

        from .person_page import register_person_section
        from .services import on_tenures_changed
        from .services.allowance import allowance_tenures_changed
        from .views.allowance import person_allowance_section

        # Tenure corrections re-check the leaving allowance roster (it shows what changed), and the
        # person page shows the allowance status.
        on_tenures_changed(allowance_tenures_changed)
        register_person_section(person_allowance_section)

        from django.utils.translation import gettext_lazy

        from townships.review import EntryKind, register_entry_kind
        from townships.village_access import allow_for_village

        from .models import Meeting, ProgressEntry
        from .services.commitments import (
            PROGRESS_ENTRY,
            progress_entry_approved,
            progress_entry_describe,
            progress_entry_summary,
        )
        from .services.meetings import (
            MEETING_ENTRY,
            meeting_entry_approved,
            meeting_entry_describe,
            meeting_entry_summary,
        )

        # A village login records its organizations' meetings and reads them back (evidence too);
        # each is pending until its township approves it in the review queue.
        allow_for_village("meeting-create", "meeting-detail", "meeting-evidence")
        register_entry_kind(
            EntryKind(
                code=MEETING_ENTRY,
                label=gettext_lazy("组织生活记录"),
                model=Meeting,
                describe=meeting_entry_describe,
                summary=meeting_entry_summary,
                on_approved=meeting_entry_approved,
                select_related=("organization",),
                detail_url_name="meeting-detail",
            )
        )
        # A village login records progress on its approved commitments (台账) and reads them back;
        # each entry waits for its township in the same review queue.
        allow_for_village("commitment-detail", "commitment-progress", "commitment-file", "progress-evidence")
        register_entry_kind(
            EntryKind(
                code=PROGRESS_ENTRY,
                label=gettext_lazy("承诺实事台账记录"),
                model=ProgressEntry,
                describe=progress_entry_describe,
                summary=progress_entry_summary,
                on_approved=progress_entry_approved,
                entered_by_field="recorded_by",
                date_field="recorded_at",
                township_path="commitment__township",
                village_path="commitment__village",
                select_related=("commitment", "milestone"),
                detail_url_name="commitment-detail",
                detail_args=lambda entry: [entry.commitment_id],
            )
        )
