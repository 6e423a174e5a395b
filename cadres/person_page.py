"""Sections the apps above add to a person's page: their own records about the person (the
assessment's 约谈 history, …), registered from their AppConfig.ready() so cadres never imports them.

A section is a function ``(request, person) -> dict | None``: ``None`` shows nothing; a dict names
the ``template`` to include and carries its context (read in a fixed number of queries, scoped to
the user by the section itself).
"""

SECTIONS = []


def register_person_section(section):
    if section not in SECTIONS:
        SECTIONS.append(section)
    return section


def person_sections(request, person):
    return [shown for shown in (section(request, person) for section in SECTIONS) if shown]
