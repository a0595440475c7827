"""Who may see and do what with complaints: the one place that decides.

Every list, page, export and API query goes through ``visible_complaints``; every single
complaint through ``get_complaint_for``, which answers 404 alike for missing and forbidden.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from qualityloop.accounts.choices import Role

from . import hooks, workflow
from .models import Complaint, StageTask

SEE_ALL = frozenset(
    {Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER, Role.EXECUTIVE, Role.ADMINISTRATOR}
)
DEPARTMENT_SCOPED = frozenset({Role.DEPARTMENT_MEMBER, Role.DEPARTMENT_HEAD})
REGISTER = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})
EDIT = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})
OVERRIDE_GRADE = frozenset({Role.QUALITY_ENGINEER})
ANSWER = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})
ADD_TASK = frozenset({Role.QUALITY_ENGINEER, Role.DEPARTMENT_HEAD})


def _active(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active)


def visible_complaints(user) -> QuerySet[Complaint]:
    """Every complaint ``user`` may read: all of them for the roles that see everything; for
    the others those their department is responsible for or has a task on, those where they
    hold a task, and those the subscribed apps name (``readers`` hook: e.g. the owner of an
    action or the verifier of a check on it)."""
    qs = Complaint.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in SEE_ALL:
        return qs
    scope = Q(Exists(StageTask.objects.filter(complaint=OuterRef("pk"), assignee=user)))
    if user.role in DEPARTMENT_SCOPED and user.department_id:
        involved = StageTask.objects.filter(
            complaint=OuterRef("pk"), department_id=user.department_id
        )
        scope |= Q(responsible_department_id=user.department_id) | Exists(involved)
    for readers in hooks.collect("readers", user):
        scope |= readers
    return qs.filter(scope)


def get_complaint_for(user, pk, *, queryset: QuerySet | None = None) -> Complaint:
    qs = visible_complaints(user) if queryset is None else queryset & visible_complaints(user)
    try:
        return qs.get(pk=pk)
    except (Complaint.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_complaint_by_number_for(user, number: str) -> Complaint:
    try:
        return visible_complaints(user).get(number=number)
    except Complaint.DoesNotExist:
        raise Http404 from None


def visible_tasks(user) -> QuerySet[StageTask]:
    """Tasks of the complaints ``user`` may see, decided by the same rules as the complaints.

    Spelled out rather than ``complaint__in=visible_complaints(user)``: for the roles that see
    everything that subquery would be the whole register.
    """
    qs = StageTask.objects.all()
    if not _active(user):
        return qs.none()
    if user.role in SEE_ALL:
        return qs
    if user.role in DEPARTMENT_SCOPED and user.department_id:
        involved = StageTask.objects.filter(
            complaint_id=OuterRef("complaint_id"), department_id=user.department_id
        )
        return qs.filter(
            Q(complaint__responsible_department_id=user.department_id) | Exists(involved)
        )
    return qs.none()


def can_register(user) -> bool:
    return _active(user) and user.role in REGISTER


def can_edit(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in EDIT and complaint.is_open


def can_override_grade(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in OVERRIDE_GRADE and complaint.is_open


def can_answer(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in ANSWER and complaint.is_open


def can_comment(user, complaint: Complaint) -> bool:
    """Anyone who may see a complaint may add a comment or a file to it."""
    return _active(user)


def can_add_task(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in ADD_TASK and complaint.is_open


def can_assign(user, task: StageTask) -> bool:
    if not _active(user) or task.status != "open":
        return False
    if user.role == Role.QUALITY_ENGINEER:
        return True
    return user.role == Role.DEPARTMENT_HEAD and user.department_id == task.department_id


def can_complete_task(user, task: StageTask) -> bool:
    """Extra (non-stage) tasks are completed by their department or by quality."""
    if not _active(user) or task.status != "open" or task.is_stage_task:
        return False
    return user.role == Role.QUALITY_ENGINEER or (
        user.role in DEPARTMENT_SCOPED and user.department_id == task.department_id
    )


def may_take(user, transition: workflow.Transition, complaint: Complaint, stage_task=None) -> bool:
    """Whether ``user`` holds a role the transition needs (guards are checked separately)."""
    if not _active(user):
        return False
    if user.role in transition.roles:
        return True
    if workflow.STAGE_OWNER_ROLE in transition.roles and user.role in DEPARTMENT_SCOPED:
        return stage_task is not None and stage_task.department_id == user.department_id
    return False


REMIND = frozenset(
    {
        Role.CUSTOMER_SERVICE,
        Role.QUALITY_ENGINEER,
        Role.DEPARTMENT_HEAD,
        Role.EXECUTIVE,
        Role.ADMINISTRATOR,
    }
)
ESCALATE = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER, Role.EXECUTIVE})


def can_wait(user, complaint: Complaint) -> bool:
    """Put a complaint on hold for the complainant, or take it off hold."""
    return can_answer(user, complaint)


def can_remind(user, task: StageTask) -> bool:
    return _active(user) and user.role in REMIND and task.status == "open"


def can_escalate(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in ESCALATE and complaint.is_open


def can_plan_rectification(user, complaint: Complaint) -> bool:
    return _active(user) and user.role in ADD_TASK and complaint.is_open
