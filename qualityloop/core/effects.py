"""Work outside the database (mail, webhooks, queued tasks) happens after the transaction
that decided it commits, and never while history is replayed.

Every app hands such work to ``after_commit``. The replay switch (``backfill``) is read here
and in notification delivery only: a replayed demo writes its record through the services
but tells nobody and queues nothing; the builder queues what is still due once at the end.
"""

from collections.abc import Callable

from django.db import transaction

from . import backfill


def after_commit(work: Callable[[], object], *, robust: bool = False) -> bool:
    """Run ``work`` once the current transaction commits (at once outside one); ``robust``
    work that fails is logged and does not stop the rest.

    Returns False, doing nothing, while history is replayed."""
    if backfill.active():
        return False
    transaction.on_commit(work, robust=robust)
    return True
