from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from townships.tokens import CommandLineActor, token_revoke


class Command(BaseCommand):
    help = "Revoke (delete) every API token of a REST client; the client's requests then get 401."

    def add_arguments(self, parser):
        parser.add_argument("name", help="client name given to issue_token")

    def handle(self, name, **options):
        try:
            count = token_revoke(actor=CommandLineActor.current("revoke_token"), client_name=name)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(f"Revoked {count} token(s) of {name}.")
