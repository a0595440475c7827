"""Who may see and do what with actions, remedies and cost lines: the one place that decides.

Reading an action follows its complaints: whoever may see one of them may see the action. Its
owner and the members of its department may always see it too, since they do the work even
where their department is not otherwise involved in the complaint. ``get_action_for``
answers 404 alike for a missing action and one the user may not see.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from qualityloop.accounts.choices import DepartmentKind, Role
from qualityloop.complaints import access as complaint_access

from . import conf, workflow
from .choices import RemedyStatus
from .models import Action, ActionLink

get_complaint_for = complaint_access.get_complaint_for
visible_complaints = complaint_access.visible_complaints
SEE_ALL = complaint_access.SEE_ALL
DEPARTMENT_SCOPED = complaint_access.DEPARTMENT_SCOPED

PLAN = frozenset({Role.QUALITY_ENGINEER, Role.DEPARTMENT_HEAD})
REMEDY = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})
COST = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER, Role.DEPARTMENT_HEAD})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def sees_complaint(user, complaint) -> bool:
    return _active(user) and (
        user.role in SEE_ALL or visible_complaints(user).filter(pk=complaint.pk).exists()
    )


# ---------------------------------------------------------------- actions


def visible_actions(user) -> QuerySet[Action]:
    qs = Action.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in SEE_ALL:
        return qs
    served = ActionLink.objects.filter(
        action=OuterRef("pk"), complaint__in=visible_complaints(user)
    )
    mine = Q(owner=user)
    if user.role in DEPARTMENT_SCOPED and user.department_id:
        mine |= Q(department_id=user.department_id)
    return qs.filter(mine | Exists(served))


def get_action_for(user, pk, *, queryset: QuerySet | None = None) -> Action:
    qs = visible_actions(user) if queryset is None else queryset & visible_actions(user)
    try:
        return qs.get(pk=pk)
    except (Action.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def can_read_action(user, action: Action) -> bool:
    return visible_actions(user).filter(pk=action.pk).exists()


def can_plan(user, complaint) -> bool:
    """Plan a new action for ``complaint``, or link an existing one to it."""
    return _active(user) and user.role in PLAN and complaint.is_open


can_link = can_plan


def works_on(user, action: Action) -> bool:
    if not _active(user):
        return False
    if user.pk == action.owner_id or user.role == Role.QUALITY_ENGINEER:
        return True
    return user.role in DEPARTMENT_SCOPED and user.department_id == action.department_id


def can_work_on(user, action: Action) -> bool:
    """Report progress (notes, evidence), start and complete: owner, department, quality."""
    return works_on(user, action) and action.status in workflow.WORKABLE


def may_verify(user) -> bool:
    """Quality engineers, and heads of a quality department."""
    if not _active(user):
        return False
    if user.role == Role.QUALITY_ENGINEER:
        return True
    department = user.department if user.department_id else None
    return (
        user.role == Role.DEPARTMENT_HEAD
        and department is not None
        and department.kind == DepartmentKind.QUALITY
    )


def can_verify(user, action: Action) -> bool:
    """Check a done action's effect. Never the action's own owner."""
    return (
        may_verify(user) and user.pk != action.owner_id and workflow.allows("verify", action.status)
    )


# ---------------------------------------------------------------- remedies and costs


def can_propose_remedy(user, complaint) -> bool:
    return _active(user) and user.role in REMEDY and complaint.is_open


def may_approve_remedies(user) -> bool:
    return _active(user) and user.role in conf.remedy_approver_roles()


def can_decide_remedy(user, remedy) -> bool:
    """Approve or refuse a proposed remedy; nobody decides on their own proposal."""
    return (
        may_approve_remedies(user)
        and remedy.status == RemedyStatus.PROPOSED
        and user.pk != remedy.proposed_by_id
    )


def may_give_remedies(user) -> bool:
    return _active(user) and user.role in REMEDY


def can_give_remedy(user, remedy) -> bool:
    """Mark it given: approved ones, and proposed ones within the threshold."""
    return may_give_remedies(user) and workflow.may_give(
        remedy.status, remedy.amount, conf.remedy_approval_threshold()
    )


def can_add_cost(user, complaint) -> bool:
    return _active(user) and user.role in COST
