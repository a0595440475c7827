"""What one due deadline costs the worker: queries and milliseconds per task.

    python bench/due_task.py --complaints 200

Registers complaints through the services on the database named by DATABASE_URL (it must be
empty and migrated), moves the clock past their intake deadlines, and runs each deadline task
as the worker would: the real ``fire_deadline`` (a missed deadline: event, owner notified,
escalation chain queued) and the same task once more (the repeat that finds nothing to do).
Prints the median and p95 of each, with the number of queries.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qualityloop.settings")

import django

django.setup()

import time_machine  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from qualityloop.complaints.choices import Scope  # noqa: E402
from qualityloop.sla import escalation  # noqa: E402
from qualityloop.sla.models import SlaClock  # noqa: E402
from qualityloop.testing import Org  # noqa: E402


def timed(call):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        call()
        elapsed = (time.perf_counter() - start) * 1000
    return elapsed, len(queries)


def report(name, samples):
    ms = sorted(s[0] for s in samples)
    counts = sorted({s[1] for s in samples})
    p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
    print(
        f"{name:<34} median {statistics.median(ms):6.2f} ms  p95 {p95:6.2f} ms  "
        f"queries {'/'.join(map(str, counts))}"
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--complaints", type=int, default=200)
    args = parser.parse_args()
    org = Org()
    received = datetime(2026, 11, 2, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    clocks = []
    with time_machine.travel(received, tick=False):
        for _ in range(args.complaints):
            complaint = org.register(received_at=received, channel="phone", scope=Scope.BATCH)
            clocks.append(SlaClock.objects.get(complaint=complaint, kind="intake"))
    fired, repeated = [], []
    with time_machine.travel(received + timedelta(hours=6), tick=False):
        for c in clocks:
            fired.append(timed(lambda c=c: escalation.fire_deadline(clock_id=c.pk, generation=1)))
        for c in clocks:
            repeated.append(
                timed(lambda c=c: escalation.fire_deadline(clock_id=c.pk, generation=1))
            )
    print(f"{connection.vendor}, {args.complaints} complaints, one intake deadline each")
    report("deadline task (missed, escalates)", fired)
    report("same task again (nothing to do)", repeated)


if __name__ == "__main__":
    main()
