"""What other apps read about a complaint's actions, remedies and costs.

The workflow gates (``action_summary``), the reports (``actions_for`` for the 8D report and
the rectification plan) and the dashboards (``costs_by_category``, ``total_cost``) use these;
access is the caller's business.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from .choices import OPEN_STATUSES, ActionStatus, ActionType, CostCategory
from .models import Action, CostLine, Remedy

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class ActionSummary:
    corrective: int  # corrective actions linked to the complaint
    open: int  # planned, in progress, or reopened
    unverified: int  # done but not yet verified
    total: int


def actions_for(complaint) -> QuerySet[Action]:
    """The complaint's actions, by due date, with owner and department loaded."""
    return (
        Action.objects.filter(links__complaint=complaint)
        .select_related("owner", "department")
        .order_by("due_date", "id")
    )


def action_summary(complaint) -> ActionSummary:
    counts = Action.objects.filter(links__complaint=complaint).aggregate(
        corrective=Count("id", filter=Q(type=ActionType.CORRECTIVE)),
        open=Count("id", filter=Q(status__in=OPEN_STATUSES)),
        unverified=Count("id", filter=Q(status=ActionStatus.DONE)),
        total=Count("id"),
    )
    return ActionSummary(**counts)


def remedies_for(complaint) -> QuerySet[Remedy]:
    return Remedy.objects.filter(complaint=complaint).select_related(
        "proposed_by", "approved_by", "rejected_by", "given_by"
    )


def cost_lines_for(complaint) -> QuerySet[CostLine]:
    return CostLine.objects.filter(complaint=complaint).select_related("created_by")


def costs_by_category(complaint) -> dict[str, Decimal]:
    """Every category (in the order of ``CostCategory``) with its total; 0.00 where none."""
    sums = dict(
        CostLine.objects.filter(complaint=complaint)
        .order_by()
        .values("category")
        .annotate(total=Sum("amount"))
        .values_list("category", "total")
    )
    return {c.value: _cents(sums.get(c.value)) for c in CostCategory}


def total_cost(complaint) -> Decimal:
    total = CostLine.objects.filter(complaint=complaint).aggregate(total=Sum("amount"))["total"]
    return _cents(total)


def _cents(value) -> Decimal:
    return Decimal(value or 0).quantize(ZERO)
