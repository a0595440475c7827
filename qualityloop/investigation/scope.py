"""Is anyone else affected? The batches made around the complained batch, and the other
complaints on the same product, batch or failure.

Every complaint (and every complaint count) comes through ``visible_complaints(user)``, so
nobody learns here of a complaint they may not see.
"""

from datetime import timedelta

from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from qualityloop.catalog.models import Batch
from qualityloop.complaints.access import visible_complaints
from qualityloop.complaints.models import Complaint

WINDOW = timedelta(days=60)
LIMIT = 50


def _complaint_counts(user):
    """A subquery: how many complaints the user may see on the outer batch."""
    counted = (
        visible_complaints(user)
        .filter(batch_id=OuterRef("pk"))
        .order_by()
        .values("batch_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted), Value(0))


def _batch_row(batch: Batch) -> dict:
    return {
        "id": batch.pk,
        "lot_number": batch.lot_number,
        "production_date": batch.production_date,
        "quantity": batch.quantity,
        "complaints": batch.complaints,
    }


def _complaint_row(c: Complaint) -> dict:
    return {
        "id": c.pk,
        "number": c.number,
        "title": c.title,
        "status": c.status,
        "status_label": str(c.get_status_display()),
        "received_at": c.received_at,
        "customer": str(c.customer) if c.customer_id else c.complainant_org or "",
        "url": c.get_absolute_url(),
    }


def _others(user, complaint: Complaint, limit: int, **same) -> dict:
    qs = visible_complaints(user).filter(**same).exclude(pk=complaint.pk)
    rows = list(qs.select_related("customer").order_by("-received_at", "-id")[:limit])
    total = len(rows) if len(rows) < limit else qs.count()
    return {"total": total, "items": [_complaint_row(c) for c in rows]}


def _empty() -> dict:
    return {"total": 0, "items": []}


def scope_of_impact(complaint: Complaint, user, *, limit: int = LIMIT) -> dict:
    """What else the problem of ``complaint`` may reach, as far as ``user`` may see.

    ``batch``: the complained batch (with its quantity and complaint count), or None;
    ``batches``: other batches of the same product made within ±60 days of it, by date;
    ``same_product``, ``same_batch``, ``same_failure`` (same category): the other complaints,
    newest first, at most ``limit`` each, with ``total`` saying how many there are.
    """
    counts = _complaint_counts(user)
    batch = None
    batches: list[dict] = []
    if complaint.batch_id:
        own = Batch.objects.annotate(complaints=counts).get(pk=complaint.batch_id)
        batch = _batch_row(own)
        start, end = own.production_date - WINDOW, own.production_date + WINDOW
        neighbours = (
            Batch.objects.filter(product_id=own.product_id, production_date__range=(start, end))
            .exclude(pk=own.pk)
            .annotate(complaints=counts)
            .order_by("production_date", "lot_number")[:limit]
        )
        batches = [_batch_row(b) for b in neighbours]
    return {
        "window_days": WINDOW.days,
        "batch": batch,
        "batches": batches,
        "same_product": _others(user, complaint, limit, product_id=complaint.product_id)
        if complaint.product_id
        else _empty(),
        "same_batch": _others(user, complaint, limit, batch_id=complaint.batch_id)
        if complaint.batch_id
        else _empty(),
        "same_failure": _others(user, complaint, limit, category_id=complaint.category_id)
        if complaint.category_id
        else _empty(),
    }
