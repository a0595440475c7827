"""Who may read and write the communication log of a complaint.

Reading follows the complaint: whoever may see it (``complaints.access``) may read its log.
Talking to the complainant is for the desk and quality, plus management and administrators.
"""

from qualityloop.accounts.choices import Role
from qualityloop.complaints import access as complaint_access

SEND = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER, Role.EXECUTIVE, Role.ADMINISTRATOR})

get_complaint_for = complaint_access.get_complaint_for
visible_complaints = complaint_access.visible_complaints


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user, complaint) -> bool:
    return _active(user) and visible_complaints(user).filter(pk=complaint.pk).exists()


def can_send(user, complaint) -> bool:
    """Send messages and record received ones, on a complaint the user may see."""
    if not _active(user) or user.role not in SEND:
        return False
    return user.role in complaint_access.SEE_ALL or can_read(user, complaint)


can_record = can_send
