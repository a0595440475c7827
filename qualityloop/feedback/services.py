"""Everything that writes final answers and satisfaction surveys. Views, the API and tasks
call these.

A final answer goes through the complaint's own answer service, which sets the complaint's
answer, stops its answer clock and tells the complainant; this app keeps how and when it was
given. A survey's link carries a random token of which only the SHA-256 is stored. The
complainant answers once; a low score or "not satisfied" reopens the complaint or escalates
it to management (``settings.SURVEY_LOW_SCORE_ACTION``) and tells the quality engineers.
"""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qualityloop.accounts.choices import Role
from qualityloop.accounts.models import User
from qualityloop.complaints import access as complaint_access
from qualityloop.complaints import changes, events
from qualityloop.complaints import services as complaint_services
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint
from qualityloop.complaints.workflow import Status
from qualityloop.core import clock
from qualityloop.core.effects import after_commit
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.core.mail import send_email
from qualityloop.core.tokens import digest_of, new_secret
from qualityloop.notifications.choices import NotifyEvent
from qualityloop.notifications.services import notify
from qualityloop.sla import services as sla_services

from . import access, tasks
from .choices import AnswerChannel, LowScoreAction
from .models import ANSWER_MAX, COMMENT_MAX, FinalAnswer, Survey

log = logging.getLogger(__name__)

TOKEN_MAX = 100


class Refused(DomainError):
    """The request is fine but the complaint is not in a state that allows it."""

    status = 409
    code = "refused"


# ---------------------------------------------------------------- settings


def low_score_limit() -> int:
    """A score at or below this counts as low (settings.SURVEY_LOW_SCORE, default 2)."""
    return int(getattr(settings, "SURVEY_LOW_SCORE", 2))


def low_score_action() -> str:
    """settings.SURVEY_LOW_SCORE_ACTION: "reopen" (default) or "escalate"."""
    action = getattr(settings, "SURVEY_LOW_SCORE_ACTION", LowScoreAction.REOPEN)
    if action not in LowScoreAction.values:
        raise ImproperlyConfigured(
            f"SURVEY_LOW_SCORE_ACTION must be one of {LowScoreAction.values}, not {action!r}"
        )
    return action


def valid_for() -> timedelta:
    """How long a survey link works (settings.SURVEY_VALID_DAYS, default 30)."""
    return timedelta(days=int(getattr(settings, "SURVEY_VALID_DAYS", 30)))


# ---------------------------------------------------------------- helpers


def _visible_to(actor, complaint: Complaint) -> bool:
    return complaint_access.visible_complaints(actor).filter(pk=complaint.pk).exists()


def _check_writer(actor, complaint: Complaint, message: str) -> None:
    if not _visible_to(actor, complaint):
        raise DomainError(_("No such complaint."), field="complaint", code="not_found")
    if not access.may_write(actor):
        raise NotAllowed(message)


def _record(complaint: Complaint, *, actor, data: dict, reason: str = "") -> None:
    events.record(complaint, EventKind.SURVEY, actor=actor, data=data, reason=reason)
    changes.bump(complaint)


# ---------------------------------------------------------------- final answer


def current_final_answer(complaint) -> FinalAnswer | None:
    return (
        FinalAnswer.objects.filter(complaint=complaint, superseded_at__isnull=True)
        .select_related("author")
        .first()
    )


def record_final_answer(
    *, actor, complaint_id, text: str, channel: str, answered_on: date
) -> FinalAnswer:
    """Record the final answer given to the complainant, by ``channel`` on ``answered_on``.

    The complaint's answer is set through ``complaints.services.record_customer_answer``
    (which stops the answer clock and e-mails the answer milestone); an earlier final answer
    stays as history. Only while the complaint is open, as for the complaint's own answer.
    """
    text = (text or "").strip()
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        _check_writer(actor, complaint, _("You may not answer for this complaint."))
        if not complaint.is_open:
            raise Refused(
                _("This complaint is closed: reopen it before giving a new answer."),
                field="complaint",
            )
        errors: dict[str, list[str]] = {}
        if not text:
            errors["text"] = [_("This field is required.")]
        elif len(text) > ANSWER_MAX:
            errors["text"] = [_("At most %(n)d characters.") % {"n": ANSWER_MAX}]
        if channel not in AnswerChannel.values:
            errors["channel"] = [_("Choose a valid channel.")]
        if not isinstance(answered_on, date):
            errors["answered_on"] = [_("This field is required.")]
        elif answered_on > timezone.localdate(clock.now()):
            errors["answered_on"] = [_("The answer cannot be given in the future.")]
        elif answered_on < timezone.localdate(complaint.received_at):
            errors["answered_on"] = [_("The answer cannot be older than the complaint.")]
        if errors:
            raise ValidationFailed(errors)

        complaint = complaint_services.record_customer_answer(
            actor=actor, complaint_id=complaint.pk, text=text
        )
        now = complaint.customer_answered_at
        FinalAnswer.objects.filter(complaint=complaint, superseded_at__isnull=True).update(
            superseded_at=now
        )
        answer = FinalAnswer.objects.create(
            complaint=complaint,
            text=complaint.customer_answer,
            channel=channel,
            answered_on=answered_on,
            author=actor,
            created_at=now,
        )
    return answer


# ---------------------------------------------------------------- surveys: making and sending


def survey_url(raw_token: str) -> str:
    """The absolute address of a survey link (settings.QUALITYLOOP["BASE_URL"])."""
    base = str(settings.QUALITYLOOP["BASE_URL"]).rstrip("/")
    return f"{base}{reverse('survey', args=[raw_token])}"


def _new_token() -> tuple[str, str]:
    raw = new_secret()
    return raw, digest_of(raw)


def _issue(complaint: Complaint, *, actor, key=None) -> tuple[Survey, str]:
    """A new survey for ``complaint`` (row locked); the one still waiting is withdrawn."""
    now = clock.now()
    Survey.objects.filter(
        complaint=complaint, responded_at__isnull=True, withdrawn_at__isnull=True
    ).update(withdrawn_at=now)
    raw, digest = _new_token()
    survey = Survey.objects.create(
        complaint=complaint,
        digest=digest,
        language=complaint.complainant_language,
        key=key,
        created_by=actor,
        created_at=now,
        expires_at=now + valid_for(),
    )
    return survey, raw


def _check_closed(complaint: Complaint) -> None:
    if complaint.status != Status.CLOSED:
        raise Refused(_("A survey can only be sent about a closed complaint."), field="complaint")


def create_survey(*, complaint_id, actor=None) -> tuple[Survey, str]:
    """A survey link for a closed complaint, to give the complainant by hand.

    Returns the survey and the raw token, which is never stored: show the link now or never.
    A survey of the complaint still waiting for an answer is withdrawn (its link stops
    working), so a complaint has one open survey at a time.
    """
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        if actor is not None:
            _check_writer(actor, complaint, _("You may not send surveys about this complaint."))
        _check_closed(complaint)
        survey, raw = _issue(complaint, actor=actor)
        _record(
            complaint,
            actor=actor,
            data={"survey": survey.pk, "action": "created", "expires_at": survey.expires_at},
        )
    return survey, raw


def send_survey(*, complaint_id, actor=None) -> bool:
    """E-mail the complainant a survey link, after commit; True if one is on its way.

    Called by the complaint services inside the closing transaction (``actor=None``): it
    only enqueues, and does nothing for a complainant without an e-mail address. A person
    (``actor``) asking for it is told why not instead.
    """
    if actor is not None:
        complaint = Complaint.objects.filter(pk=complaint_id).first()
        if complaint is None:
            raise DomainError(_("No such complaint."), field="complaint", code="not_found")
        _check_writer(actor, complaint, _("You may not send surveys about this complaint."))
        _check_closed(complaint)
        if not complaint.complainant_email:
            raise ValidationFailed(
                {
                    "recipient": [
                        _(
                            "The complainant has no e-mail address: create a link and "
                            "give it to them another way."
                        )
                    ]
                }
            )
    row = (
        Complaint.objects.filter(pk=complaint_id).values("complainant_email", "event_count").first()
    )
    if row is None or not row["complainant_email"]:
        return False
    # The complaint's event count names the moment: the same call twice in one transaction
    # sends one survey, a later call another.
    key = f"survey:{complaint_id}:{row['event_count']}"
    return after_commit(lambda: tasks.send_survey_task.enqueue(complaint_id, key))


def prepare_survey_email(*, complaint_id, key: str) -> tuple[Survey, str] | None:
    """The survey to e-mail for ``key`` and its fresh raw token; None if there is nothing to
    send (already sent, no address, or the complaint is no longer closed)."""
    with transaction.atomic():
        complaint = changes.lock_if_exists(complaint_id)
        if (
            complaint is None
            or complaint.status != Status.CLOSED
            or not complaint.complainant_email
        ):
            return None
        survey = Survey.objects.select_for_update().filter(key=key).first()
        if survey is None:
            return _issue(complaint, actor=None, key=key)
        if survey.sent_at or survey.responded_at or survey.withdrawn_at:
            return None
        # An earlier run made it but did not send it, and its token is gone: issue a new one.
        raw, survey.digest = _new_token()
        survey.save(update_fields=["digest"])
        return survey, raw


def survey_email(survey: Survey, raw_token: str) -> tuple[str, str]:
    """Subject and text of the survey e-mail, in the survey's language."""
    context = {"complaint": survey.complaint, "survey": survey, "url": survey_url(raw_token)}
    with translation.override(survey.language):
        subject = render_to_string("feedback/survey_email_subject.txt", context)
        body = render_to_string("feedback/survey_email.txt", context)
    return " ".join(subject.split()), body.strip() + "\n"


def deliver_survey(*, survey_id, raw_token: str) -> bool:
    """Send the survey e-mail and note it sent (with a timeline event) or failed."""
    survey = Survey.objects.select_related("complaint").get(pk=survey_id)
    address = survey.complaint.complainant_email
    subject, body = survey_email(survey, raw_token)
    error = ""
    try:
        send_email(subject=subject, body=body, to=[address])
    except Exception as exc:
        log.warning("survey %s to %s failed: %s", survey_id, address, exc)
        error = f"{type(exc).__name__}: {exc}"[:2000]

    with transaction.atomic():
        complaint = changes.lock(survey.complaint_id)
        survey = Survey.objects.select_for_update().get(pk=survey_id)
        if error:
            survey.send_error = error
            survey.save(update_fields=["send_error"])
            return False
        survey.sent_at, survey.sent_to, survey.send_error = clock.now(), address, ""
        survey.save(update_fields=["sent_at", "sent_to", "send_error"])
        _record(
            complaint,
            actor=None,
            data={"survey": survey.pk, "action": "sent", "to": address},
        )
    return True


# ---------------------------------------------------------------- surveys: the answer


def open_survey(raw_token: str) -> Survey | None:
    """The survey a link opens, if it may still be answered; None for any other link."""
    if not raw_token or len(raw_token) > TOKEN_MAX:
        return None
    survey = (
        Survey.objects.select_related("complaint")
        .filter(digest=Survey.digest_of(raw_token))
        .first()
    )
    if survey is None or not survey.is_open_at(clock.now()):
        return None
    return survey


def _invalid_link() -> DomainError:
    return DomainError(
        _("This link is not valid or has already been used."), field="token", code="not_found"
    )


def _score(value, field: str, errors: dict) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 5:
        errors[field] = [_("Choose a score from 1 to 5.")]


def is_low(survey: Survey) -> bool:
    limit = low_score_limit()
    return survey.outcome_score <= limit or survey.handling_score <= limit or not survey.satisfied


def result_text(survey: Survey) -> str:
    """The answer in one line, in the installation's language, for the record."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Satisfaction survey: outcome %(outcome)d/5, handling %(handling)d/5, %(verdict)s."
        ) % {
            "outcome": survey.outcome_score,
            "handling": survey.handling_score,
            "verdict": _("satisfied") if survey.satisfied else _("not satisfied"),
        }
        if survey.comment:
            text += "\n" + _("Comment: %(comment)s") % {"comment": survey.comment}
    return text


def submit_survey(
    *, raw_token: str, outcome_score, handling_score, satisfied, comment: str = ""
) -> Survey:
    """Store the complainant's answer, once. No user: the link is the credential.

    A wrong, expired, withdrawn or used link is refused alike (code ``not_found``).
    """
    found = open_survey(raw_token)
    if found is None:
        raise _invalid_link()
    comment = (comment or "").strip()
    errors: dict[str, list[str]] = {}
    _score(outcome_score, "outcome_score", errors)
    _score(handling_score, "handling_score", errors)
    if not isinstance(satisfied, bool):
        errors["satisfied"] = [_("Say whether you are satisfied.")]
    if len(comment) > COMMENT_MAX:
        errors["comment"] = [_("At most %(n)d characters.") % {"n": COMMENT_MAX}]
    elif "\x00" in comment:
        errors["comment"] = [_("Text cannot contain NUL characters.")]
    if errors:
        raise ValidationFailed(errors)

    with transaction.atomic():
        complaint = changes.lock(found.complaint_id)
        survey = Survey.objects.select_for_update().get(pk=found.pk)
        now = clock.now()
        if not survey.is_open_at(now):
            raise _invalid_link()  # answered a moment ago, in another request
        survey.outcome_score, survey.handling_score = outcome_score, handling_score
        survey.satisfied, survey.comment, survey.responded_at = satisfied, comment, now
        survey.save(
            update_fields=[
                "outcome_score",
                "handling_score",
                "satisfied",
                "comment",
                "responded_at",
            ]
        )
        low = is_low(survey)
        follow_up = low_score_action() if low else None
        _record(
            complaint,
            actor=None,
            data={
                "survey": survey.pk,
                "action": "answered",
                "outcome_score": outcome_score,
                "handling_score": handling_score,
                "satisfied": satisfied,
                "comment": comment,
                "low": low,
                "follow_up": follow_up,
            },
        )
        if low:
            _follow_up(complaint, survey, follow_up)
    return survey


def quality_engineers() -> list[User]:
    return list(User.objects.filter(is_active=True, role=Role.QUALITY_ENGINEER).order_by("pk"))


def _follow_up(complaint: Complaint, survey: Survey, action: str) -> None:
    """Reopen or escalate after a low answer, and tell the quality engineers."""
    summary = result_text(survey)
    lines = [summary]
    if action == LowScoreAction.ESCALATE:
        sla_services.escalate_to_management(
            actor=None, complaint_id=complaint.pk, reason="unsatisfied", note=summary
        )
    elif complaint.status == Status.CLOSED:
        try:
            with transaction.atomic():
                complaint_services.transition_complaint(
                    actor=None,
                    system=True,
                    complaint_id=complaint.pk,
                    name="reopen",
                    reason=summary,
                )
        except DomainError as exc:
            # The answer is kept either way; the quality engineers reopen it by hand.
            log.warning("survey %s could not reopen complaint %s: %s", survey.pk, complaint.pk, exc)
            with translation.override(settings.LANGUAGE_CODE):
                lines.append(
                    _("The complaint could not be reopened automatically: %(error)s")
                    % {"error": exc.message}
                )
    with translation.override(settings.LANGUAGE_CODE):
        sender = str(EventKind.SURVEY.label)
    notify(
        event=NotifyEvent.REMINDER,
        recipients=quality_engineers(),
        complaint=complaint,
        data={"sender": sender, "task_title": "", "message": "\n".join(lines)},
    )
