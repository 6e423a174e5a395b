from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CadresConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cadres"
    verbose_name = _("干部与党员")
