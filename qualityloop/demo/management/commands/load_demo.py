import time

from django.core.management.base import BaseCommand, CommandError

from qualityloop.accounts.models import User
from qualityloop.complaints.models import Complaint
from qualityloop.demo import builder


class Command(BaseCommand):
    help = (
        "Load a demo manufacturer with two years of complaint history, built through the "
        "services, and print the demo logins."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--complaints", type=int, default=300, help="How many complaints (default 300)."
        )
        parser.add_argument(
            "--seed",
            type=int,
            default=builder.DEFAULT_SEED,
            help="Random seed, for a repeatable demo.",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any complaint exists (for starting the demo on every run).",
        )

    def handle(self, *args, complaints, seed, if_empty, **options):
        if complaints < 0:
            raise CommandError("--complaints must be 0 or more.")
        if if_empty and Complaint.objects.exists():
            self.stdout.write("Complaints exist already; demo data not loaded.")
            demo_users = User.objects.filter(
                username__in=[p[0] for p in builder.PEOPLE], is_active=True
            ).order_by("id")
            if demo_users:
                self.stdout.write(
                    f"Demo accounts here (password {builder.DEMO_PASSWORD} unless changed): "
                    + ", ".join(f"{u.username} ({u.get_role_display()})" for u in demo_users)
                )
            return
        started = time.monotonic()
        try:
            result = builder.build(complaints=complaints, seed=seed)
        except builder.SignersChanged as refused:
            raise CommandError(str(refused)) from refused
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(f"Loaded {result.complaints} demo complaints in {seconds:.1f} s.")
        )
        builder.print_logins(result, self.stdout.write)
