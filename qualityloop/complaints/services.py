"""Everything that changes a complaint. Views, the API, tasks and commands call these.

Each service takes keyword arguments and an explicit ``actor``, runs in one transaction with
the complaint row locked, and writes its events in that same transaction.
"""

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from qualityloop.accounts.choices import DepartmentKind
from qualityloop.accounts.models import Department, User
from qualityloop.catalog.models import Batch, Customer, Product
from qualityloop.core import clock
from qualityloop.core.errors import (
    DomainError,
    NotAllowed,
    TransitionRefused,
    ValidationFailed,
)

from . import access, attachments, events, hooks, search, signatures, workflow
from .changes import bump, check_version, lock
from .choices import (
    CLAIM_OR_RETURN,
    EventKind,
    Severity,
    SeveritySource,
    TaskKind,
    TaskStatus,
    Warranty,
)
from .models import (
    Attachment,
    Category,
    Complaint,
    ComplaintSearch,
    GradingRule,
    IdempotencyRecord,
    NumberSequence,
    StageTask,
)
from .workflow import Status

# Fields a registration or an edit may set, with the foreign keys by id.
INPUT_FIELDS = (
    "title",
    "description",
    "complainant_name",
    "complainant_org",
    "complainant_phone",
    "complainant_email",
    "complainant_language",
    "complainant_type",
    "customer_id",
    "product_id",
    "model_number",
    "batch_id",
    "serial_number",
    "quantity",
    "purchase_date",
    "occurred_at",
    "occurred_place",
    "requested_remedy",
    "requested_remedy_detail",
    "immediate_action",
    "channel",
    "received_at",
    "category_id",
    "safety_or_regulatory",
    "scope",
    "line_down",
    "is_repeat",
    "responsible_department_id",
)
GRADING_INPUTS = frozenset(
    {"safety_or_regulatory", "scope", "line_down", "is_repeat", "requested_remedy"}
)
SEARCHED = (
    "number",
    "title",
    "description",
    "complainant_name",
    "complainant_org",
    "serial_number",
    "model_number",
)
REPEAT_WINDOW = timedelta(days=365)
CLOCK_SKEW = timedelta(minutes=5)


# ---------------------------------------------------------------- helpers


def _raw(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _label(complaint: Complaint, field: str):
    """What a person reads for a foreign key, stored beside the id in the event."""
    if field.endswith("_id"):
        obj = getattr(complaint, field[:-3])
        return str(obj) if obj is not None else None
    return None


def _next_number() -> str:
    now = timezone.localtime(clock.now())
    key = f"{settings.QUALITYLOOP['NUMBER_PREFIX']}-{now.year}"
    return f"{key}-{NumberSequence.take(key):06d}"


def _resolve(data: dict, errors: dict[str, list[str]]) -> dict:
    """Turn ``*_id`` inputs into objects, noting unknown ones as field errors."""
    refs = {
        "customer_id": (Customer.objects.all(), _("Unknown customer.")),
        "product_id": (Product.objects.all(), _("Unknown product.")),
        "batch_id": (Batch.objects.select_related("product", "site"), _("Unknown batch.")),
        "category_id": (Category.objects.filter(is_active=True), _("Unknown category.")),
        "responsible_department_id": (
            Department.objects.filter(is_active=True),
            _("Unknown department."),
        ),
    }
    found = {}
    for key, (qs, message) in refs.items():
        if key in data and data[key] not in (None, ""):
            try:
                found[key[:-3]] = qs.get(pk=data[key])
            except (qs.model.DoesNotExist, ValueError, TypeError):
                errors.setdefault(key[:-3], []).append(message)
        elif key in data:
            found[key[:-3]] = None
    return found


def _apply_inputs(complaint: Complaint, data: dict[str, Any]) -> None:
    """Set ``data`` on ``complaint`` and validate; raises ValidationFailed with every error."""
    unknown = set(data) - set(INPUT_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("This field cannot be set.")] for k in sorted(unknown)})
    errors: dict[str, list[str]] = {}
    objects = _resolve(data, errors)
    for key, value in data.items():
        if key.endswith("_id"):
            continue
        if isinstance(value, str):
            value = value.strip()
        setattr(complaint, key, value)
    for name, obj in objects.items():
        setattr(complaint, name, obj)

    try:
        complaint.full_clean(
            exclude=[
                "number",
                "received_by",
                "version",
                "event_count",
                "last_event_hash",
                "severity",
                "severity_source",
                "severity_basis",
                "status",
            ],
            validate_unique=False,
            validate_constraints=False,
        )
    except ValidationError as exc:
        for field, messages in exc.message_dict.items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationFailed(errors)

    # Cross-field rules.
    batch = complaint.batch
    if batch is not None:
        if complaint.product_id is None:
            complaint.product = batch.product
        elif batch.product_id != complaint.product_id:
            errors["batch"] = [_("Batch %(lot)s belongs to another product.") % {"lot": batch}]
    now = clock.now()
    if complaint.received_at and complaint.received_at > now + CLOCK_SKEW:
        errors["received_at"] = [_("The time received cannot be in the future.")]
    if (
        complaint.occurred_at
        and complaint.received_at
        and (complaint.occurred_at > complaint.received_at + CLOCK_SKEW)
    ):
        errors["occurred_at"] = [_("The problem cannot have occurred after it was received.")]
    if (
        complaint.purchase_date
        and complaint.received_at
        and (complaint.purchase_date > timezone.localdate(complaint.received_at))
    ):
        errors["purchase_date"] = [_("The purchase date cannot be after the complaint.")]
    if errors:
        raise ValidationFailed(errors)

    if complaint.product_id:
        if not complaint.model_number:
            complaint.model_number = complaint.product.model
        complaint.site = batch.site if batch else complaint.product.site
    complaint.warranty = _warranty(complaint)


def _add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    last = [31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


def _warranty(complaint: Complaint) -> str:
    if not (complaint.product_id and complaint.purchase_date and complaint.received_at):
        return Warranty.UNKNOWN
    ends = _add_months(complaint.purchase_date, complaint.product.warranty_months)
    return Warranty.IN if timezone.localdate(complaint.received_at) <= ends else Warranty.OUT


def earlier_complaints(
    *,
    product_id=None,
    batch_id=None,
    category_id=None,
    exclude_id=None,
    before=None,
    since=None,
    limit: int = 10,
):
    """Earlier complaints on the same product and batch (or same product and category)."""
    if not product_id and not batch_id:
        return Complaint.objects.none()
    same = Q()
    if batch_id:
        same |= Q(batch_id=batch_id)
    if product_id and category_id:
        same |= Q(product_id=product_id, category_id=category_id)
    if not same:
        same = Q(product_id=product_id)
    qs = Complaint.objects.filter(same).select_related("category")
    if before:
        qs = qs.filter(received_at__lt=before)
    if since:
        qs = qs.filter(received_at__gte=since)
    if exclude_id:
        qs = qs.exclude(pk=exclude_id)
    return qs.order_by("-received_at", "-id")[:limit]


def _is_repeat(complaint: Complaint) -> bool:
    if not complaint.product_id:
        return False
    return earlier_complaints(
        product_id=complaint.product_id,
        batch_id=complaint.batch_id,
        category_id=complaint.category_id,
        exclude_id=complaint.pk,
        before=complaint.received_at,
        since=complaint.received_at - REPEAT_WINDOW,
    ).exists()


def compute_grade(complaint: Complaint) -> tuple[int, GradingRule | None, str]:
    """The severity the active rules give, the rule that gave it, and the basis in words."""
    claim = complaint.requested_remedy in CLAIM_OR_RETURN
    for rule in GradingRule.objects.filter(is_active=True).order_by("priority", "id"):
        checks = (
            rule.safety_or_regulatory is None
            or rule.safety_or_regulatory == complaint.safety_or_regulatory,
            rule.min_scope is None or complaint.scope >= rule.min_scope,
            rule.line_down is None or rule.line_down == complaint.line_down,
            rule.claim_or_return is None or rule.claim_or_return == claim,
            rule.repeat is None or rule.repeat == complaint.is_repeat,
        )
        if all(checks):
            return rule.severity, rule, rule.name
    return Severity.MINOR, None, ""


def _apply_grade(complaint: Complaint) -> bool:
    """Re-grade by rules unless a person overrode the grade. True if anything changed."""
    if complaint.severity_source == SeveritySource.OVERRIDE:
        return False
    severity, rule, basis = compute_grade(complaint)
    source = SeveritySource.RULE if rule else SeveritySource.DEFAULT
    before = (complaint.severity, complaint.severity_rule_id, complaint.severity_source)
    complaint.severity, complaint.severity_rule, complaint.severity_basis = severity, rule, basis
    complaint.severity_source = source
    return before != (severity, rule.pk if rule else None, source)


def _grade_event(complaint: Complaint, actor, before: int, reason: str = "") -> None:
    events.record(
        complaint,
        EventKind.GRADED,
        actor=actor,
        data={
            "before": before,
            "after": complaint.severity,
            "source": complaint.severity_source,
            "rule": complaint.severity_rule_id,
            "basis": complaint.severity_basis,
        },
        reason=reason,
    )


def _replan(complaint: Complaint, actor) -> None:
    """Targets follow the grade and category; a complaint that became urgent alerts now."""
    if complaint.status in workflow.FINAL:
        return
    hooks.call("replanned", complaint, actor=actor)
    current = current_stage_task(complaint)
    due = _stage_due(complaint, complaint.status)
    if current is not None and due is not None and current.due_at != due:
        current.due_at = due
        current.save(update_fields=["due_at"])


def _stage_due(complaint: Complaint, stage: str) -> datetime | None:
    """When the subscribers (deadlines) say the stage's task is due, if any does."""
    dues = hooks.collect("stage_due", complaint, stage=stage)
    return dues[0] if dues else None


def _index(complaint: Complaint) -> None:
    parts = [getattr(complaint, f) for f in SEARCHED]
    for related in ("customer", "product", "batch"):
        obj = getattr(complaint, related)
        if obj is not None:
            parts.append(str(obj))
    ComplaintSearch.objects.update_or_create(
        complaint=complaint, defaults={"tokens": search.document_tokens(*parts)}
    )


def _department_for(stage: str, complaint: Complaint) -> Department:
    kind = workflow.STAGE_OWNER[stage]
    if kind is None:
        if complaint.responsible_department_id:
            return complaint.responsible_department
        kind = DepartmentKind.QUALITY
    candidates = Department.objects.filter(kind=kind, is_active=True)
    # Seed 001 routes by plant: a department of the complaint's site comes first.
    local = candidates.filter(site_id=complaint.site_id).first() if complaint.site_id else None
    department = local or candidates.filter(site__isnull=True).first() or candidates.first()
    if department is None:
        raise DomainError(
            _("No active department of kind “%(kind)s” to take this stage.")
            % {"kind": DepartmentKind(kind).label},
            code="no_department",
        )
    return department


def _open_stage_task(complaint: Complaint, stage: str, actor, assignee=None) -> StageTask:
    now = clock.now()
    department = _department_for(stage, complaint)
    if assignee is not None and assignee.department_id != department.pk:
        assignee = None
    hooks.call("stage_entered", complaint, stage=stage, actor=actor, at=now)
    return open_task(
        complaint,
        actor=actor,
        stage=stage,
        title=str(Status(stage).label),
        department=department,
        assignee=assignee,
        due_at=(
            _stage_due(complaint, stage) or now + workflow.stage_due(stage, complaint.severity)
        ),
        kind=TaskKind.STAGE,
    )


def open_task(
    complaint: Complaint,
    *,
    actor,
    stage: str,
    title: str,
    department: Department,
    assignee,
    due_at: datetime,
    kind: str = TaskKind.EXTRA,
) -> StageTask:
    """Create a task with its "task opened" event; the caller holds the complaint's lock."""
    task = StageTask.objects.create(
        complaint=complaint,
        stage=stage,
        title=title,
        department=department,
        assignee=assignee,
        kind=kind,
        opened_at=clock.now(),
        due_at=due_at,
    )
    events.record(
        complaint,
        EventKind.TASK_OPENED,
        actor=actor,
        data={
            "task": task.pk,
            "stage": stage,
            **({"stage_task": True} if kind == TaskKind.STAGE else {}),
            **({"kind": kind} if kind not in (TaskKind.STAGE, TaskKind.EXTRA) else {}),
            "title": title,
            "department": department.pk,
            "department_label": str(department),
            "assignee": assignee.pk if assignee else None,
            "assignee_label": str(assignee) if assignee else None,
            "due_at": due_at,
        },
    )
    return task


def current_stage_task(complaint: Complaint, stage: str | None = None) -> StageTask | None:
    """The open task of the complaint's stage (or of ``stage``), if there is one."""
    return (
        complaint.tasks.filter(
            kind=TaskKind.STAGE, status=TaskStatus.OPEN, stage=stage or complaint.status
        )
        .select_related("department", "assignee")
        .first()
    )


def facts(complaint: Complaint, stage_task: StageTask | None) -> workflow.Facts:
    """The guards' snapshot: the register's own facts plus what subscribers contribute
    (root cause, actions, major case), each read by the app that keeps it."""
    other_open = complaint.tasks.filter(status=TaskStatus.OPEN)
    if stage_task is not None:
        other_open = other_open.exclude(pk=stage_task.pk)
    return workflow.Facts(
        status=complaint.status,
        severity=complaint.severity,
        has_category=complaint.category_id is not None,
        other_open_tasks=other_open.count(),
        customer_answered=complaint.customer_answered_at is not None,
        verified=complaint.verified_at is not None,
        investigation_waived=complaint.investigation_waived_at is not None,
        **hooks.merged("gate_facts", complaint),
    )


def available_transitions(
    user, complaint: Complaint
) -> list[tuple[workflow.Transition, str | None]]:
    """Transitions this user may take on this complaint now, each with why it is blocked.

    A transition whose source or role does not fit is left out; one that fits but whose guard
    fails is listed with the guard's message, so the page can say what is missing.
    """
    stage_task = current_stage_task(complaint)
    snapshot = facts(complaint, stage_task)
    offered = []
    for t in workflow.TRANSITIONS:
        if complaint.status not in t.sources:
            continue
        if not access.may_take(user, t, complaint, stage_task):
            continue
        offered.append((t, t.refusal(snapshot)))
    return offered


# ---------------------------------------------------------------- services


def register_complaint(*, actor: User, data: dict[str, Any], files: Iterable = ()) -> Complaint:
    """Register a complaint from any channel; returns it numbered, graded and at intake."""
    if not access.can_register(actor):
        raise NotAllowed(_("You may not register complaints."))
    data = dict(data)
    data.setdefault("received_at", clock.now())
    explicit_repeat = data.pop("is_repeat", None)
    complaint = Complaint(received_by=actor)
    _apply_inputs(complaint, data)
    stored = [attachments.store(f) for f in files]
    try:
        with transaction.atomic():
            complaint.is_repeat = (
                bool(explicit_repeat) if explicit_repeat is not None else _is_repeat(complaint)
            )
            _apply_grade(complaint)
            complaint.number = _next_number()
            complaint.save()
            events.record(
                complaint,
                EventKind.REGISTERED,
                actor=actor,
                data={
                    "number": complaint.number,
                    "channel": complaint.channel,
                    "severity": complaint.severity,
                    "basis": complaint.severity_basis,
                    "is_repeat": complaint.is_repeat,
                },
            )
            for s in stored:
                _attach(complaint, actor, s)
            assignee = actor if actor.department_id else None
            _open_stage_task(complaint, Status.INTAKE, actor, assignee=assignee)
            hooks.call("registered", complaint, actor=actor)
            _index(complaint)
    except BaseException:
        for s in stored:
            attachments.discard(s)
        raise
    return complaint


def register_complaint_once(
    *, actor: User, data: dict[str, Any], key: str, request_hash: str
) -> tuple[Complaint, bool]:
    """Register, unless ``actor`` already sent ``key``: then return that complaint.

    The key is recorded in the same transaction as the complaint, so of two concurrent
    requests with one key exactly one registers; the other fails on the unique key, rolls its
    complaint back (the number with it) and answers with the winner's complaint.
    """

    def earlier() -> Complaint | None:
        record = IdempotencyRecord.objects.filter(user=actor, key=key).first()
        if record is None:
            return None
        if record.request_hash != request_hash:
            raise ValidationFailed(
                {
                    "Idempotency-Key": [
                        _(
                            "This Idempotency-Key was already used for a different request. "
                            "Send a new key for a new complaint."
                        )
                    ]
                }
            )
        return record.complaint

    if (complaint := earlier()) is not None:
        return complaint, False
    try:
        with transaction.atomic():
            complaint = register_complaint(actor=actor, data=data)
            IdempotencyRecord.objects.create(
                user=actor, key=key, request_hash=request_hash, complaint=complaint
            )
    except IntegrityError:
        if (complaint := earlier()) is None:
            raise
        return complaint, False
    return complaint, True


def update_complaint(
    *, actor: User, complaint_id, changes: dict[str, Any], expected_version=None, reason: str = ""
) -> Complaint:
    """Edit fields of an open complaint; a stale ``expected_version`` is a conflict."""
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.can_edit(actor, complaint):
            raise NotAllowed(_("You may not edit this complaint."))
        check_version(complaint, expected_version)
        snapshot = {f: getattr(complaint, f) for f in INPUT_FIELDS}
        labels = {f: _label(complaint, f) for f in INPUT_FIELDS if f.endswith("_id")}
        _apply_inputs(complaint, changes)
        changed = [f for f in INPUT_FIELDS if getattr(complaint, f) != snapshot[f]]
        if not changed:
            return complaint
        before_severity = complaint.severity
        regraded = bool(GRADING_INPUTS & set(changed)) and _apply_grade(complaint)
        bump(
            complaint,
            *changed,
            "model_number",
            "site",
            "warranty",
            "severity",
            "severity_rule",
            "severity_basis",
            "severity_source",
        )
        events.record(
            complaint,
            EventKind.EDITED,
            actor=actor,
            data={
                "changes": [
                    {
                        "field": f,
                        "before": _raw(snapshot[f]),
                        "after": _raw(getattr(complaint, f)),
                        **(
                            {"before_label": labels[f], "after_label": _label(complaint, f)}
                            if f in labels
                            else {}
                        ),
                    }
                    for f in changed
                ]
            },
            reason=reason,
        )
        if regraded:
            _grade_event(complaint, actor, before_severity)
        if regraded or {"category_id", "customer_id", "channel"} & set(changed):
            _replan(complaint, actor)
        _index(complaint)
    return complaint


def override_grade(
    *, actor: User, complaint_id, severity: int | None, reason: str = "", expected_version=None
) -> Complaint:
    """Set the grade by hand (a reason is required), or hand it back to the rules (None)."""
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.can_override_grade(actor, complaint):
            raise NotAllowed(_("You may not change the grade of this complaint."))
        check_version(complaint, expected_version)
        before = complaint.severity
        if severity is None:
            complaint.severity_source = SeveritySource.DEFAULT
            _apply_grade(complaint)
        else:
            if severity not in Severity.values:
                raise ValidationFailed({"severity": [_("Choose a valid severity.")]})
            if not (reason or "").strip():
                raise ValidationFailed({"reason": [_("Say why you override the grade.")]})
            complaint.severity = severity
            complaint.severity_source = SeveritySource.OVERRIDE
            complaint.severity_rule = None
            complaint.severity_basis = reason.strip()[:300]
        bump(complaint, "severity", "severity_source", "severity_rule", "severity_basis")
        _grade_event(complaint, actor, before, reason=(reason or "").strip())
        if complaint.severity != before:
            _replan(complaint, actor)
    return complaint


def transition_complaint(
    *,
    actor: User,
    complaint_id,
    name: str,
    reason: str = "",
    explanation: str = "",
    outcome: str = "",
    answer: str = "",
    expected_version=None,
    system: bool = False,
    password: str = "",
    meaning: str = "",
) -> Complaint:
    """Take the workflow transition ``name`` if the table allows it for ``actor`` now.

    ``system=True`` (with ``actor=None``) is the system acting on its own rules, e.g. a
    dissatisfied survey answer reopening a complaint; guards and inputs still apply."""
    transition = workflow.BY_NAME.get(name)
    if transition is None:
        raise DomainError(_("Unknown transition “%(name)s”.") % {"name": name}, field="transition")
    inputs = {"reason": reason, "explanation": explanation, "outcome": outcome, "answer": answer}
    inputs = {k: (v or "").strip() for k, v in inputs.items()}
    with transaction.atomic():
        complaint = lock(complaint_id)
        check_version(complaint, expected_version)
        stage_task = current_stage_task(complaint)
        if not system and not access.may_take(actor, transition, complaint, stage_task):
            raise NotAllowed(
                _("You may not take “%(t)s” on this complaint.") % {"t": transition.label}
            )
        refusal = transition.refusal(facts(complaint, stage_task))
        if refusal:
            raise TransitionRefused(refusal, field="transition")
        missing = {k: [_("This field is required.")] for k in transition.requires if not inputs[k]}
        if missing:
            raise ValidationFailed(missing)
        too_long = {
            k: [_("At most 10000 characters.")] for k, v in inputs.items() if len(v) > 10000
        }
        if too_long:
            raise ValidationFailed(too_long)
        if transition.signed and not system:
            signatures.check_signing(transition, actor, password, meaning)

        now = clock.now()
        source = complaint.status
        if stage_task is not None:
            stage_task.status = TaskStatus.DONE
            stage_task.completed_at = now
            stage_task.completed_by = actor
            stage_task.outcome = inputs["outcome"] or inputs["reason"] or inputs["answer"]
            stage_task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])

        changed = transition.field_changes(current=complaint, inputs=inputs, now=now)
        for field_name, value in changed.items():
            setattr(complaint, field_name, value)
        complaint.status = transition.target
        bump(complaint, "status", *changed)

        events.record(
            complaint,
            EventKind.TRANSITION,
            actor=actor,
            data={
                "transition": name,
                "from": source,
                "to": transition.target,
                "task": stage_task.pk if stage_task else None,
                **{k: v for k, v in inputs.items() if v and k != "reason"},
            },
            reason=inputs["reason"],
        )
        if transition.signed and not system:
            signature = signatures.sign(
                complaint, actor=actor, subject=name, meaning=meaning, inputs=inputs, at=now
            )
            events.record(
                complaint,
                EventKind.SIGNATURE,
                actor=actor,
                data={
                    "signature": signature.pk,
                    "subject": name,
                    "meaning": meaning,
                    "hash": signature.content_hash,
                },
            )
        hooks.call("stage_left", complaint, stage=source, transition=name, actor=actor, at=now)
        if transition.answers:
            hooks.call("answered", complaint, actor=actor, at=now, transition=name)
        if source in workflow.FINAL:
            hooks.call("reopened", complaint, actor=actor, at=now)
        if transition.target in workflow.FINAL:
            for task in complaint.tasks.filter(status=TaskStatus.OPEN):
                task.status = TaskStatus.CANCELLED
                task.completed_at = now
                task.completed_by = actor
                task.save(update_fields=["status", "completed_at", "completed_by"])
                events.record(
                    complaint,
                    EventKind.TASK_CANCELLED,
                    actor=actor,
                    data={"task": task.pk, "title": task.title},
                )
            hooks.call("finished", complaint, transition=name, actor=actor, at=now)
        else:
            _open_stage_task(complaint, transition.target, actor)
    return complaint


def record_customer_answer(
    *, actor: User, complaint_id, text: str, expected_version=None
) -> Complaint:
    """Record the answer (处理方案) given to the complainant."""
    text = (text or "").strip()
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.can_answer(actor, complaint):
            raise NotAllowed(_("You may not answer for this complaint."))
        check_version(complaint, expected_version)
        if not text:
            raise ValidationFailed({"text": [_("This field is required.")]})
        if len(text) > 10000:
            raise ValidationFailed({"text": [_("At most 10000 characters.")]})
        complaint.customer_answer = text
        complaint.customer_answered_at = clock.now()
        bump(complaint, "customer_answer", "customer_answered_at")
        events.record(complaint, EventKind.CUSTOMER_ANSWER, actor=actor, data={"text": text})
        hooks.call(
            "answered", complaint, actor=actor, at=complaint.customer_answered_at, transition=None
        )
    return complaint


def add_comment(*, actor: User, complaint_id, body: str) -> Complaint:
    body = (body or "").strip()
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.visible_complaints(actor).filter(pk=complaint.pk).exists() or not (
            access.can_comment(actor, complaint)
        ):
            raise NotAllowed(_("You may not comment on this complaint."))
        if not body:
            raise ValidationFailed({"body": [_("Write something first.")]})
        if len(body) > 10000:
            raise ValidationFailed({"body": [_("At most 10000 characters.")]})
        events.record(complaint, EventKind.COMMENT, actor=actor, data={"body": body})
        bump(complaint)
    return complaint


def _attach(complaint: Complaint, actor, stored: attachments.StoredFile) -> Attachment:
    attachment = Attachment.objects.create(
        complaint=complaint,
        original_name=stored.original_name,
        content_type=stored.content_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_name=stored.storage_name,
        uploaded_by=actor,
        uploaded_at=clock.now(),
    )
    events.record(
        complaint,
        EventKind.ATTACHMENT,
        actor=actor,
        data={
            "attachment": attachment.pk,
            "name": stored.original_name,
            "size": stored.size,
            "sha256": stored.sha256,
        },
    )
    return attachment


def add_attachment(*, actor: User, complaint_id, upload) -> Attachment:
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.visible_complaints(actor).filter(pk=complaint.pk).exists():
            raise NotAllowed(_("You may not add files to this complaint."))
    stored = attachments.store(upload)
    try:
        with transaction.atomic():
            complaint = lock(complaint_id)
            attachment = _attach(complaint, actor, stored)
            bump(complaint)
    except BaseException:
        attachments.discard(stored)
        raise
    return attachment


def assign_task(*, actor: User, task_id, assignee_id) -> StageTask:
    with transaction.atomic():
        task = StageTask.objects.select_related("department").filter(pk=task_id).first()
        if task is None:
            raise DomainError(_("No such task."), field="task", code="not_found")
        complaint = lock(task.complaint_id)
        task = StageTask.objects.select_for_update().get(pk=task_id)
        if not access.can_assign(actor, task):
            raise NotAllowed(_("You may not assign this task."))
        assignee = (
            User.objects.filter(pk=assignee_id, is_active=True).first() if assignee_id else None
        )
        if assignee_id and (assignee is None or assignee.department_id != task.department_id):
            raise ValidationFailed(
                {"assignee": [_("Choose an active member of %(d)s.") % {"d": task.department}]}
            )
        before = task.assignee
        task.assignee = assignee
        task.save(update_fields=["assignee"])
        events.record(
            complaint,
            EventKind.TASK_ASSIGNED,
            actor=actor,
            data={
                "task": task.pk,
                "title": task.title,
                "before": before.pk if before else None,
                "before_label": str(before) if before else None,
                "after": assignee.pk if assignee else None,
                "after_label": str(assignee) if assignee else None,
            },
        )
        bump(complaint)
    return task


def add_task(
    *, actor: User, complaint_id, department_id, title: str, due_at: datetime, assignee_id=None
) -> StageTask:
    """Ask another department for work on a complaint (e.g. production checks the line)."""
    title = (title or "").strip()
    with transaction.atomic():
        complaint = lock(complaint_id)
        if not access.can_add_task(actor, complaint):
            raise NotAllowed(_("You may not add tasks to this complaint."))
        errors: dict[str, list[str]] = {}
        department = Department.objects.filter(pk=department_id, is_active=True).first()
        if department is None:
            errors["department"] = [_("Unknown department.")]
        if not title:
            errors["title"] = [_("This field is required.")]
        elif len(title) > 200:
            errors["title"] = [_("At most 200 characters.")]
        if due_at is None or due_at <= clock.now():
            errors["due_at"] = [_("The due time must be in the future.")]
        assignee = None
        if assignee_id:
            assignee = User.objects.filter(pk=assignee_id, is_active=True).first()
            if assignee is None or (department and assignee.department_id != department.pk):
                errors["assignee"] = [_("Choose an active member of that department.")]
        if errors:
            raise ValidationFailed(errors)
        task = open_task(
            complaint,
            actor=actor,
            stage=complaint.status,
            title=title,
            department=department,
            assignee=assignee,
            due_at=due_at,
        )
        bump(complaint)
    return task


def complete_task(*, actor: User, task_id, outcome: str) -> StageTask:
    outcome = (outcome or "").strip()
    with transaction.atomic():
        task = StageTask.objects.filter(pk=task_id).first()
        if task is None:
            raise DomainError(_("No such task."), field="task", code="not_found")
        complaint = lock(task.complaint_id)
        task = StageTask.objects.select_for_update().get(pk=task_id)
        if not access.can_complete_task(actor, task):
            raise NotAllowed(_("You may not complete this task."))
        if not outcome:
            raise ValidationFailed({"outcome": [_("This field is required.")]})
        task.status = TaskStatus.DONE
        task.completed_at = clock.now()
        task.completed_by = actor
        task.outcome = outcome[:10000]
        task.save(update_fields=["status", "completed_at", "completed_by", "outcome"])
        events.record(
            complaint,
            EventKind.TASK_COMPLETED,
            actor=actor,
            data={"task": task.pk, "title": task.title, "outcome": task.outcome},
        )
        bump(complaint)
    return task


def mark_acknowledgement_sent(*, complaint_id) -> bool:
    """Note that the automatic acknowledgement went out; False if it already had."""
    with transaction.atomic():
        complaint = lock(complaint_id)
        if complaint.acknowledgement_sent_at:
            return False
        complaint.acknowledgement_sent_at = clock.now()
        bump(complaint, "acknowledgement_sent_at")
        hooks.call("acknowledged", complaint, at=complaint.acknowledgement_sent_at)
        events.record(
            complaint,
            EventKind.ACKNOWLEDGEMENT_SENT,
            actor=None,
            data={"to": complaint.complainant_email},
        )
    return True
