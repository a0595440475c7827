from django.core.management.base import BaseCommand, CommandError

from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint


class Command(BaseCommand):
    help = "Recompute the hash chain of every complaint's record and report any alteration."

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="only these complaint numbers")

    def handle(self, *args, numbers, **options):
        complaints = Complaint.objects.all()
        if numbers:
            complaints = complaints.filter(number__in=numbers)
        checked, problems = verify_chain(complaints)
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in {checked} events")
        self.stdout.write(f"{checked} events of {complaints.count()} complaints verified: intact.")
