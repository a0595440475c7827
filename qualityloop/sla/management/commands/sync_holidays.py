from django.core.management.base import BaseCommand, CommandError

from qualityloop.sla import calendars, china, services
from qualityloop.sla.models import BusinessCalendar


class Command(BaseCommand):
    help = (
        "Add the Chinese statutory holidays and make-up days the chinese-calendar package knows "
        "to a business calendar (days already set by hand stay as they are)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--calendar", default=calendars.DEFAULT_CODE)
        parser.add_argument("--year", type=int, action="append", dest="years")

    def handle(self, *args, calendar, years, **options):
        target = BusinessCalendar.objects.filter(code=calendar).first()
        if target is None:
            raise CommandError(f"No business calendar “{calendar}”.")
        years = years or list(china.known_years())
        unknown = sorted(set(years) - set(china.known_years()))
        if unknown:
            raise CommandError(
                f"The installed chinese-calendar package does not know {unknown}; "
                "enter those days in the admin."
            )
        added = services.sync_holidays(calendar=target, years=years)
        self.stdout.write(f"{added} day(s) added to {target}.")
