"""The one public way for any app's service to change a complaint.

Lock order, everywhere: a complaint's row first, then its children (tasks, clocks, its
investigation, its actions' rows); several complaints in ascending id order (``lock_many``),
after the one object that ties them together (an action). A service that changes a complaint
locks it here, checks that the actor may and that the version the user saw is current,
records its events through ``record`` and so bumps the version once per locked instance.
"""

from django.db.models import F
from django.utils.translation import gettext as _

from qualityloop.core.errors import DomainError, NotAllowed, StaleVersion

from . import events
from .models import Complaint


def not_found() -> DomainError:
    return DomainError(_("No such complaint."), field="complaint", code="not_found")


def lock(
    complaint_id,
    *,
    actor=None,
    may=None,
    refusal: str = "",
    expected_version=None,
    select_related=(),
) -> Complaint:
    """The complaint, its row locked until the transaction ends.

    A missing or malformed id is "no such complaint" for every caller. With ``may``
    (``may(actor, complaint) -> bool``) an actor who may not is refused with ``refusal``
    (NotAllowed); with ``refusal`` empty the refusal is "no such complaint", for callers that
    must not tell a hidden complaint from a missing one. ``expected_version`` is the version
    the user saw: a newer one is a conflict."""
    qs = Complaint.objects.select_for_update(of=("self",) if select_related else ())
    if select_related:
        qs = qs.select_related(*select_related)
    try:
        complaint = qs.get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise not_found() from None
    if may is not None and not may(actor, complaint):
        raise NotAllowed(refusal) if refusal else not_found()
    check_version(complaint, expected_version)
    return complaint


def lock_if_exists(complaint_id) -> Complaint | None:
    """The complaint, row locked, or None if there is none: for background tasks, which
    re-read what they act on and do nothing when it is gone."""
    return Complaint.objects.select_for_update().filter(pk=complaint_id).first()


def lock_many(complaint_ids) -> list[Complaint]:
    """Several complaints, row locked in ascending id order so that two services locking
    overlapping sets never wait on each other in a circle."""
    ids = sorted({int(pk) for pk in complaint_ids})
    return list(Complaint.objects.select_for_update().filter(pk__in=ids).order_by("pk"))


def check_version(complaint: Complaint, expected_version) -> None:
    if expected_version is not None and int(expected_version) != complaint.version:
        raise StaleVersion(complaint.version)


def bump(complaint: Complaint, *fields: str) -> None:
    """Save ``fields`` of a locked complaint; the version goes up once per locked instance,
    however many times one service saves it."""
    update = [*fields, "updated_at"]
    if not getattr(complaint, "_version_bumped", False):
        complaint.version = F("version") + 1
        update.append("version")
    complaint.save(update_fields=update)
    if "version" in update:
        complaint.refresh_from_db(fields=["version"])
        complaint._version_bumped = True


def record(complaint: Complaint, kind: str, *, actor, data=None, reason: str = "", fields=()):
    """Write an event on the complaint's record and bump it (saving ``fields`` too)."""
    event = events.record(complaint, kind, actor=actor, data=data or {}, reason=reason)
    bump(complaint, *fields)
    return event
