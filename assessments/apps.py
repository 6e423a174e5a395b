from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("考核")

    def ready(self):
        from townships.county_settings import register_settings

        from .county_settings import ASSESSMENT_SETTINGS

        register_settings(*ASSESSMENT_SETTINGS)

        from villages.services import register_acceptance_check

        from .services.surveys import rectification_survey_check

        register_acceptance_check(rectification_survey_check)

        from townships.village_access import allow_for_village

        allow_for_village("village-home")  # 本村工作台: the village's scorecard, to-do and messages
