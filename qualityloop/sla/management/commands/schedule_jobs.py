from django.core.management.base import BaseCommand

from qualityloop.sla import clocks, summaries


class Command(BaseCommand):
    help = (
        "Queue the next weekly and monthly management summaries if none is waiting; with "
        "--clocks also re-queue the deadline tasks of every running clock (after restoring a "
        "database or loading data without a queue)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clocks", action="store_true")

    def handle(self, *args, **options):
        queued = summaries.ensure_scheduled()
        if queued and options["verbosity"]:
            self.stdout.write("Queued summaries: " + ", ".join(queued))
        if options["clocks"]:
            count = clocks.schedule_running()
            self.stdout.write(f"Re-queued the deadlines of {count} running clock(s).")
