"""The sections the apps above add to a Party organization's page (its commendations, …): see
townships.page_sections."""

from townships.page_sections import PageSections

ORGANIZATION_PAGE = PageSections()
register_organization_section = ORGANIZATION_PAGE.register
organization_sections = ORGANIZATION_PAGE.shown
