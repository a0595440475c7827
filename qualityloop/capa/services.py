"""Everything that writes actions, effectiveness checks, remedies and cost lines.

Each service takes keyword arguments and an explicit ``actor``, runs in one transaction and
writes its timeline events in it. An action's services lock the action row first, then every
complaint it serves in id order (always this order, so two services never wait on each
other), record the event on each of those complaints and bump their versions.
"""

from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityloop.accounts.models import Department, User
from qualityloop.complaints import attachments, changes
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint, NumberSequence
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, TransitionRefused, ValidationFailed
from qualityloop.notifications import services as notifications
from qualityloop.notifications.choices import NotifyEvent

from . import access, conf, workflow
from .choices import NEEDS_CRITERIA, ActionStatus, ActionType, CostCategory, Rating, RemedyKind
from .choices import RemedyStatus as RS
from .models import (
    CURRENCY,
    MONEY_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Action,
    ActionEvidence,
    ActionLink,
    ActionNote,
    CostLine,
    EffectivenessCheck,
    Remedy,
)
from .queries import (  # noqa: F401 (the names other apps import from here too)
    ActionSummary,
    action_summary,
    actions_for,
    cost_lines_for,
    costs_by_category,
    remedies_for,
    total_cost,
)

NUMBER_PREFIX = "CA"
CENT = Decimal("0.01")
CLOCK_SKEW = timedelta(minutes=5)
EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
COST_DESCRIPTION_MAX = 500


# ---------------------------------------------------------------- helpers


def _today() -> date:
    return timezone.localdate(clock.now())


def _next_number() -> str:
    key = f"{NUMBER_PREFIX}-{_today().year}"
    return f"{key}-{NumberSequence.take(key):04d}"


def _lock_action(actor, action_id, *, also=()) -> tuple[Action, list[Complaint]]:
    """The action and every complaint it serves (plus ``also``), all row locked: the action
    first, then the complaints in id order."""
    try:
        action = Action.objects.select_for_update().filter(pk=action_id).first()
    except (ValueError, TypeError):
        action = None
    if action is None or not access.can_read_action(actor, action):
        raise DomainError(_("No such action."), field="action", code="not_found")
    # Links change only under the action's lock, so this list holds until we commit.
    ids = set(action.links.values_list("complaint_id", flat=True)) | set(also)
    complaints = changes.lock_many(ids)
    return action, complaints


def _action_data(action: Action, step: str, **more) -> dict:
    return {
        "action": action.pk,
        "number": action.number,
        "title": action.title,
        "type": action.type,
        "step": step,
        "status": action.status,
        **more,
    }


def _record(complaints, kind: str, *, actor, data: dict, reason: str = "") -> None:
    for complaint in complaints:
        changes.record(complaint, kind, actor=actor, data=data, reason=reason)


def _text(errors, field: str, value, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(value) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    return value


def _choice(errors, field: str, value, choices) -> str:
    if value not in choices.values:
        errors.setdefault(field, []).append(_("Choose a valid option."))
    return value


def _amount(errors, value, field: str = "amount") -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or not amount.is_finite():
        errors.setdefault(field, []).append(_("Enter an amount like 1200.50."))
        return None
    if amount < 0:
        errors.setdefault(field, []).append(_("The amount cannot be negative."))
        return None
    if amount > MONEY_MAX:
        errors.setdefault(field, []).append(
            _("The amount cannot be more than %(max)s.") % {"max": MONEY_MAX}
        )
        return None
    if amount.quantize(CENT) != amount:
        errors.setdefault(field, []).append(_("Use at most two decimal places (fen)."))
        return None
    return amount.quantize(CENT)


def _day(errors, field: str, value) -> date | None:
    if value is None or value == "":
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    if isinstance(value, datetime):
        value = timezone.localdate(value) if timezone.is_aware(value) else value.date()
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            value = None
    if not isinstance(value, date):
        errors.setdefault(field, []).append(_("Enter a date like 2026-03-01."))
        return None
    if not EARLIEST <= value <= LATEST:
        errors.setdefault(field, []).append(_("Enter a date between 1900 and 2999."))
        return None
    return value


def _due_moment(day: date) -> datetime:
    """A due date means by the end of that day, local time."""
    return timezone.make_aware(datetime.combine(day, time(23, 59)))


def _tell_owner(action: Action, complaint: Complaint, actor) -> None:
    if action.owner_id == getattr(actor, "pk", None):
        return
    notifications.notify(
        event=NotifyEvent.TASK_ASSIGNED,
        recipients=[action.owner_id],
        complaint=complaint,
        data={
            "task_title": f"{action.number} {action.title}",
            "due_at": _due_moment(action.due_date),
            "url": action.get_absolute_url(),
            "action": action.pk,
        },
    )


# ---------------------------------------------------------------- actions


def plan_action(
    *,
    actor: User,
    complaint_id,
    type: str,
    title: str,
    owner_id,
    due_date,
    expected_effect: str,
    effectiveness_criteria: str = "",
    description: str = "",
    department_id=None,
) -> Action:
    """Plan an action for a complaint; its owner is told."""
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=access.sees_complaint)
        if not access.can_plan(actor, complaint):
            raise NotAllowed(_("You may not plan actions for this complaint."))
        errors: dict[str, list[str]] = {}
        _choice(errors, "type", type, ActionType)
        title = _text(errors, "title", title, limit=TITLE_MAX)
        description = _text(errors, "description", description, required=False)
        expected_effect = _text(errors, "expected_effect", expected_effect)
        criteria = _text(
            errors,
            "effectiveness_criteria",
            effectiveness_criteria,
            required=type in NEEDS_CRITERIA,
        )
        if type in NEEDS_CRITERIA and "effectiveness_criteria" in errors:
            errors["effectiveness_criteria"] = [
                _("Corrective and preventive actions need criteria for their check.")
            ]
        owner = _active_user(owner_id)
        if owner is None:
            errors["owner"] = [_("Choose an active user.")]
        department = None
        if department_id not in (None, ""):
            department = _active_department(department_id)
            if department is None:
                errors["department"] = [_("Unknown department.")]
        elif owner is not None:
            department = owner.department
            if department is None or not department.is_active:
                errors["department"] = [_("Choose the department that carries the action out.")]
                department = None
        if owner is not None and department is not None and owner.department_id != department.pk:
            errors["owner"] = [_("Choose an active member of %(d)s.") % {"d": department}]
        due = _day(errors, "due_date", due_date)
        if due is not None and due < _today():
            errors["due_date"] = [_("The due date cannot be in the past.")]
        if errors:
            raise ValidationFailed(errors)

        now = clock.now()
        action = Action.objects.create(
            number=_next_number(),
            type=type,
            title=title,
            description=description,
            owner=owner,
            department=department,
            due_date=due,
            expected_effect=expected_effect,
            effectiveness_criteria=criteria,
            created_by=actor,
            created_at=now,
        )
        ActionLink.objects.create(
            action=action, complaint=complaint, linked_by=actor, linked_at=now
        )
        _record(
            [complaint],
            EventKind.ACTION,
            actor=actor,
            data=_action_data(
                action,
                "planned",
                owner=owner.pk,
                owner_label=str(owner),
                department=department.pk,
                department_label=str(department),
                due_date=due,
                expected_effect=expected_effect,
                effectiveness_criteria=criteria,
            ),
        )
        _tell_owner(action, complaint, actor)
    return action


def _active_user(pk) -> User | None:
    if pk in (None, ""):
        return None
    try:
        return User.objects.select_related("department").filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError):
        return None


def _active_department(pk) -> Department | None:
    try:
        return Department.objects.filter(pk=pk, is_active=True).first()
    except (ValueError, TypeError):
        return None


def link_action(*, actor: User, action_id, complaint_id) -> ActionLink:
    """Let an existing action serve another complaint as well."""
    try:
        target_id = int(complaint_id)
    except (ValueError, TypeError):
        raise changes.not_found() from None
    with transaction.atomic():
        action, complaints = _lock_action(actor, action_id, also=[target_id])
        target = next((c for c in complaints if c.pk == target_id), None)
        if target is None or not access.sees_complaint(actor, target):
            raise changes.not_found()
        if not access.can_link(actor, target):
            raise NotAllowed(_("You may not link actions to this complaint."))
        if action.links.filter(complaint_id=target_id).exists():
            raise ValidationFailed(
                {
                    "complaint": [
                        _("This action already serves %(number)s.") % {"number": target.number}
                    ]
                }
            )
        link = ActionLink.objects.create(
            action=action, complaint=target, linked_by=actor, linked_at=clock.now()
        )
        _record(
            complaints,
            EventKind.ACTION,
            actor=actor,
            data=_action_data(
                action, "linked", complaint=target.pk, complaint_number=target.number
            ),
        )
    return link


def _work_on(actor, action_id, step: str | None = None) -> tuple[Action, list[Complaint]]:
    action, complaints = _lock_action(actor, action_id)
    if not access.works_on(actor, action):
        raise NotAllowed(_("Only the owner, the owner's department or quality may do this."))
    if step is not None and not workflow.allows(step, action.status):
        raise TransitionRefused(
            _("Not possible while the action is “%(status)s”.")
            % {"status": action.get_status_display()},
            field="status",
        )
    if step is None and action.status not in workflow.WORKABLE:
        raise TransitionRefused(
            _("The action is “%(status)s”; it takes no more progress reports.")
            % {"status": action.get_status_display()},
            field="status",
        )
    return action, complaints


def start_action(*, actor: User, action_id) -> Action:
    with transaction.atomic():
        action, complaints = _work_on(actor, action_id, "start")
        action.status = ActionStatus.IN_PROGRESS
        action.started_at = action.started_at or clock.now()
        action.save(update_fields=["status", "started_at"])
        _record(complaints, EventKind.ACTION, actor=actor, data=_action_data(action, "started"))
    return action


def _note(action: Action, actor, text: str) -> ActionNote:
    return ActionNote.objects.create(action=action, author=actor, text=text, created_at=clock.now())


def add_note(*, actor: User, action_id, text: str) -> ActionNote:
    """A progress report on an open action."""
    with transaction.atomic():
        action, complaints = _work_on(actor, action_id)
        errors: dict[str, list[str]] = {}
        text = _text(errors, "text", text)
        if errors:
            raise ValidationFailed(errors)
        note = _note(action, actor, text)
        _record(
            complaints,
            EventKind.ACTION,
            actor=actor,
            data=_action_data(action, "note", note=note.pk, text=text),
        )
    return note


def add_evidence(*, actor: User, action_id, upload) -> ActionEvidence:
    """Store a file that shows what was done. The file is checked before anything is written."""
    with transaction.atomic():
        _work_on(actor, action_id)
    stored = attachments.store(upload)
    try:
        with transaction.atomic():
            action, complaints = _work_on(actor, action_id)
            evidence = ActionEvidence.objects.create(
                action=action,
                original_name=stored.original_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                storage_name=stored.storage_name,
                uploaded_by=actor,
                uploaded_at=clock.now(),
            )
            _record(
                complaints,
                EventKind.ACTION,
                actor=actor,
                data=_action_data(
                    action,
                    "evidence",
                    evidence=evidence.pk,
                    name=stored.original_name,
                    size=stored.size,
                    sha256=stored.sha256,
                ),
            )
    except BaseException:
        attachments.discard(stored)
        raise
    return evidence


def complete_action(*, actor: User, action_id, note: str = "") -> Action:
    """Report the action done. It needs a progress note or evidence: ``note`` adds one."""
    with transaction.atomic():
        action, complaints = _work_on(actor, action_id, "complete")
        errors: dict[str, list[str]] = {}
        text = _text(errors, "note", note, required=False)
        if errors:
            raise ValidationFailed(errors)
        if text:
            _note(action, actor, text)
        if not (action.notes.exists() or action.evidence.exists()):
            raise ValidationFailed(
                {"note": [_("Say what was done, or add evidence, before completing the action.")]}
            )
        now = clock.now()
        action.status = ActionStatus.DONE
        action.started_at = action.started_at or now
        action.completed_at = now
        action.save(update_fields=["status", "started_at", "completed_at"])
        _record(
            complaints,
            EventKind.ACTION,
            actor=actor,
            data=_action_data(action, "completed", text=text),
        )
    return action


def check_effectiveness(
    *, actor: User, action_id, method: str, result: str, rating: str, checked_at=None
) -> EffectivenessCheck:
    """Record a verification. Effective verifies the action; not effective (and partly
    effective, unless configured otherwise) sends it back to work."""
    with transaction.atomic():
        action, complaints = _lock_action(actor, action_id)
        if not access.may_verify(actor):
            raise NotAllowed(_("Only quality may verify the effect of an action."))
        if actor.pk == action.owner_id:
            raise NotAllowed(_("The owner of an action may not verify it; ask someone else."))
        if not workflow.allows("verify", action.status):
            raise TransitionRefused(
                _("Only a done action can be checked; this one is “%(status)s”.")
                % {"status": action.get_status_display()},
                field="status",
            )
        errors: dict[str, list[str]] = {}
        method = _text(errors, "method", method)
        result = _text(errors, "result", result)
        _choice(errors, "rating", rating, Rating)
        now = clock.now()
        if checked_at is None:
            checked_at = now
        elif not isinstance(checked_at, datetime):
            errors["checked_at"] = [_("Enter a date and time.")]
        elif timezone.is_naive(checked_at):
            checked_at = timezone.make_aware(checked_at)
        if isinstance(checked_at, datetime) and checked_at > now + CLOCK_SKEW:
            errors["checked_at"] = [_("The check cannot be in the future.")]
        if errors:
            raise ValidationFailed(errors)

        outcome = workflow.check_outcome(rating, reopen_partly=conf.reopen_on_partly_effective())
        check = EffectivenessCheck.objects.create(
            action=action,
            method=method,
            result=result,
            rating=rating,
            verifier=actor,
            checked_at=checked_at,
            created_at=now,
            reopened=outcome == "reopen",
        )
        if outcome == "verify":
            action.status = ActionStatus.VERIFIED
            action.verified_at = now
            action.save(update_fields=["status", "verified_at"])
        else:
            action.status = ActionStatus.IN_PROGRESS
            action.completed_at = None
            action.reopen_count = F("reopen_count") + 1
            action.save(update_fields=["status", "completed_at", "reopen_count"])
            action.refresh_from_db(fields=["reopen_count"])
        _record(
            complaints,
            EventKind.EFFECTIVENESS,
            actor=actor,
            data={
                **_action_data(action, "verified" if outcome == "verify" else "reopened"),
                "check": check.pk,
                "rating": rating,
                "method": method,
                "result": result,
                "checked_at": checked_at,
            },
        )
        if outcome == "reopen" and complaints:
            _tell_owner(action, complaints[0], actor)
    return check


# ---------------------------------------------------------------- remedies


def _remedy_data(remedy: Remedy, step: str, **more) -> dict:
    return {
        "remedy": remedy.pk,
        "kind": remedy.kind,
        "amount": str(remedy.amount),
        "currency": remedy.currency,
        "step": step,
        "status": remedy.status,
        **more,
    }


def propose_remedy(*, actor: User, complaint_id, kind: str, description: str, amount) -> Remedy:
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=access.sees_complaint)
        if not access.can_propose_remedy(actor, complaint):
            raise NotAllowed(_("You may not propose remedies for this complaint."))
        errors: dict[str, list[str]] = {}
        _choice(errors, "kind", kind, RemedyKind)
        description = _text(errors, "description", description)
        value = _amount(errors, amount)
        if errors:
            raise ValidationFailed(errors)
        remedy = Remedy.objects.create(
            complaint=complaint,
            kind=kind,
            description=description,
            amount=value,
            currency=CURRENCY,
            proposed_by=actor,
            proposed_at=clock.now(),
        )
        threshold = conf.remedy_approval_threshold()
        _record(
            [complaint],
            EventKind.REMEDY,
            actor=actor,
            data=_remedy_data(
                remedy,
                "proposed",
                description=description,
                needs_approval=workflow.needs_approval(value, threshold),
            ),
        )
    return remedy


def _lock_remedy(actor, remedy_id) -> tuple[Remedy, Complaint]:
    try:
        found = Remedy.objects.filter(pk=remedy_id).values_list("complaint_id", flat=True).first()
    except (ValueError, TypeError):
        found = None
    if found is None:
        raise DomainError(_("No such remedy."), field="remedy", code="not_found")
    complaint = changes.lock(found, actor=actor, may=access.sees_complaint)
    return Remedy.objects.select_for_update().get(pk=remedy_id), complaint


def _not_proposed(remedy: Remedy) -> TransitionRefused:
    return TransitionRefused(
        _("This remedy is already “%(status)s”.") % {"status": remedy.get_status_display()},
        field="status",
    )


def _decide(actor, remedy_id, *, approve: bool, text: str) -> Remedy:
    with transaction.atomic():
        remedy, complaint = _lock_remedy(actor, remedy_id)
        if not access.may_approve_remedies(actor):
            raise NotAllowed(_("You may not approve or refuse remedies."))
        if actor.pk == remedy.proposed_by_id:
            raise NotAllowed(_("Nobody approves or refuses their own proposal."))
        if remedy.status != RS.PROPOSED:
            raise _not_proposed(remedy)
        errors: dict[str, list[str]] = {}
        text = _text(errors, "reason", text, required=not approve)
        if errors:
            raise ValidationFailed(errors)
        now = clock.now()
        if approve:
            remedy.status, remedy.approved_by, remedy.approved_at = RS.APPROVED, actor, now
            remedy.save(update_fields=["status", "approved_by", "approved_at"])
        else:
            remedy.status, remedy.rejected_by, remedy.rejected_at = RS.REJECTED, actor, now
            remedy.rejection_reason = text
            remedy.save(update_fields=["status", "rejected_by", "rejected_at", "rejection_reason"])
        _record(
            [complaint],
            EventKind.REMEDY,
            actor=actor,
            data=_remedy_data(remedy, "approved" if approve else "rejected"),
            reason=text,
        )
    return remedy


def approve_remedy(*, actor: User, remedy_id, note: str = "") -> Remedy:
    return _decide(actor, remedy_id, approve=True, text=note)


def reject_remedy(*, actor: User, remedy_id, reason: str) -> Remedy:
    return _decide(actor, remedy_id, approve=False, text=reason)


def give_remedy(*, actor: User, remedy_id) -> Remedy:
    """Mark the remedy given to the customer; above the threshold only once approved."""
    with transaction.atomic():
        remedy, complaint = _lock_remedy(actor, remedy_id)
        if not access.may_give_remedies(actor):
            raise NotAllowed(_("You may not give remedies."))
        threshold = conf.remedy_approval_threshold()
        if not workflow.may_give(remedy.status, remedy.amount, threshold):
            if remedy.status == RS.PROPOSED:
                raise TransitionRefused(
                    _(
                        "%(amount)s CNY is above the approval threshold of %(threshold)s CNY: "
                        "it must be approved first."
                    )
                    % {"amount": remedy.amount, "threshold": threshold},
                    field="status",
                    code="needs_approval",
                )
            raise _not_proposed(remedy)
        remedy.status, remedy.given_by, remedy.given_at = RS.GIVEN, actor, clock.now()
        remedy.save(update_fields=["status", "given_by", "given_at"])
        _record([complaint], EventKind.REMEDY, actor=actor, data=_remedy_data(remedy, "given"))
    return remedy


# ---------------------------------------------------------------- cost of quality


def add_cost_line(
    *, actor: User, complaint_id, category: str, description: str, amount, incurred_on
) -> CostLine:
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=access.sees_complaint)
        if not access.can_add_cost(actor, complaint):
            raise NotAllowed(_("You may not record costs for this complaint."))
        errors: dict[str, list[str]] = {}
        _choice(errors, "category", category, CostCategory)
        description = _text(errors, "description", description, limit=COST_DESCRIPTION_MAX)
        value = _amount(errors, amount)
        day = _day(errors, "incurred_on", incurred_on)
        if day is not None and day > _today():
            errors["incurred_on"] = [_("A cost cannot be incurred in the future.")]
        if errors:
            raise ValidationFailed(errors)
        line = CostLine.objects.create(
            complaint=complaint,
            category=category,
            description=description,
            amount=value,
            incurred_on=day,
            created_by=actor,
            created_at=clock.now(),
        )
        _record(
            [complaint],
            EventKind.COST,
            actor=actor,
            data={
                "cost_line": line.pk,
                "category": category,
                "amount": str(value),
                "currency": CURRENCY,
                "incurred_on": day,
                "description": description,
            },
        )
    return line
