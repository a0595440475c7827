"""Sending notifications in the background. Tasks take ids, re-read state, are safe to run
twice: a delivery already sent, dead, not yet due or taken by another worker is left alone."""

from django_tasks import task

from qualityloop.core import clock

from . import services, transport
from .choices import DeliveryStatus


@task()
def deliver(delivery_id: int) -> str:
    """Send one delivery; after a failure, queue the next attempt after the backoff.

    Whatever the receiver does (refuses, times out, answers 500 or an error code), the
    outcome is written to the delivery log and this task ends normally.
    """
    delivery = services.claim_delivery(delivery_id=delivery_id)
    if delivery is None:
        return "skipped"
    try:
        outcome = transport.send(delivery, now=clock.now())
    except Exception as exc:  # a broken delivery must not take the worker down
        outcome = transport.Outcome(False, None, f"{type(exc).__name__}: {exc}"[:1000])
    delivery = services.record_attempt(
        delivery_id=delivery.pk,
        ok=outcome.ok,
        status_code=outcome.status_code,
        error=outcome.error,
        permanent=outcome.permanent,
    )
    if delivery.status == DeliveryStatus.RETRYING:
        deliver.using(run_after=delivery.next_attempt_at).enqueue(delivery.pk)
    return delivery.status
