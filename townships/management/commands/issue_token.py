from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from townships.models import County
from townships.tokens import CommandLineActor, token_issue


class Command(BaseCommand):
    help = (
        "Issue a read-only API token for a REST client (creating the client user if needed) and print "
        "only the token on stdout, e.g. TOKEN=$(python manage.py issue_token city-bi)."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="client name, e.g. city-bi (letters, digits and @.+-_)")
        parser.add_argument("--county", help="county name or id (may be omitted when there is only one county)")
        parser.add_argument("--days", type=int, default=None, help="lifetime in days (default: REST_KNOX TOKEN_TTL)")

    def handle(self, name, county=None, days=None, **options):
        token = _issue(name, _county(county), days)
        # Only the token, so that scripts can capture it; the audit trail records the act.
        self.stdout.write(token)


def _county(wanted):
    counties = County.objects.order_by("pk")
    if wanted:
        matches = counties.filter(pk=int(wanted)) if wanted.isdigit() else counties.filter(name=wanted)
        found = list(matches[:2])
        if not found:
            raise CommandError(f"没有这个县 / no county matches {wanted!r}.")
        if len(found) > 1:
            raise CommandError(f"有多个县叫这个名字 / several counties are named {wanted!r}: give the id instead.")
        return found[0]
    found = list(counties[:2])
    if not found:
        raise CommandError("还没有县 / there is no county yet.")
    if len(found) > 1:
        raise CommandError("有多个县，请用 --county 指定 / several counties exist: choose one with --county.")
    return found[0]


def _issue(name, county, days):
    try:
        return token_issue(actor=CommandLineActor.current("issue_token"), client_name=name, county=county, days=days)
    except ValidationError as exc:
        raise CommandError(" ".join(exc.messages)) from None
