"""The complaints API, mounted at /api/v1/complaints.

Each endpoint resolves access through ``access`` first (404 alike for missing and not
visible, 403 for a visible complaint the user may not change), then calls one service.
"""

import hashlib
import json
import re

from django.http import Http404
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from ninja import File, Header, Query, Router, Status
from ninja.files import UploadedFile

from qualityloop.core.errors import NotAllowed, ValidationFailed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS

from . import access, attachments, queries, services, workflow
from .choices import EventKind, TaskStatus
from .models import Complaint, ComplaintEvent
from .schemas import (
    AnswerIn,
    AssignIn,
    AttachmentOut,
    CommentIn,
    ComplaintIn,
    ComplaintOut,
    ComplaintPage,
    ComplaintPatch,
    CompleteIn,
    EventOut,
    GradeIn,
    ListQuery,
    TaskIn,
    TaskOut,
    TransitionIn,
    TransitionOut,
    attachment_out,
    complaint_out,
    event_out,
    list_item_out,
    service_data,
    task_out,
)

router = Router(tags=["complaints"])

IDEMPOTENCY_KEY = re.compile(r"[\x21-\x7e]{1,200}")
NUMBER = re.compile(r"[A-Za-z0-9_-]{1,30}")
DETAIL_RELATED = (
    "customer",
    "product",
    "batch",
    "site",
    "received_by",
    "category",
    "category__parent",
    "responsible_department",
)


def _detail(user, complaint_id) -> dict:
    complaint = access.get_complaint_for(
        user, complaint_id, queryset=Complaint.objects.select_related(*DETAIL_RELATED)
    )
    tasks = list(
        complaint.tasks.filter(status=TaskStatus.OPEN).select_related("department", "assignee")
    )
    files = list(complaint.attachments.select_related("uploaded_by"))
    return complaint_out(complaint, tasks, files)


def _visible(user, complaint_id) -> Complaint:
    return access.get_complaint_for(user, complaint_id)


def _canonical(request) -> str:
    body = json.loads(request.body or b"{}")
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


@router.post(
    "",
    response={201: ComplaintOut, 200: ComplaintOut, **WRITE_ERRORS},
    summary="Register a complaint",
    description=(
        "Send an `Idempotency-Key` to make retries safe: a retry with the same key and body "
        "answers 200 with the complaint the first request created (201); the same key with "
        "another body is refused (422)."
    ),
)
def register(
    request,
    payload: ComplaintIn,
    idempotency_key: str | None = Header(None, alias="Idempotency-Key"),
):
    user = request.auth
    if not access.can_register(user):
        raise NotAllowed(_("You may not register complaints."))
    if idempotency_key is not None and not IDEMPOTENCY_KEY.fullmatch(idempotency_key):
        raise ValidationFailed(
            {"Idempotency-Key": [_("Use 1 to 200 printable ASCII characters, no spaces.")]}
        )
    values = {k: v for k, v in payload.dict(exclude_unset=True).items() if v is not None}
    data = service_data(values)
    data.setdefault("channel", payload.channel.value)
    if not idempotency_key:
        complaint = services.register_complaint(actor=user, data=data)
        return Status(201, _detail(user, complaint.pk))

    request_hash = hashlib.sha256(_canonical(request).encode()).hexdigest()
    complaint, created = services.register_complaint_once(
        actor=user, data=data, key=idempotency_key, request_hash=request_hash
    )
    return Status(201 if created else 200, _detail(user, complaint.pk))


@router.get("", response={200: ComplaintPage, **READ_ERRORS}, summary="List complaints")
def list_complaints(request, filters: Query[ListQuery]):
    f = queries.Filters(
        state=filters.state,
        stage=filters.stage.value if filters.stage else "",
        severity=filters.severity.value if filters.severity else None,
        category=filters.category,
        product=filters.product,
        customer=filters.customer,
        department=filters.department,
        received_from=filters.received_from,
        received_to=filters.received_to,
        q=filters.q,
        sort=filters.sort,
    )
    page = queries.page(
        access.visible_complaints(request.auth),
        f,
        after=filters.after,
        before=filters.before,
        size=filters.size,
    )
    english = (get_language() or "").startswith("en")
    return {
        "items": [list_item_out(c, english) for c in page.items],
        "next_cursor": page.next_cursor,
        "prev_cursor": page.prev_cursor,
        "count": page.count,
        "count_capped": page.count_capped,
    }


@router.get(
    "/by-number/{number}",
    response={200: ComplaintOut, **READ_ERRORS},
    summary="Read a complaint by its number",
)
def read_by_number(request, number: str):
    if not NUMBER.fullmatch(number):
        raise Http404
    complaint = access.get_complaint_by_number_for(request.auth, number)
    return _detail(request.auth, complaint.pk)


@router.get("/{complaint_id}", response={200: ComplaintOut, **READ_ERRORS}, summary="Read")
def read(request, complaint_id: int):
    return _detail(request.auth, complaint_id)


@router.patch(
    "/{complaint_id}",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Change fields",
    description="Send the `version` you read; if someone changed the complaint since, 409.",
)
def update(request, complaint_id: int, payload: ComplaintPatch):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_edit(user, complaint):
        raise NotAllowed(_("You may not edit this complaint."))
    changes = service_data(payload.dict(exclude_unset=True, exclude={"version", "reason"}))
    services.update_complaint(
        actor=user,
        complaint_id=complaint.pk,
        changes=changes,
        expected_version=payload.version,
        reason=payload.reason,
    )
    return _detail(user, complaint.pk)


@router.post(
    "/{complaint_id}/grade",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Override the grade, or hand it back to the rules",
)
def grade(request, complaint_id: int, payload: GradeIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_override_grade(user, complaint):
        raise NotAllowed(_("You may not change the grade of this complaint."))
    services.override_grade(
        actor=user,
        complaint_id=complaint.pk,
        severity=payload.severity.value if payload.severity else None,
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(user, complaint.pk)


@router.get(
    "/{complaint_id}/transitions",
    response={200: list[TransitionOut], **READ_ERRORS},
    summary="Transitions you may take now",
    description="A transition with `allowed: false` fits your role but a condition is unmet; "
    "`blocked_reason` says which.",
)
def transitions(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    return [
        {
            "name": t.name,
            "label": str(t.label),
            "target": t.target,
            "target_label": str(workflow.Status(t.target).label),
            "requires": list(t.requires),
            "outcome_label": (
                str(workflow.OUTCOME_LABELS[t.name]) if t.name in workflow.OUTCOME_LABELS else None
            ),
            "allowed": refusal is None,
            "blocked_reason": str(refusal) if refusal else None,
        }
        for t, refusal in services.available_transitions(request.auth, complaint)
    ]


@router.post(
    "/{complaint_id}/transitions/{name}",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Take a transition",
)
def take_transition(request, complaint_id: int, name: str, payload: TransitionIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    services.transition_complaint(
        actor=user,
        complaint_id=complaint.pk,
        name=name,
        reason=payload.reason,
        explanation=payload.explanation,
        outcome=payload.outcome,
        answer=payload.answer,
        expected_version=payload.version,
        meaning=payload.meaning,
        password=payload.password,
    )
    return _detail(user, complaint.pk)


@router.get(
    "/{complaint_id}/events",
    response={200: list[EventOut], **READ_ERRORS},
    summary="The timeline, oldest first",
    description="Each event's `hash` covers its content and `prev_hash`, so the chain can be "
    "verified.",
)
def timeline(request, complaint_id: int):
    complaint = _visible(request.auth, complaint_id)
    events = ComplaintEvent.objects.filter(complaint=complaint).select_related("actor")
    return [event_out(e) for e in events.order_by("seq")]


@router.post(
    "/{complaint_id}/answer",
    response={200: ComplaintOut, **WRITE_ERRORS},
    summary="Record the answer to the complainant",
)
def answer(request, complaint_id: int, payload: AnswerIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_answer(user, complaint):
        raise NotAllowed(_("You may not answer for this complaint."))
    services.record_customer_answer(
        actor=user, complaint_id=complaint.pk, text=payload.text, expected_version=payload.version
    )
    return _detail(user, complaint.pk)


@router.post(
    "/{complaint_id}/comments",
    response={201: EventOut, **WRITE_ERRORS},
    summary="Add a comment",
)
def comment(request, complaint_id: int, payload: CommentIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_comment(user, complaint):
        raise NotAllowed(_("You may not comment on this complaint."))
    services.add_comment(actor=user, complaint_id=complaint.pk, body=payload.body)
    event = (
        ComplaintEvent.objects.filter(complaint=complaint, kind=EventKind.COMMENT, actor=user)
        .select_related("actor")
        .order_by("-seq")
        .first()
    )
    return Status(201, event_out(event))


@router.post(
    "/{complaint_id}/attachments",
    response={201: AttachmentOut, **WRITE_ERRORS},
    summary="Attach a file (photo, inspection report, …)",
)
def attach(request, complaint_id: int, file: File[UploadedFile]):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_comment(user, complaint):
        raise NotAllowed(_("You may not add files to this complaint."))
    attachment = services.add_attachment(actor=user, complaint_id=complaint.pk, upload=file)
    return Status(201, attachment_out(attachment))


@router.get(
    "/{complaint_id}/attachments/{attachment_id}",
    response={200: None, **READ_ERRORS},
    summary="Download an attachment",
)
def download(request, complaint_id: int, attachment_id: int):
    complaint = _visible(request.auth, complaint_id)
    attachment = complaint.attachments.filter(pk=attachment_id).first()
    if attachment is None:
        raise Http404
    return attachments.response(attachment)


def _task(complaint: Complaint, task_id: int):
    task = complaint.tasks.select_related("department", "assignee").filter(pk=task_id).first()
    if task is None:
        raise Http404
    return task


@router.post(
    "/{complaint_id}/tasks",
    response={201: TaskOut, **WRITE_ERRORS},
    summary="Ask another department for work on this complaint",
)
def add_task(request, complaint_id: int, payload: TaskIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    if not access.can_add_task(user, complaint):
        raise NotAllowed(_("You may not add tasks to this complaint."))
    task = services.add_task(
        actor=user,
        complaint_id=complaint.pk,
        department_id=payload.department,
        title=payload.title,
        due_at=payload.due_at,
        assignee_id=payload.assignee,
    )
    return Status(201, task_out(_task(complaint, task.pk)))


@router.post(
    "/{complaint_id}/tasks/{task_id}/assign",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Assign a task to a member of its department",
)
def assign(request, complaint_id: int, task_id: int, payload: AssignIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    task = _task(complaint, task_id)
    if not access.can_assign(user, task):
        raise NotAllowed(_("You may not assign this task."))
    services.assign_task(actor=user, task_id=task.pk, assignee_id=payload.assignee)
    return task_out(_task(complaint, task.pk))


@router.post(
    "/{complaint_id}/tasks/{task_id}/complete",
    response={200: TaskOut, **WRITE_ERRORS},
    summary="Complete an extra task (stage tasks complete with their transition)",
)
def complete(request, complaint_id: int, task_id: int, payload: CompleteIn):
    user = request.auth
    complaint = _visible(user, complaint_id)
    task = _task(complaint, task_id)
    if not access.can_complete_task(user, task):
        raise NotAllowed(_("You may not complete this task."))
    services.complete_task(actor=user, task_id=task.pk, outcome=payload.outcome)
    return task_out(_task(complaint, task.pk))
