"""Everything that writes the communication log. Views, the API and tasks call these.

Every message is logged before anything leaves the house. An e-mail is handed to the worker
after commit (``tasks.send_message_task``), which marks it sent or failed; nothing else ever
changes a logged message. Each service writes its timeline event on the complaint in the same
transaction, with the complaint row locked.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail.message import make_msgid
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.utils.translation import gettext as _

from qualityloop.complaints import changes, events
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint
from qualityloop.core import clock
from qualityloop.core.effects import after_commit
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.core.mail import send_email
from qualityloop.sla import clocks as sla_clocks
from qualityloop.sla import services as sla_services

from . import access, rendering, tasks
from .choices import DeliveryStatus, Direction, MessageChannel, Milestone, TemplateCode
from .models import BODY_MAX, SUBJECT_MAX, Message, MessageTemplate

log = logging.getLogger(__name__)

CLOCK_SKEW = timedelta(minutes=5)
# A worker that began sending this long ago and never finished is taken to have died.
ABANDONED_ATTEMPT = timedelta(minutes=15)
ADDRESS_MAX = 254
EXTRA_KEYS = frozenset({"reply_by", "stage", "message"})
MILESTONE_TEMPLATES = {
    Milestone.ANSWER: TemplateCode.ANSWER,
    Milestone.CLOSURE: TemplateCode.CLOSURE,
    Milestone.REJECTION: TemplateCode.REJECTION,
}
# These milestones carry the text of the answer or of the rejection's explanation.
CARRIES_ANSWER = frozenset({Milestone.ANSWER, Milestone.REJECTION})


# ---------------------------------------------------------------- helpers


def _template(code: str, language: str) -> MessageTemplate:
    """The active template for ``code`` in ``language``, else in the fallback language."""
    found = {t.language: t for t in MessageTemplate.objects.filter(code=code, is_active=True)}
    template = found.get(language) or found.get(rendering.FALLBACK_LANGUAGE)
    if template is None:
        raise DomainError(
            _("There is no active template for “%(purpose)s”.")
            % {"purpose": TemplateCode(code).label},
            field="template",
            code="no_template",
        )
    return template


def _context(complaint: Complaint, language: str, extra: dict | None) -> dict:
    extra = dict(extra or {})
    unknown = set(extra) - EXTRA_KEYS
    if unknown:
        raise ValidationFailed({k: [_("This field cannot be set.")] for k in sorted(unknown)})
    values = rendering.complaint_values(complaint, language)
    return {
        "complaint": values,
        "reply_by": extra.get("reply_by") or sla_services.promised_reply_by(complaint),
        "stage": extra.get("stage") or values["get_status_display"],
        "message": (extra.get("message") or "").strip(),
    }


def _render(complaint, code: str, language: str, extra=None) -> tuple[MessageTemplate, str, str]:
    template = _template(code, language)
    context = _context(complaint, template.language, extra)
    try:
        subject, body = rendering.render(
            template.subject, template.body, context, language=template.language
        )
    except rendering.RenderError as exc:
        raise DomainError(exc.message, field="template", code="template_error") from exc
    return template, subject, body


def _check_choices(template_code=None, language=None, channel=None) -> None:
    errors = {}
    if template_code is not None and template_code not in TemplateCode.values:
        errors["template"] = [_("Choose a valid template.")]
    if language is not None and language not in rendering.LANGUAGES:
        errors["language"] = [_("Choose a valid language.")]
    if channel is not None and channel not in MessageChannel.values:
        errors["channel"] = [_("Choose a valid channel.")]
    if errors:
        raise ValidationFailed(errors)


def _no_address() -> ValidationFailed:
    return ValidationFailed(
        {
            "recipient": [
                _(
                    "The complainant has no e-mail address. Add one to the complaint record, "
                    "or log the message under the channel you used."
                )
            ]
        }
    )


def _recipient(complaint: Complaint, channel: str) -> str:
    if channel == MessageChannel.EMAIL:
        return complaint.complainant_email
    if channel == MessageChannel.PHONE and complaint.complainant_phone:
        return complaint.complainant_phone
    return complaint.complainant_name


def _event(complaint: Complaint, message: Message, *, actor, **more) -> None:
    outgoing = message.direction == Direction.OUT
    data = {
        "message": message.pk,
        "channel": message.channel,
        "to" if outgoing else "from": message.recipient if outgoing else message.sender,
        "subject": message.subject,
        "body": message.body,
        "template": message.template_code,
        **more,
    }
    kind = EventKind.MESSAGE_SENT if outgoing else EventKind.MESSAGE_RECEIVED
    events.record(complaint, kind, actor=actor, data=data)


def _enqueue(message: Message) -> None:
    pk = message.pk
    after_commit(lambda: tasks.send_message_task.enqueue(pk))


def _automatic(complaint: Complaint, code: str, *, key: str, extra=None) -> Message:
    """Log a message the system sends by itself. A template that cannot be rendered gives
    a failed entry that says why, never an exception in the worker."""
    language = rendering.language_for(complaint)
    subject = body = error = ""
    status = DeliveryStatus.QUEUED
    try:
        template, subject, body = _render(complaint, code, language, extra)
        language = template.language
    except DomainError as exc:
        status, error = DeliveryStatus.FAILED, str(exc.message)
    except Exception as exc:
        log.exception("cannot prepare the %s message of complaint %s", code, complaint.pk)
        status, error = DeliveryStatus.FAILED, f"{type(exc).__name__}: {exc}"
    return Message.objects.create(
        complaint=complaint,
        direction=Direction.OUT,
        channel=MessageChannel.EMAIL,
        sender=settings.DEFAULT_FROM_EMAIL,
        recipient=complaint.complainant_email,
        subject=subject,
        body=body,
        template_code=code,
        language=language,
        status=status,
        error=error,
        created_by=None,
        created_at=clock.now(),
        key=key,
    )


# ---------------------------------------------------------------- services


def preview(*, complaint: Complaint, template_code: str, language=None, extra=None):
    """The subject and body ``template_code`` gives for ``complaint``, for an agent to edit.

    In the complainant's language unless ``language`` is given; a template missing in that
    language falls back to Chinese.
    """
    _check_choices(template_code=template_code or "", language=language)
    language = language or rendering.language_for(complaint)
    _template_obj, subject, body = _render(complaint, template_code, language, extra)
    return subject, body


def send_message(
    *,
    actor,
    complaint_id,
    template_code=None,
    subject=None,
    body=None,
    extra=None,
    channel: str = MessageChannel.EMAIL,
    language=None,
) -> Message:
    """Send the complainant a message and log it.

    Renders ``template_code`` in the complainant's language unless ``subject`` and ``body``
    are given (the agent's edited text). An e-mail goes out after commit; a message given by
    another channel (a call, a letter) is logged as sent by the agent.
    """
    _check_choices(template_code=template_code, language=language, channel=channel)
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=access.can_read)
        if not access.can_send(actor, complaint):
            raise NotAllowed(_("You may not send messages about this complaint."))
        if channel == MessageChannel.EMAIL and not complaint.complainant_email:
            raise _no_address()
        language = language or rendering.language_for(complaint)
        if subject is None and body is None:
            if not template_code:
                raise ValidationFailed({"template": [_("Choose a template or write the text.")]})
            template, subject, body = _render(complaint, template_code, language, extra)
            language = template.language
        subject = " ".join((subject or "").split())
        body = (body or "").strip()
        errors: dict[str, list[str]] = {}
        if channel == MessageChannel.EMAIL and not subject:
            errors["subject"] = [_("An e-mail needs a subject.")]
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = [_("At most %(n)d characters.") % {"n": SUBJECT_MAX}]
        if not body:
            errors["body"] = [_("This field is required.")]
        elif len(body) > BODY_MAX:
            errors["body"] = [_("At most %(n)d characters.") % {"n": BODY_MAX}]
        if errors:
            raise ValidationFailed(errors)

        now = clock.now()
        email = channel == MessageChannel.EMAIL
        message = Message.objects.create(
            complaint=complaint,
            direction=Direction.OUT,
            channel=channel,
            sender=settings.DEFAULT_FROM_EMAIL if email else str(actor),
            recipient=_recipient(complaint, channel),
            subject=subject,
            body=body,
            template_code=template_code or None,
            language=language,
            status=DeliveryStatus.QUEUED if email else DeliveryStatus.SENT,
            created_by=actor,
            created_at=now,
            sent_at=None if email else now,
        )
        _event(complaint, message, actor=actor)
        # A person wrote to the complainant: that is the first response.
        sla_clocks.on_message_sent(complaint, at=now)
        if email:
            _enqueue(message)
    return message


def resend_message(*, actor, message_id) -> Message:
    """Send a failed e-mail again, as a new entry, to the complainant's address as it is now.

    An entry whose template could not be rendered is rendered afresh.
    """
    with transaction.atomic():
        original = Message.objects.filter(pk=message_id).first()
        if original is None:
            raise DomainError(_("No such message."), field="message", code="not_found")
        complaint = changes.lock(original.complaint_id, actor=actor, may=access.can_read)
        if not access.can_send(actor, complaint):
            raise NotAllowed(_("You may not send messages about this complaint."))
        if original.direction != Direction.OUT or original.status != DeliveryStatus.FAILED:
            raise DomainError(_("Only a failed e-mail can be sent again."), field="message")
        if original.resends.exists():
            raise DomainError(_("This e-mail has already been sent again."), field="message")
        if not complaint.complainant_email:
            raise _no_address()
        subject, body, language = original.subject, original.body, original.language
        if not body and original.template_code:
            template, subject, body = _render(
                complaint, original.template_code, rendering.language_for(complaint)
            )
            language = template.language
        message = Message.objects.create(
            complaint=complaint,
            direction=Direction.OUT,
            channel=MessageChannel.EMAIL,
            sender=settings.DEFAULT_FROM_EMAIL,
            recipient=complaint.complainant_email,
            subject=subject,
            body=body,
            template_code=original.template_code,
            language=language,
            status=DeliveryStatus.QUEUED,
            created_by=actor,
            created_at=clock.now(),
            resent_from=original,
        )
        _event(complaint, message, actor=actor, resent=original.pk)
        _enqueue(message)
    return message


def record_received(
    *, actor, complaint_id, channel, body, subject="", occurred_at=None, sender=""
) -> Message:
    """Log what the complainant told us: a call, a letter, a visit, an e-mail reply."""
    body = (body or "").strip()
    subject = " ".join((subject or "").split())
    sender = (sender or "").strip()
    _check_choices(channel=channel)
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=access.can_read)
        if not access.can_record(actor, complaint):
            raise NotAllowed(_("You may not record messages on this complaint."))
        now = clock.now()
        errors: dict[str, list[str]] = {}
        if not body:
            errors["body"] = [_("This field is required.")]
        elif len(body) > BODY_MAX:
            errors["body"] = [_("At most %(n)d characters.") % {"n": BODY_MAX}]
        if len(subject) > SUBJECT_MAX:
            errors["subject"] = [_("At most %(n)d characters.") % {"n": SUBJECT_MAX}]
        if len(sender) > ADDRESS_MAX:
            errors["sender"] = [_("At most %(n)d characters.") % {"n": ADDRESS_MAX}]
        if occurred_at is not None and occurred_at > now + CLOCK_SKEW:
            errors["occurred_at"] = [_("The time received cannot be in the future.")]
        if errors:
            raise ValidationFailed(errors)
        message = Message.objects.create(
            complaint=complaint,
            direction=Direction.IN,
            channel=channel,
            sender=sender or _recipient(complaint, channel) or complaint.complainant_name,
            subject=subject,
            body=body,
            created_by=actor,
            created_at=now,
            occurred_at=occurred_at or now,
        )
        _event(complaint, message, actor=actor)
        if complaint.waiting_since:
            # The complainant answered: what we were waiting for has arrived.
            sla_services.resume_waiting(complaint, actor=actor, at=now, note=subject or body)
    return message


def send_milestone(*, complaint_id, milestone: str) -> None:
    """Tell the complainant about a milestone (answer, closure, rejection) by e-mail.

    Called inside the complaint services' transactions: it only enqueues, after commit, and
    does nothing for a complainant without an e-mail address. The worker renders the message
    from the complaint as committed, logs it and sends it.
    """
    if milestone not in Milestone.values:
        raise ValueError(f"unknown milestone {milestone!r}")
    row = (
        Complaint.objects.filter(pk=complaint_id).values("complainant_email", "event_count").first()
    )
    if row is None or not row["complainant_email"]:
        return
    # The complaint's event count names the moment: the same call twice in one transaction
    # gives one message, the same milestone reached again later gives another.
    key = f"{milestone}:{complaint_id}:{row['event_count']}"
    name = str(milestone)
    after_commit(lambda: tasks.send_milestone_task.enqueue(complaint_id, name, key))


def queue_milestone(*, complaint_id, milestone: str, key: str) -> Message | None:
    """Log the message of a milestone once per ``key``; None if there is nothing to send."""
    with transaction.atomic():
        complaint = changes.lock_if_exists(complaint_id)
        if complaint is None or not complaint.complainant_email:
            return None
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing
        if milestone in CARRIES_ANSWER and not complaint.customer_answer.strip():
            return None
        message = _automatic(
            complaint,
            MILESTONE_TEMPLATES[Milestone(milestone)],
            key=key,
            extra={"message": complaint.customer_answer},
        )
        _event(complaint, message, actor=None, milestone=milestone)
    return message


def queue_acknowledgement(*, complaint_id) -> Message | None:
    """Log the acknowledgement of a complaint, once; None without an e-mail address.

    Its timeline event is the complaint's own "acknowledgement sent", written when it is.
    """
    with transaction.atomic():
        complaint = changes.lock_if_exists(complaint_id)
        if complaint is None or not complaint.complainant_email:
            return None
        key = f"acknowledgement:{complaint.pk}"
        existing = Message.objects.filter(key=key).first()
        if existing is not None:
            return existing
        return _automatic(complaint, TemplateCode.ACKNOWLEDGEMENT, key=key)


def deliver(*, message_id) -> Message | None:
    """Send a queued e-mail and mark it sent or failed (with the error).

    Safe to run twice and from several workers: only a queued message that no worker is
    sending goes out. The row is not held locked while the mail server answers.
    """
    now = clock.now()
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if (
            message is None
            or message.status != DeliveryStatus.QUEUED
            or message.channel != MessageChannel.EMAIL
            or (message.attempted_at and message.attempted_at > now - ABANDONED_ATTEMPT)
        ):
            return message
        message.attempted_at = now
        if not message.email_message_id:
            message.email_message_id = make_msgid(domain=DNS_NAME)
        message.save(update_fields=["attempted_at", "email_message_id"])

    error = ""
    try:
        send_email(
            subject=message.subject,
            body=message.body,
            from_email=message.sender or None,
            to=[message.recipient],
            headers={"Message-ID": message.email_message_id},
        )
    except Exception as exc:
        log.warning("message %s to %s failed: %s", message.pk, message.recipient, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]

    with transaction.atomic():
        message = Message.objects.select_for_update().get(pk=message_id)
        if error:
            message.status, message.error = DeliveryStatus.FAILED, error
        else:
            message.status, message.error, message.sent_at = DeliveryStatus.SENT, "", clock.now()
        message.save(update_fields=["status", "error", "sent_at"])
    return message
