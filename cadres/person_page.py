"""The sections the apps above add to a person's page (the assessment's 约谈 history, grades, pay,
…): see townships.page_sections."""

from townships.page_sections import PageSections

PERSON_PAGE = PageSections()
register_person_section = PERSON_PAGE.register
person_sections = PERSON_PAGE.shown
