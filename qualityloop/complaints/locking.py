"""The one way a service takes a complaint's row lock (every app's services use it)."""

from django.utils.translation import gettext as _

from qualityloop.core.errors import DomainError

from .models import Complaint


def lock_complaint(complaint_id) -> Complaint:
    """The complaint, its row locked until the transaction ends; a missing (or malformed) id
    is the same "no such complaint" for every caller."""
    try:
        return Complaint.objects.select_for_update().get(pk=complaint_id)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("No such complaint."), field="complaint", code="not_found") from None
