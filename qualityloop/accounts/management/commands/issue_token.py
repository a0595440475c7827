from django.core.management.base import BaseCommand, CommandError

from qualityloop.accounts.models import ApiToken, User


class Command(BaseCommand):
    help = "Issue an API token for USERNAME and print it. It is shown this once only."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("name", help="what the token is for, e.g. “CRM sync”")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named “{username}”.")
        if not user.is_active:
            raise CommandError(f"User “{username}” is inactive; a token would be refused.")
        name = name.strip()
        if not name or len(name) > 100:
            raise CommandError("Give the token a name of 1 to 100 characters.")
        _token, raw = ApiToken.issue(user=user, name=name)
        self.stdout.write(raw)
        self.stderr.write(
            "Store this token now: only its digest is kept, it cannot be shown again."
        )
