"""The messages API, mounted beside the complaints API: /api/v1/complaints/{id}/messages.

Each endpoint resolves access first (404 alike for a missing complaint and one the user may
not see, 403 for a visible one the user may not write to), then calls one service.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from qualityloop.core.errors import NotAllowed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS

from . import access, services
from .models import Message
from .schemas import (
    MessageIn,
    MessageOut,
    MessagePreviewOut,
    MessagePreviewQuery,
    ReceivedMessageIn,
    message_out,
)

router = Router(tags=["messages"])


def _writable(user, complaint_id):
    complaint = access.get_complaint_for(user, complaint_id)
    if not access.can_send(user, complaint):
        raise NotAllowed(_("You may not send messages about this complaint."))
    return complaint


def _out(message_id) -> dict:
    return message_out(Message.objects.select_related("created_by").get(pk=message_id))


@router.get(
    "/{complaint_id}/messages",
    response={200: list[MessageOut], **READ_ERRORS},
    summary="The messages to and from the complainant, newest first",
)
def list_messages(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return [message_out(m) for m in Message.objects.log_of(complaint)]


@router.post(
    "/{complaint_id}/messages",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Send the complainant a message",
    description=(
        "Give a `template` to send it as rendered in the complainant's language (`message` "
        "fills its free-text slot), or your own `subject` and `body`. An e-mail is answered "
        "with status `queued` and sent by the worker; without a complainant e-mail address "
        "the answer is 422 on `recipient`."
    ),
)
def send_message(request, complaint_id: int, payload: MessageIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    edited = payload.subject is not None or payload.body is not None
    message = services.send_message(
        actor=user,
        complaint_id=complaint.pk,
        template_code=payload.template.value if payload.template else None,
        subject=(payload.subject or "") if edited else None,
        body=(payload.body or "") if edited else None,
        extra={"message": payload.message} if payload.message else None,
        channel=payload.channel.value,
        language=payload.language,
    )
    return Status(201, _out(message.pk))


@router.post(
    "/{complaint_id}/messages/received",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Record a message from the complainant (a call, a letter, an e-mail reply)",
)
def record_received_message(request, complaint_id: int, payload: ReceivedMessageIn):
    user = request.auth
    complaint = _writable(user, complaint_id)
    message = services.record_received(
        actor=user,
        complaint_id=complaint.pk,
        channel=payload.channel.value,
        body=payload.body,
        subject=payload.subject,
        occurred_at=payload.occurred_at,
        sender=payload.sender,
    )
    return Status(201, _out(message.pk))


@router.get(
    "/{complaint_id}/messages/preview",
    response={200: MessagePreviewOut, **WRITE_ERRORS},
    summary="The subject and body a template gives for this complaint",
)
def preview_message(request, complaint_id: int, query: Query[MessagePreviewQuery]):
    complaint = _writable(request.auth, complaint_id)
    subject, body = services.preview(
        complaint=complaint,
        template_code=query.template.value,
        language=query.language,
        extra={"message": query.message} if query.message else None,
    )
    return {"subject": subject, "body": body}


@router.post(
    "/{complaint_id}/messages/{message_id}/resend",
    response={201: MessageOut, **WRITE_ERRORS},
    summary="Send a failed e-mail again",
)
def resend_message(request, complaint_id: int, message_id: int):
    user = request.auth
    complaint = _writable(user, complaint_id)
    if not complaint.messages.filter(pk=message_id).exists():
        raise Http404
    message = services.resend_message(actor=user, message_id=message_id)
    return Status(201, _out(message.pk))
