"""Who may read and write final answers and surveys.

Reading follows the complaint (``complaints.access``). Answering the complainant and
surveying them is the front desk's and quality's work, as for the complaint's own answer.
"""

from qualityloop.accounts.choices import Role
from qualityloop.complaints import access as complaint_access
from qualityloop.complaints.workflow import Status

WRITE = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})

get_complaint_for = complaint_access.get_complaint_for


def may_write(user) -> bool:
    """Holds a role that records final answers and sends surveys (on a complaint it sees)."""
    return bool(user and user.is_authenticated and user.is_active and user.role in WRITE)


def can_answer(user, complaint) -> bool:
    """Record a final answer now: the complaint's own answer rule (open complaints only)."""
    return may_write(user) and complaint_access.can_answer(user, complaint)


def can_survey(user, complaint) -> bool:
    """Create a survey link or e-mail a survey now: closed complaints only."""
    return may_write(user) and complaint.status == Status.CLOSED
