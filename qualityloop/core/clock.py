"""The one source of "now" for domain code.

Services ask ``clock.now()`` instead of ``timezone.now()`` so that the demo builder can
replay two years of history at believable times, and tests can pin time without patching.
"""

import contextlib
import contextvars
from collections.abc import Iterator
from datetime import datetime

from django.utils import formats, timezone

_frozen: contextvars.ContextVar[datetime | None] = contextvars.ContextVar("frozen", default=None)


def now() -> datetime:
    return _frozen.get() or timezone.now()


@contextlib.contextmanager
def at(moment: datetime) -> Iterator[None]:
    """Run the block as if the clock read ``moment``."""
    token = _frozen.set(moment)
    try:
        yield
    finally:
        _frozen.reset(token)


def local_text(moment: datetime) -> str:
    """A moment as a person reads it on a page: local time, to the minute."""
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")
