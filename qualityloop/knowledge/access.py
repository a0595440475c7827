"""Who may read and write knowledge entries: the one place that decides.

Every active user reads published entries; drafts and archived entries are for quality
engineers and administrators, and look missing (404) to everyone else. Quality engineers
write. The complaint behind an entry is shown only to those ``complaints.access`` lets see it.
"""

from django.db.models import QuerySet
from django.http import Http404

from qualityloop.accounts.choices import Role
from qualityloop.complaints import access as complaint_access
from qualityloop.complaints.workflow import Status

from .choices import EntryStatus
from .models import KnowledgeEntry

SEE_UNPUBLISHED = frozenset({Role.QUALITY_ENGINEER, Role.ADMINISTRATOR})
WRITE = frozenset({Role.QUALITY_ENGINEER})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def is_reader(user) -> bool:
    """Every active user reads published entries."""
    return _active(user)


def sees_unpublished(user) -> bool:
    return _active(user) and user.role in SEE_UNPUBLISHED


def visible_entries(user) -> QuerySet[KnowledgeEntry]:
    qs = KnowledgeEntry.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in SEE_UNPUBLISHED:
        return qs
    return qs.filter(status=EntryStatus.PUBLISHED)


def get_entry_for(user, pk, *, queryset: QuerySet | None = None) -> KnowledgeEntry:
    qs = visible_entries(user) if queryset is None else queryset & visible_entries(user)
    try:
        return qs.get(pk=pk)
    except (KnowledgeEntry.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_write(user) -> bool:
    return _active(user) and user.role in WRITE


def can_create_from(user, complaint) -> bool:
    """A quality engineer may draft an entry from a closed complaint (once per complaint)."""
    return can_write(user) and complaint.status == Status.CLOSED


def visible_complaint_ids(user, complaint_ids) -> set[int]:
    """Which of these complaints ``user`` may open, in one query."""
    ids = {pk for pk in complaint_ids if pk}
    if not ids or not _active(user):
        return set()
    visible = complaint_access.visible_complaints(user).filter(pk__in=ids)
    return set(visible.values_list("pk", flat=True))
