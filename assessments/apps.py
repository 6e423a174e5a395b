from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "assessments"
    verbose_name = _("考核")

    def ready(self):
        from townships.county_settings import register_settings

        from .county_settings import (
            ASSESSMENT_SETTINGS,
            DUTY_SETTINGS,
            HONOUR_SETTINGS,
            PAY_SETTINGS,
            RATING_SETTINGS,
        )

        register_settings(*RATING_SETTINGS, *ASSESSMENT_SETTINGS, *DUTY_SETTINGS, *PAY_SETTINGS, *HONOUR_SETTINGS)

        from townships.message_kinds import register_message_kinds

        from .choices import AssessmentMessageKind

        register_message_kinds(AssessmentMessageKind)

        from villages.services import register_acceptance_check

        from .services.surveys import rectification_survey_check

        register_acceptance_check(rectification_survey_check)

        from townships.village_access import allow_for_village

        allow_for_village("village-home")  # 本村工作台: the village's scorecard, to-do and messages

        from townships.review import EntryKind, register_entry_kind

        from .models import BallotTally
        from .services.surveys import SURVEY_ENTRY, survey_entry_approved, survey_entry_describe, survey_entry_summary

        # A village login records its own surveys' tallies (测评计票); each waits for its township.
        allow_for_village("survey-create", "survey-detail")
        register_entry_kind(
            EntryKind(
                code=SURVEY_ENTRY,
                label=_("满意度测评"),
                model=BallotTally,
                describe=survey_entry_describe,
                summary=survey_entry_summary,
                entered_by_field="entered_by",
                select_related=("organization", "person"),
                on_approved=survey_entry_approved,
                detail_url_name="survey-detail",
            )
        )

        from townships.inputs import on_inputs_changed

        from .services.reports import scored_months_changed

        on_inputs_changed(scored_months_changed)  # what the registers below tell: their months are scored again

        from cadres.person_page import register_person_section

        from .selectors.talks import person_talks_section

        register_person_section(person_talks_section)  # the person page lists their 约谈

        from .selectors.duty import person_duty_section

        register_person_section(person_duty_section)  # … and their 述职, each year's result

        from .views.honours import person_honours_section

        register_person_section(person_honours_section)  # … and their commendations and recommendations

        from villages.organization_page import register_organization_section

        from .views.honours import organization_honours_section

        register_organization_section(organization_honours_section)  # an organization's 先进基层党组织

        from .selectors.pay import person_pay_section
        from .selectors.village import person_record_section

        register_person_section(person_record_section)  # … and their grades and monthly scores

        register_person_section(person_pay_section)  # … and their pay by period, for those who may see it

        from cadres.services import on_tenures_changed

        from .services.pay import pay_tenures_changed

        on_tenures_changed(pay_tenures_changed)  # computed pay periods show that their tenures changed
