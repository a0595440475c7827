"""Replaying history (the demo builds two years in a minute): while it runs, the services
write the record but send nothing to the outside world and queue no deadline tasks; the
builder queues what is still due once at the end."""

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
