"""The seeded cause codes, put back on demand (a transactional test's flush removes them)."""

from importlib import import_module

from django.apps import apps


def ensure_defaults() -> None:
    """Re-create any default cause code that is missing. Safe to call any number of times."""
    import_module("qualityloop.investigation.migrations.0002_default_cause_codes").forward(
        apps, None
    )
