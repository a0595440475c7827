from django.core.management.base import BaseCommand, CommandError

from qualityloop.accounts.models import User
from qualityloop.accounts.services import issue_api_token
from qualityloop.core.errors import DomainError


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it. It is shown this once only."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. “CRM sync”")
        parser.add_argument(
            "--by", metavar="ADMIN", help="the username of who issues it, for the system record"
        )

    def handle(self, *args, username, name, by, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named “{username}”.")
        actor = None
        if by:
            actor = User.objects.filter(username=by, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user named “{by}”.")
        try:
            _token, raw = issue_api_token(actor=actor, user=user, name=name)
        except DomainError as error:
            raise CommandError(error.message) from error
        self.stdout.write(raw)
        self.stderr.write(
            "Store this token now: only its digest is kept, it cannot be shown again."
        )
