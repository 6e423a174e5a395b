"""Every page answers only the methods it states; the rest is 405 (issue 10, "Fix first").

The pattern list comes from the URL resolver, so a new page is covered the day it is
added. ``ACCEPTS_POST`` is the independent statement of which pages take a POST (a form
or an action button); any other page must refuse POST too."""

from django.urls import URLPattern, URLResolver, get_resolver

ACCEPTS_POST = {
    # forms
    "village-create", "village-update", "organization-create", "organization-update", "matter-create",
    "matter-detail", "weak-list", "weak-detail", "person-create", "person-update", "member-apply",
    "tenure-start", "member-import", "member-transition", "mobile-start", "post-assign", "meeting-create",
    "meeting-import", "appraisal-create", "indicator-create", "indicator-edit", "scheme-import",
    "report-import", "report-detail", "report-form", "township-report-form", "township-report-import",
    "report-bulk-approve", "run-list", "score-detail", "rating-list",
    "removal-list", "county-settings", "township-create", "township-update", "login", "password_change",
    "rating-sign", "message-list", "organization-elect", "bulletin-detail", "entry-review", "village-login-list",
    "survey-create", "survey-edit", "survey-import",
    "commitment-create", "commitment-edit",
    "commitment-action", "commitment-progress", "commitment-inspect", "commitment-grade",
    "inspection-close",
    "talk-decide", "talk-record", "talk-follow-up", "rectification-create", "rectification-edit", "rectification-close",
    "duty-create", "duty-edit", "duty-import",
    "pay-standard-create", "pay-standard-edit", "pay-period", "honour-nominate", "honour-detail",
    "allowance-tables", "allowance-person",
    # action buttons (POST only)
    "village-set-active", "organization-set-active", "person-reveal", "person-village-action", "report-return",
    "mobile-update", "correction-close", "tenure-end", "scheme-action", "township-set-active", "logout",
    "duty-ties", "duty-recompute", "pay-compute", "honour-propose",
}  # fmt: skip


def page_patterns(patterns=None, prefix=""):
    """(route, name) of every page: not the API (its router answers 405 itself) nor the admin."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if not route.startswith(("api/", "admin/")):
                yield from page_patterns(entry.url_patterns, route)
        elif isinstance(entry, URLPattern) and not route.startswith(("api/", "admin/")):
            yield route, entry.name


def sample_path(route):
    """The route with its converters filled in: ints with 1, strings with "x"."""
    import re

    return "/" + re.sub(r"<(?:(int|str|slug|path):)?\w+>", lambda m: "1" if m.group(1) == "int" else "x", route)


PAGES = sorted(set(page_patterns()))


def test_every_page_is_listed_once_with_a_name(figure):
    names = [name for _route, name in PAGES]
    assert None not in names
    assert set(ACCEPTS_POST) <= set(names), set(ACCEPTS_POST) - set(names)
    wrong = sum(3 if name in ACCEPTS_POST else 4 for name in names)
    figure("wrong methods", f"{wrong} requests over {len(names)} pages, each must answer 405")


def test_wrong_methods_answer_405(client, viewer_user):
    """One pass over every page (one login: building a user per page would dominate the time)."""
    wrong_answers = {}
    for route, name in PAGES:
        client.logout()
        if name != "login":  # a signed-in user is sent on from the login page, whatever the method
            client.force_login(viewer_user)
        path = sample_path(route)
        wrong = ["put", "patch", "delete"] + ([] if name in ACCEPTS_POST else ["post"])
        answers = {method: getattr(client, method)(path).status_code for method in wrong}
        if set(answers.values()) != {405}:
            wrong_answers[name] = answers
    assert wrong_answers == {}
