"""Test helpers of the messages app."""


def ensure_default_templates() -> None:
    """Put back the default templates, which a transactional test's flush removes."""
    from importlib import import_module

    from django.apps import apps

    from .models import MessageTemplate

    if not MessageTemplate.objects.exists():
        import_module("qualityloop.correspondence.migrations.0002_default_templates").forward(
            apps, None
        )
