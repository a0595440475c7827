from django.core.management.base import BaseCommand, CommandError

from qualityloop.complaints.events import verify_chain
from qualityloop.complaints.models import Complaint
from qualityloop.core.audit import verify_system_record


class Command(BaseCommand):
    help = (
        "Recompute the hash chain of every complaint's record and of the system record, and "
        "report any alteration."
    )

    def add_arguments(self, parser):
        parser.add_argument("numbers", nargs="*", help="only these complaint numbers")

    def handle(self, *args, numbers, **options):
        complaints = Complaint.objects.all()
        if numbers:
            complaints = complaints.filter(number__in=numbers)
        checked, problems = verify_chain(complaints)
        system_checked, system_problems = verify_system_record()
        for problem in [*problems, *system_problems]:
            self.stderr.write(str(problem))
        if problems or system_problems:
            raise CommandError(
                f"{len(problems) + len(system_problems)} problem(s) in "
                f"{checked + system_checked} events"
            )
        self.stdout.write(f"{checked} events of {complaints.count()} complaints verified: intact.")
        self.stdout.write(f"{system_checked} events of the system record verified: intact.")
