"""Who may read and write the investigation of a complaint.

Reading follows the complaint: whoever may see it (``complaints.access``) reads its
investigation. Writing is for quality engineers, and for members and heads of a department
that has a task on the complaint, while the complaint is open. Customer service, management
and administrators read only.
"""

from qualityloop.accounts.choices import Role
from qualityloop.complaints import access as complaint_access
from qualityloop.complaints.models import StageTask

from .models import RootCause

get_complaint_for = complaint_access.get_complaint_for
visible_complaints = complaint_access.visible_complaints

WRITE_ANY = frozenset({Role.QUALITY_ENGINEER})
WRITE_IF_INVOLVED = frozenset({Role.DEPARTMENT_MEMBER, Role.DEPARTMENT_HEAD})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def can_read(user, complaint) -> bool:
    if not _active(user):
        return False
    if user.role in complaint_access.SEE_ALL:
        return True
    return visible_complaints(user).filter(pk=complaint.pk).exists()


def is_involved(user, complaint) -> bool:
    """Whether the user's department has a task (open or done) on the complaint."""
    return bool(
        user.department_id
        and StageTask.objects.filter(complaint=complaint, department_id=user.department_id).exists()
    )


def can_write(user, complaint) -> bool:
    if not _active(user) or not complaint.is_open:
        return False
    if user.role in WRITE_ANY:
        return True
    return user.role in WRITE_IF_INVOLVED and is_involved(user, complaint)


def root_cause_of(complaint) -> RootCause | None:
    """The complaint's decided root cause, or None. For the workflow gate and reports."""
    return (
        RootCause.objects.select_related(
            "cause_code", "responsible_department", "responsible_supplier", "decided_by"
        )
        .filter(complaint_id=complaint.pk)
        .first()
    )


def has_root_cause(complaint) -> bool:
    """Whether a root cause with a responsibility has been decided for the complaint."""
    return RootCause.objects.filter(complaint_id=complaint.pk).exists()
