"""Reading helpers shared by the pages, the API and the reports."""

from django.db.models import Prefetch

from .models import WhyStep


def current_steps() -> Prefetch:
    """Prefetch each chain's steps as they are now (not replaced) into ``current_steps``."""
    return Prefetch(
        "steps",
        queryset=WhyStep.objects.filter(replaced_at__isnull=True)
        .select_related("cause_code")
        .order_by("position"),
        to_attr="current_steps",
    )
