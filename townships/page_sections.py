"""Sections the apps above add to a page of an app below them: a person's page in cadres lists the
assessment's 约谈 and pay, an organization's page in villages lists its commendations. Each section
is registered from the upper app's AppConfig.ready(), so the lower app never imports it.

A section is a function ``(request, obj) -> dict | None``: ``None`` shows nothing; a dict names the
``template`` to include and carries its context (read in a fixed number of queries, scoped to the
user by the section itself).
"""


class PageSections:
    def __init__(self):
        self.sections = []

    def register(self, section):
        if section not in self.sections:
            self.sections.append(section)
        return section

    def shown(self, request, obj):
        return [shown for shown in (section(request, obj) for section in self.sections) if shown]
