from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VillagesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "villages"
    verbose_name = _("村（社区）与党组织")

    def ready(self):
        from townships.county_settings import register_settings

        from .county_settings import VILLAGE_SETTINGS

        register_settings(*VILLAGE_SETTINGS)
