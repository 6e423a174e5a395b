from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TownshipsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "townships"
    verbose_name = _("乡镇与用户")

    def ready(self):
        from . import signals  # noqa: F401  (signals connect once the app registry is ready: login auditing)
        from .api import auth  # noqa: F401  (its signals drop a cached API token when it is revoked)
        from .choices import MessageKind
        from .message_kinds import register_message_kinds
        from .village_access import allow_for_village

        register_message_kinds(MessageKind)  # the base's own: imports finished, village entries

        # A village login signs in and out, changes its password, reads its messages; "home" sends it
        # to its village's page (assessments opens that one).
        allow_for_village("login", "logout", "password_change", "password_change_done", "message-list", "home")
