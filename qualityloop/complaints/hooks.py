"""The register's published hooks: what other apps do when a complaint's life moves on.

``complaints`` never imports the apps above it. It calls its hooks by name, and every module
listed in ``settings.COMPLAINT_HOOKS`` (in that order) may define a function of the same name:

- **Reactions** (``call``) run inside the caller's transaction, on the same complaint
  instance, whose row the caller has locked. They may write (start clocks, open tasks through
  ``services.open_task``, record events through ``changes``); work outside the database goes
  through ``core.effects.after_commit``. Their return values are ignored.
- **Contributions** (``collect``) are read-only: they return a value or None, and the
  register combines what they return (gate facts, signed content, timeline lines, readers).

Not Django signals: signals give neither an order nor return values.
"""

from collections.abc import Callable
from functools import cache
from importlib import import_module
from types import ModuleType

from django.conf import settings
from django.core.signals import setting_changed

# name: (arguments besides the complaint, what it means)
REACTIONS = {
    "registered": "actor. The complaint is saved, numbered, graded, at intake with its task.",
    "stage_entered": "stage, actor, at. A stage begins, before its task is opened.",
    "stage_left": "stage, transition, actor, at. A stage's task is done or cancelled.",
    "replanned": "actor. Grade, category, customer or channel changed on an open complaint.",
    "acknowledged": "at. The complainant was told the complaint is registered.",
    "answered": "actor, at, transition. The complainant has an answer (处理方案); transition "
    "is None for a recorded answer, else the transition that carried it.",
    "reopened": "actor, at. A closed or rejected complaint is open again.",
    "finished": "transition, actor, at. Closed or rejected; every open task is cancelled.",
}
CONTRIBUTIONS = {
    "stage_due": "stage -> datetime | None. When the stage's task is due.",
    "gate_facts": "-> dict of workflow.Facts fields the guards read.",
    "signed_content": "-> dict merged into the record a signature binds.",
    "timeline_entry": "event, entry -> True if it described the event (it fills entry).",
    "event_kinds": "() -> dict kind: label, for event kinds an app records.",
    "readers": "(user) -> Q over Complaint for people who may also read a complaint.",
    "page_panels": "-> [(slot, weight, template)] the complaint page includes, by weight "
    "in each slot (main, side_top, side).",
    "page_context": "user, forms -> dict the complaint page's panels need; forms holds any "
    "form sent back with errors.",
}


@cache
def _modules() -> tuple[ModuleType, ...]:
    return tuple(import_module(path) for path in settings.COMPLAINT_HOOKS)


@cache
def subscribers(name: str) -> tuple[Callable, ...]:
    """The functions subscribed to ``name``, in the order of ``settings.COMPLAINT_HOOKS``."""
    if name not in REACTIONS and name not in CONTRIBUTIONS:
        raise LookupError(f"no hook named {name!r}")
    return tuple(getattr(m, name) for m in _modules() if callable(getattr(m, name, None)))


def _reset(*, setting, **kwargs) -> None:
    if setting == "COMPLAINT_HOOKS":
        _modules.cache_clear()
        subscribers.cache_clear()


# Tests that change the subscriber list see it at once.
setting_changed.connect(_reset)


def call(name: str, complaint, **arguments) -> None:
    """Run every reaction to ``name`` in order, in the caller's transaction."""
    if name not in REACTIONS:
        raise LookupError(f"no reaction hook named {name!r}")
    for react in subscribers(name):
        react(complaint, **arguments)


def collect(name: str, *args, **arguments) -> list:
    """What every contribution to ``name`` returns, in order, leaving out None."""
    if name not in CONTRIBUTIONS:
        raise LookupError(f"no contribution hook named {name!r}")
    found = []
    for contribute in subscribers(name):
        value = contribute(*args, **arguments)
        if value is not None:
            found.append(value)
    return found


def merged(name: str, *args, **arguments) -> dict:
    """The dict contributions to ``name`` merged, later subscribers winning."""
    result: dict = {}
    for value in collect(name, *args, **arguments):
        result.update(value)
    return result
