"""Everything that writes an investigation. Views and the API call these, nothing else.

Each service runs in one transaction with the complaint row locked, writes its event on the
complaint's timeline (INVESTIGATION for tests, returns and containment; ROOT_CAUSE for 5-Why,
fishbone and the root cause) and bumps the complaint's version. Nothing is deleted: removed
fishbone causes and replaced 5-Why steps stay, marked, and the timeline keeps every version.
"""

from collections.abc import Iterable
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from qualityloop.accounts.models import Department, User
from qualityloop.catalog.models import Supplier
from qualityloop.complaints import attachments, changes
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed

from . import access
from .choices import ContainmentScope, Disposition, FishboneCategory, WhyKind
from .models import (
    QUANTITY_MAX,
    RMA_MAX,
    SHORT_MAX,
    STATEMENT_MAX,
    TEXT_MAX,
    CauseCode,
    Containment,
    FishboneCause,
    InspectionEvidence,
    InspectionRecord,
    ReturnedProduct,
    RootCause,
    WhyChain,
    WhyStep,
)

CLOCK_SKEW = timedelta(minutes=5)
MAX_STEPS = 10
MAX_FILES = 20


# ---------------------------------------------------------------- helpers


def _not_found() -> DomainError:
    return DomainError(_("No such complaint."), field="complaint", code="not_found")


def _check_writable(actor, complaint: Complaint) -> bool:
    """True if ``actor`` may write the investigation; else says why (hidden is missing)."""
    if not access.can_read(actor, complaint):
        raise _not_found()
    if not access.can_write(actor, complaint):
        if not complaint.is_open:
            raise NotAllowed(_("This complaint is closed; its investigation can no longer change."))
        raise NotAllowed(_("You may not change the investigation of this complaint."))
    return True


def _record(complaint: Complaint, kind: str, *, actor, data: dict) -> None:
    changes.record(complaint, kind, actor=actor, data=data)


def _clean_text(
    value, field: str, errors: dict, *, limit: int, required: bool = True, one_line=False
) -> str:
    text = (value or "").strip()
    if one_line:
        text = " ".join(text.split())
    if required and not text:
        errors.setdefault(field, []).append(_("This field is required."))
    elif len(text) > limit:
        errors.setdefault(field, []).append(_("At most %(n)d characters.") % {"n": limit})
    elif "\x00" in text:
        errors.setdefault(field, []).append(_("Text cannot contain NUL characters."))
    return text


def _clean_quantity(value, field: str, errors: dict, *, minimum: int = 0):
    if value is None or value == "":
        errors.setdefault(field, []).append(_("This field is required."))
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors.setdefault(field, []).append(_("Enter a whole number."))
        return None
    if number < minimum:
        errors.setdefault(field, []).append(_("Enter a value of at least %(n)s.") % {"n": minimum})
    elif number > QUANTITY_MAX:
        errors.setdefault(field, []).append(
            _("Enter a value of at most %(n)s.") % {"n": QUANTITY_MAX}
        )
    return number


def _not_future(moment, field: str, errors: dict) -> None:
    if moment is not None and moment > clock.now() + CLOCK_SKEW:
        errors.setdefault(field, []).append(_("This time cannot be in the future."))


def _choice(value, choices, field: str, errors: dict):
    if value not in choices.values:
        errors.setdefault(field, []).append(_("Choose a valid option."))
        return None
    return value


def _cause_code(cause_code_id, field: str, errors: dict) -> CauseCode | None:
    if cause_code_id in (None, ""):
        return None
    try:
        code = CauseCode.objects.filter(pk=cause_code_id, is_active=True).first()
    except (TypeError, ValueError):
        code = None
    if code is None:
        errors.setdefault(field, []).append(_("Choose an active cause code."))
    return code


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationFailed(errors)


def _label(obj) -> str | None:
    return str(obj) if obj is not None else None


def _code(code: CauseCode | None) -> str | None:
    return code.code if code is not None else None


# ---------------------------------------------------------------- inspections and tests


def add_inspection(
    *,
    actor: User,
    complaint_id,
    checked: str,
    result: str,
    method: str = "",
    conforming: bool | None = None,
    performed_at=None,
    performed_by_id=None,
    files: Iterable = (),
) -> InspectionRecord:
    """Record a check or test on the complained product, with its evidence files."""
    with transaction.atomic():
        changes.lock(complaint_id, actor=actor, may=_check_writable)
    errors: dict[str, list[str]] = {}
    checked = _clean_text(checked, "checked", errors, limit=SHORT_MAX, one_line=True)
    method = _clean_text(method, "method", errors, limit=SHORT_MAX, required=False, one_line=True)
    result = _clean_text(result, "result", errors, limit=TEXT_MAX)
    if conforming not in (True, False, None):
        errors.setdefault("conforming", []).append(_("Choose yes, no or not judged."))
    _not_future(performed_at, "performed_at", errors)
    performer = actor
    if performed_by_id not in (None, ""):
        try:
            performer = User.objects.filter(pk=performed_by_id, is_active=True).first()
        except (TypeError, ValueError):
            performer = None
        if performer is None:
            errors.setdefault("performed_by", []).append(_("Choose an active user."))
    files = list(files or ())
    if len(files) > MAX_FILES:
        errors.setdefault("files", []).append(_("At most %(n)d files at once.") % {"n": MAX_FILES})
    _raise(errors)

    stored: list[attachments.StoredFile] = []
    try:
        for upload in files:
            stored.append(attachments.store(upload))
    except DomainError as exc:
        for s in stored:
            attachments.discard(s)
        raise ValidationFailed({"files": [str(exc.message)]}) from exc
    try:
        with transaction.atomic():
            complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
            now = clock.now()
            record = InspectionRecord.objects.create(
                complaint=complaint,
                checked=checked,
                method=method,
                result=result,
                conforming=conforming,
                performed_by=performer,
                performed_at=performed_at or now,
            )
            for s in stored:
                InspectionEvidence.objects.create(
                    inspection=record,
                    original_name=s.original_name,
                    content_type=s.content_type,
                    size=s.size,
                    sha256=s.sha256,
                    storage_name=s.storage_name,
                    uploaded_by=actor,
                    uploaded_at=now,
                )
            _record(
                complaint,
                EventKind.INVESTIGATION,
                actor=actor,
                data={
                    "record": "inspection",
                    "action": "added",
                    "inspection": record.pk,
                    "checked": checked,
                    "method": method,
                    "result": result,
                    "conforming": conforming,
                    "performed_by": performer.pk,
                    "performed_by_label": str(performer),
                    "performed_at": record.performed_at,
                    "files": [
                        {"name": s.original_name, "size": s.size, "sha256": s.sha256}
                        for s in stored
                    ],
                },
            )
    except BaseException:
        for s in stored:
            attachments.discard(s)
        raise
    return record


# ---------------------------------------------------------------- returned products (RMA)

RMA_FIELDS = ("quantity", "received_at", "analysed_at", "findings", "disposition")


def _check_rma(values: dict, errors: dict) -> None:
    """Rules that hold for a returned product however it was entered or changed."""
    received, analysed = values.get("received_at"), values.get("analysed_at")
    _not_future(received, "received_at", errors)
    _not_future(analysed, "analysed_at", errors)
    if analysed and not received:
        errors.setdefault("analysed_at", []).append(
            _("Record when the product was received before its analysis.")
        )
    elif analysed and received and analysed < received:
        errors.setdefault("analysed_at", []).append(
            _("The analysis cannot be before the product was received.")
        )
    if values.get("disposition") not in (None, Disposition.PENDING) and not values.get("findings"):
        errors.setdefault("findings", []).append(
            _("Record the findings before deciding the disposition.")
        )


def _rma_taken(rma_number: str) -> ValidationFailed:
    return ValidationFailed(
        {
            "rma_number": [
                _("RMA number %(rma)s is already in use.") % {"rma": rma_number},
            ]
        }
    )


def add_returned_product(
    *,
    actor: User,
    complaint_id,
    rma_number: str,
    quantity,
    received_at=None,
    analysed_at=None,
    findings: str = "",
    disposition: str = Disposition.PENDING,
) -> ReturnedProduct:
    """Register product the customer returned under an RMA number."""
    try:
        with transaction.atomic():
            complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
            errors: dict[str, list[str]] = {}
            rma_number = _clean_text(rma_number, "rma_number", errors, limit=RMA_MAX, one_line=True)
            quantity = _clean_quantity(quantity, "quantity", errors, minimum=1)
            findings = _clean_text(findings, "findings", errors, limit=TEXT_MAX, required=False)
            disposition = _choice(disposition, Disposition, "disposition", errors)
            values = {
                "received_at": received_at,
                "analysed_at": analysed_at,
                "findings": findings,
                "disposition": disposition,
            }
            _check_rma(values, errors)
            if (
                rma_number
                and ReturnedProduct.objects.filter(rma_number__iexact=rma_number).exists()
            ):
                errors.setdefault("rma_number", []).append(
                    _("RMA number %(rma)s is already in use.") % {"rma": rma_number}
                )
            _raise(errors)
            returned = ReturnedProduct.objects.create(
                complaint=complaint,
                rma_number=rma_number,
                quantity=quantity,
                created_by=actor,
                created_at=clock.now(),
                **values,
            )
            _record(
                complaint,
                EventKind.INVESTIGATION,
                actor=actor,
                data={
                    "record": "returned_product",
                    "action": "added",
                    "returned_product": returned.pk,
                    "rma_number": rma_number,
                    "quantity": quantity,
                    **values,
                },
            )
    except IntegrityError:
        # Two requests with one RMA number: the unique index let exactly one through.
        raise _rma_taken(rma_number) from None
    return returned


def update_returned_product(*, actor: User, returned_product_id, data: dict) -> ReturnedProduct:
    """Change what is known about a returned product: receipt, analysis, findings,
    disposition, quantity. ``data`` holds only the fields that change."""
    unknown = set(data) - set(RMA_FIELDS)
    if unknown:
        raise ValidationFailed({k: [_("This field cannot be set.")] for k in sorted(unknown)})
    with transaction.atomic():
        try:
            returned = ReturnedProduct.objects.filter(pk=returned_product_id).first()
        except (TypeError, ValueError):
            returned = None
        if returned is None:
            raise DomainError(
                _("No such returned product."), field="returned_product", code="not_found"
            )
        complaint = changes.lock(returned.complaint_id, actor=actor, may=_check_writable)
        returned = ReturnedProduct.objects.select_for_update().get(pk=returned.pk)
        errors: dict[str, list[str]] = {}
        values = {name: getattr(returned, name) for name in RMA_FIELDS}
        if "quantity" in data:
            values["quantity"] = _clean_quantity(data["quantity"], "quantity", errors, minimum=1)
        if "findings" in data:
            values["findings"] = _clean_text(
                data["findings"], "findings", errors, limit=TEXT_MAX, required=False
            )
        if "disposition" in data:
            values["disposition"] = _choice(data["disposition"], Disposition, "disposition", errors)
        for name in ("received_at", "analysed_at"):
            if name in data:
                values[name] = data[name]
        _check_rma(values, errors)
        _raise(errors)
        changed = [
            {"field": name, "before": getattr(returned, name), "after": values[name]}
            for name in RMA_FIELDS
            if getattr(returned, name) != values[name]
        ]
        if not changed:
            return returned
        for name in RMA_FIELDS:
            setattr(returned, name, values[name])
        returned.save(update_fields=[c["field"] for c in changed])
        _record(
            complaint,
            EventKind.INVESTIGATION,
            actor=actor,
            data={
                "record": "returned_product",
                "action": "changed",
                "returned_product": returned.pk,
                "rma_number": returned.rma_number,
                "changes": changed,
            },
        )
    return returned


# ---------------------------------------------------------------- containment


def add_containment(
    *,
    actor: User,
    complaint_id,
    scope: str,
    action: str,
    quantity_checked=0,
    quantity_nonconforming=0,
) -> Containment:
    """Record suspect product held and sorted at the customer, in transit, in stock or in
    production."""
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
        errors: dict[str, list[str]] = {}
        scope = _choice(scope, ContainmentScope, "scope", errors)
        action = _clean_text(action, "action", errors, limit=TEXT_MAX)
        checked = _clean_quantity(quantity_checked, "quantity_checked", errors)
        bad = _clean_quantity(quantity_nonconforming, "quantity_nonconforming", errors)
        quantities_valid = not {"quantity_checked", "quantity_nonconforming"} & set(errors)
        if quantities_valid and bad > checked:
            errors["quantity_nonconforming"] = [
                _("More nonconforming than checked: at most %(n)d.") % {"n": checked}
            ]
        _raise(errors)
        containment = Containment.objects.create(
            complaint=complaint,
            scope=scope,
            action=action,
            quantity_checked=checked,
            quantity_nonconforming=bad,
            created_by=actor,
            created_at=clock.now(),
        )
        _record(
            complaint,
            EventKind.INVESTIGATION,
            actor=actor,
            data={
                "record": "containment",
                "action": "added",
                "containment": containment.pk,
                "scope": scope,
                "text": action,
                "quantity_checked": checked,
                "quantity_nonconforming": bad,
            },
        )
    return containment


def verify_containment(*, actor: User, containment_id) -> Containment:
    """Confirm that a containment action was carried out and holds."""
    with transaction.atomic():
        try:
            containment = Containment.objects.filter(pk=containment_id).first()
        except (TypeError, ValueError):
            containment = None
        if containment is None:
            raise DomainError(_("No such containment."), field="containment", code="not_found")
        complaint = changes.lock(containment.complaint_id, actor=actor, may=_check_writable)
        containment = Containment.objects.select_for_update().get(pk=containment.pk)
        if containment.verified_at is not None:
            raise DomainError(
                _("This containment was already verified by %(who)s.")
                % {"who": containment.verified_by},
                field="containment",
                code="already_verified",
            )
        containment.verified_by = actor
        containment.verified_at = clock.now()
        containment.save(update_fields=["verified_by", "verified_at"])
        _record(
            complaint,
            EventKind.INVESTIGATION,
            actor=actor,
            data={
                "record": "containment",
                "action": "verified",
                "containment": containment.pk,
                "scope": containment.scope,
                "text": containment.action,
                "verified_at": containment.verified_at,
            },
        )
    return containment


# ---------------------------------------------------------------- 5-Why


def _clean_steps(steps, errors: dict) -> list[dict]:
    """Steps as [{"why", "because", "cause_code"}]; errors on "steps" or "steps.<i>.<field>"."""
    steps = list(steps or ())
    if not steps:
        errors.setdefault("steps", []).append(_("Give at least one “why? because”."))
        return []
    if len(steps) > MAX_STEPS:
        errors.setdefault("steps", []).append(_("At most %(n)d steps.") % {"n": MAX_STEPS})
        return []
    cleaned = []
    for i, step in enumerate(steps):
        step = dict(step)
        why = _clean_text(
            step.get("why"), f"steps.{i}.why", errors, limit=SHORT_MAX * 2, required=False
        )
        because = _clean_text(step.get("because"), f"steps.{i}.because", errors, limit=TEXT_MAX)
        code_id = step.get("cause_code", step.get("cause_code_id"))
        code = _cause_code(code_id, f"steps.{i}.cause_code", errors)
        cleaned.append({"why": why, "because": because, "cause_code": code})
    return cleaned


def _create_steps(chain: WhyChain, steps: list[dict]) -> None:
    WhyStep.objects.bulk_create(
        WhyStep(
            chain=chain,
            position=n,
            why=s["why"],
            because=s["because"],
            cause_code=s["cause_code"],
            revision=chain.revision,
        )
        for n, s in enumerate(steps, start=1)
    )


def _steps_data(steps) -> list[dict]:
    return [
        {"why": s["why"], "because": s["because"], "cause_code": _code(s["cause_code"])}
        for s in steps
    ]


def add_why_chain(
    *, actor: User, complaint_id, kind: str, problem: str, steps: Iterable[dict]
) -> WhyChain:
    """Record a 5-Why chain: why the problem occurred, or why it escaped to the customer."""
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
        errors: dict[str, list[str]] = {}
        kind = _choice(kind, WhyKind, "kind", errors)
        problem = _clean_text(problem, "problem", errors, limit=TEXT_MAX)
        steps = _clean_steps(steps, errors)
        _raise(errors)
        chain = WhyChain.objects.create(
            complaint=complaint,
            kind=kind,
            problem=problem,
            created_by=actor,
            created_at=clock.now(),
        )
        _create_steps(chain, steps)
        _record(
            complaint,
            EventKind.ROOT_CAUSE,
            actor=actor,
            data={
                "record": "why_chain",
                "action": "added",
                "why_chain": chain.pk,
                "kind": kind,
                "problem": problem,
                "steps": _steps_data(steps),
            },
        )
    return chain


def update_why_chain(
    *, actor: User, why_chain_id, steps: Iterable[dict], problem: str | None = None
) -> WhyChain:
    """Replace the steps (and, if given, the problem) of a chain. The earlier steps stay,
    marked replaced; the timeline shows both versions."""
    with transaction.atomic():
        try:
            chain = WhyChain.objects.filter(pk=why_chain_id).first()
        except (TypeError, ValueError):
            chain = None
        if chain is None:
            raise DomainError(_("No such 5-Why chain."), field="why_chain", code="not_found")
        complaint = changes.lock(chain.complaint_id, actor=actor, may=_check_writable)
        chain = WhyChain.objects.select_for_update().get(pk=chain.pk)
        errors: dict[str, list[str]] = {}
        new_problem = (
            chain.problem
            if problem is None
            else _clean_text(problem, "problem", errors, limit=TEXT_MAX)
        )
        steps = _clean_steps(steps, errors)
        _raise(errors)
        old = list(chain.steps.filter(replaced_at__isnull=True).select_related("cause_code"))
        before = [
            {"why": s.why, "because": s.because, "cause_code": _code(s.cause_code)} for s in old
        ]
        after = _steps_data(steps)
        if before == after and new_problem == chain.problem:
            return chain
        now = clock.now()
        chain.steps.filter(replaced_at__isnull=True).update(replaced_at=now)
        before_problem = chain.problem
        chain.problem = new_problem
        chain.revision += 1
        chain.save(update_fields=["problem", "revision"])
        _create_steps(chain, steps)
        data = {
            "record": "why_chain",
            "action": "changed",
            "why_chain": chain.pk,
            "kind": chain.kind,
            "problem": new_problem,
            "steps": after,
            "before_steps": before,
        }
        if before_problem != new_problem:
            data["before_problem"] = before_problem
        _record(complaint, EventKind.ROOT_CAUSE, actor=actor, data=data)
    return chain


# ---------------------------------------------------------------- fishbone


def _fishbone_cause(cause_id) -> FishboneCause:
    try:
        cause = FishboneCause.objects.filter(pk=cause_id).first()
    except (TypeError, ValueError):
        cause = None
    if cause is None:
        raise DomainError(_("No such cause."), field="fishbone_cause", code="not_found")
    return cause


def _cause_data(cause: FishboneCause) -> dict:
    return {
        "record": "fishbone_cause",
        "fishbone_cause": cause.pk,
        "category": cause.category,
        "text": cause.text,
        "parent": cause.parent_id,
        "cause_code": _code(cause.cause_code),
        "is_root": cause.is_root,
    }


def add_fishbone_cause(
    *,
    actor: User,
    complaint_id,
    category: str | None,
    text: str,
    parent_id=None,
    cause_code_id=None,
    is_root: bool = False,
) -> FishboneCause:
    """Put a cause on a bone of the fishbone, or a sub-cause under a cause."""
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
        errors: dict[str, list[str]] = {}
        text = _clean_text(text, "text", errors, limit=SHORT_MAX, one_line=True)
        code = _cause_code(cause_code_id, "cause_code", errors)
        parent = None
        if parent_id not in (None, ""):
            try:
                parent = FishboneCause.objects.filter(
                    pk=parent_id, complaint=complaint, removed_at__isnull=True
                ).first()
            except (TypeError, ValueError):
                parent = None
            if parent is None:
                errors.setdefault("parent", []).append(_("Choose a cause of this fishbone."))
            elif parent.parent_id is not None:
                errors.setdefault("parent", []).append(
                    _("A sub-cause cannot have sub-causes of its own; choose a main cause.")
                )
        if parent is not None and "parent" not in errors:
            if category in (None, ""):
                category = parent.category
            elif category != parent.category:
                errors.setdefault("parent", []).append(
                    _("A sub-cause sits on the bone of its cause (%(bone)s).")
                    % {"bone": FishboneCategory(parent.category).label}
                )
        # A sub-cause takes its cause's bone; a wrong cause is reported on "parent" already.
        if not (category in (None, "") and parent_id not in (None, "")):
            category = _choice(category, FishboneCategory, "category", errors)
        _raise(errors)
        cause = FishboneCause.objects.create(
            complaint=complaint,
            category=category,
            text=text,
            parent=parent,
            cause_code=code,
            is_root=bool(is_root),
            created_by=actor,
            created_at=clock.now(),
        )
        _record(
            complaint,
            EventKind.ROOT_CAUSE,
            actor=actor,
            data={**_cause_data(cause), "action": "added"},
        )
    return cause


def remove_fishbone_cause(*, actor: User, fishbone_cause_id) -> FishboneCause:
    """Take a cause (and its sub-causes) off the fishbone. They stay on record, marked removed."""
    with transaction.atomic():
        cause = _fishbone_cause(fishbone_cause_id)
        complaint = changes.lock(cause.complaint_id, actor=actor, may=_check_writable)
        cause = (
            FishboneCause.objects.select_for_update(of=("self",))
            .select_related("cause_code")
            .get(pk=cause.pk)
        )
        if cause.removed_at is not None:
            raise DomainError(
                _("This cause was already removed."), field="fishbone_cause", code="removed"
            )
        now = clock.now()
        children = list(cause.children.filter(removed_at__isnull=True).values_list("pk", flat=True))
        FishboneCause.objects.filter(pk__in=[cause.pk, *children]).update(
            removed_at=now, removed_by=actor
        )
        cause.removed_at, cause.removed_by = now, actor
        _record(
            complaint,
            EventKind.ROOT_CAUSE,
            actor=actor,
            data={**_cause_data(cause), "action": "removed", "removed_sub_causes": children},
        )
    return cause


def set_fishbone_root(*, actor: User, fishbone_cause_id, is_root: bool) -> FishboneCause:
    """Mark a cause on the fishbone as a root cause, or take the mark away."""
    with transaction.atomic():
        cause = _fishbone_cause(fishbone_cause_id)
        complaint = changes.lock(cause.complaint_id, actor=actor, may=_check_writable)
        cause = (
            FishboneCause.objects.select_for_update(of=("self",))
            .select_related("cause_code")
            .get(pk=cause.pk)
        )
        if cause.removed_at is not None:
            raise DomainError(_("This cause was removed."), field="fishbone_cause", code="removed")
        if cause.is_root == bool(is_root):
            return cause
        cause.is_root = bool(is_root)
        cause.save(update_fields=["is_root"])
        _record(
            complaint,
            EventKind.ROOT_CAUSE,
            actor=actor,
            data={**_cause_data(cause), "action": "marked" if is_root else "unmarked"},
        )
    return cause


# ---------------------------------------------------------------- root cause


def _root_values(root: RootCause | None) -> dict | None:
    if root is None:
        return None
    return {
        "statement": root.statement,
        "cause_code": _code(root.cause_code),
        "cause_code_label": _label(root.cause_code),
        "responsible_department": root.responsible_department_id,
        "responsible_department_label": _label(root.responsible_department),
        "responsible_supplier": root.responsible_supplier_id,
        "responsible_supplier_label": _label(root.responsible_supplier),
    }


def set_root_cause(
    *,
    actor: User,
    complaint_id,
    statement: str,
    cause_code_id=None,
    responsible_department_id=None,
    responsible_supplier_id=None,
) -> RootCause:
    """Decide (or revise) the complaint's root cause and who is responsible: a department,
    a supplier, or both."""
    with transaction.atomic():
        complaint = changes.lock(complaint_id, actor=actor, may=_check_writable)
        errors: dict[str, list[str]] = {}
        statement = _clean_text(statement, "statement", errors, limit=STATEMENT_MAX)
        code = _cause_code(cause_code_id, "cause_code", errors)
        department = supplier = None
        if responsible_department_id not in (None, ""):
            try:
                department = Department.objects.filter(
                    pk=responsible_department_id, is_active=True
                ).first()
            except (TypeError, ValueError):
                department = None
            if department is None:
                errors.setdefault("responsible_department", []).append(
                    _("Choose an active department.")
                )
        if responsible_supplier_id not in (None, ""):
            try:
                supplier = Supplier.objects.filter(
                    pk=responsible_supplier_id, is_active=True
                ).first()
            except (TypeError, ValueError):
                supplier = None
            if supplier is None:
                errors.setdefault("responsible_supplier", []).append(
                    _("Choose an active supplier.")
                )
        if (
            department is None
            and supplier is None
            and "responsible_department" not in errors
            and "responsible_supplier" not in errors
        ):
            errors["responsible_department"] = [
                _("Name who is responsible: a department, a supplier, or both.")
            ]
        _raise(errors)
        root = (
            RootCause.objects.select_for_update(of=("self",))
            .select_related("cause_code", "responsible_department", "responsible_supplier")
            .filter(complaint=complaint)
            .first()
        )
        before = _root_values(root)
        if root is None:
            root = RootCause(complaint=complaint)
        root.statement = statement
        root.cause_code = code
        root.responsible_department = department
        root.responsible_supplier = supplier
        after = _root_values(root)
        if before == after:
            return root
        root.decided_by = actor
        root.decided_at = clock.now()
        root.save()
        _record(
            complaint,
            EventKind.ROOT_CAUSE,
            actor=actor,
            data={
                "record": "root_cause",
                "action": "changed" if before else "added",
                **after,
                "before": before,
            },
        )
    return root
