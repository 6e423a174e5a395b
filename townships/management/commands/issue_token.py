from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from townships.models import County
from townships.tokens import token_issue


class Command(BaseCommand):
    help = "Issue a read-only API token for a REST client and print it (only the token, on stdout)."

    def add_arguments(self, parser):
        parser.add_argument("name", help="client name, e.g. city-bi")
        parser.add_argument("--county", help="county name or id (optional when there is only one county)")
        parser.add_argument(
            "--days", type=int, default=None, help="token lifetime in days (default: REST_KNOX TOKEN_TTL)"
        )

    def handle(self, name, county=None, days=None, **options):
        counties = County.objects.all()
        if county:
            counties = counties.filter(pk=county) if county.isdigit() else counties.filter(name=county)
        found = list(counties[:2])
        if not found:
            raise CommandError(f"No county matches {county!r}." if county else "There is no county yet.")
        if len(found) > 1:
            raise CommandError("Several counties exist: choose one with --county.")
        try:
            token = token_issue(actor=None, client_name=name, county=found[0], days=days)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(token)
