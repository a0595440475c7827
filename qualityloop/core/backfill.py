"""Replaying history (the demo builds two years in a minute): while it runs, the services
write the record but send nothing to the outside world and queue no tasks; the builder queues
what is still due once at the end.

The switch is read in two places only: ``core.effects.after_commit`` (no mail, webhook or
queued task leaves a replay) and ``notifications.services.notify`` (nobody is told again
about the past). Nothing else may ask it: in particular an electronic signature always checks
the signer's password, replay or not."""

import threading
from contextlib import contextmanager

_state = threading.local()


@contextmanager
def backfilling():
    _state.active = True
    try:
        yield
    finally:
        _state.active = False


def active() -> bool:
    return getattr(_state, "active", False)
