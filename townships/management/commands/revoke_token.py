from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from townships.tokens import token_revoke


class Command(BaseCommand):
    help = "Revoke every API token of a REST client."

    def add_arguments(self, parser):
        parser.add_argument("name")

    def handle(self, name, **options):
        try:
            count = token_revoke(actor=None, client_name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Revoked {count} token(s) of {name}.")
