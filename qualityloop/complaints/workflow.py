"""The complaint life cycle, declared once.

States are the eight stages of the loop plus the two ends (closed, rejected). Every way from one
state to another is a row of ``TRANSITIONS``: where it may start, where it goes, who may take it,
what the user must say, and the guards that must hold. Pure data and pure functions: no I/O, so
the table can be tested exhaustively and drawn as a diagram (``qualityloop workflow-diagram``).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _

from qualityloop.accounts.choices import DepartmentKind, Role

from .choices import Severity


class Status(models.TextChoices):
    INTAKE = "intake", _("Intake and registration")
    CLASSIFICATION = "classification", _("Classification and grading")
    DIAGNOSIS = "diagnosis", _("Preliminary diagnosis")
    ROOT_CAUSE = "root_cause", _("Root-cause analysis")
    CAPA_PLANNING = "capa_planning", _("CAPA planning")
    EXECUTION = "execution", _("Execution")
    VERIFICATION = "verification", _("Verification")
    KNOWLEDGE = "knowledge", _("Lessons learned")
    CLOSED = "closed", _("Closed")
    REJECTED = "rejected", _("Rejected")


STAGES = (
    Status.INTAKE,
    Status.CLASSIFICATION,
    Status.DIAGNOSIS,
    Status.ROOT_CAUSE,
    Status.CAPA_PLANNING,
    Status.EXECUTION,
    Status.VERIFICATION,
    Status.KNOWLEDGE,
)
FINAL = frozenset({Status.CLOSED, Status.REJECTED})
STAGE_NUMBER = {stage: n for n, stage in enumerate(STAGES, start=1)}

STATUS_COLOURS = {
    Status.INTAKE: "grey",
    Status.CLASSIFICATION: "grey",
    Status.DIAGNOSIS: "blue",
    Status.ROOT_CAUSE: "blue",
    Status.CAPA_PLANNING: "purple",
    Status.EXECUTION: "purple",
    Status.VERIFICATION: "orange",
    Status.KNOWLEDGE: "orange",
    Status.CLOSED: "green",
    Status.REJECTED: "dark",
}

# Which kind of department owns each stage. ``None`` means "the responsible department,
# or quality until one is named".
STAGE_OWNER: dict[str, str | None] = {
    Status.INTAKE: DepartmentKind.CUSTOMER_SERVICE,
    Status.CLASSIFICATION: DepartmentKind.CUSTOMER_SERVICE,
    Status.DIAGNOSIS: DepartmentKind.TECHNICAL_SUPPORT,
    Status.ROOT_CAUSE: DepartmentKind.QUALITY,
    Status.CAPA_PLANNING: None,
    Status.EXECUTION: None,
    Status.VERIFICATION: DepartmentKind.QUALITY,
    Status.KNOWLEDGE: DepartmentKind.QUALITY,
}

# Plain calendar-day limits per stage and severity (critical, major, minor), from the
# process table of PRODUCT.md. Working-time calendars replace these in the SLA module.
STAGE_DUE = {
    Status.INTAKE: (timedelta(hours=4), timedelta(hours=24), timedelta(hours=24)),
    Status.CLASSIFICATION: (timedelta(hours=8), timedelta(days=1), timedelta(days=1)),
    Status.DIAGNOSIS: (timedelta(days=1), timedelta(days=2), timedelta(days=3)),
    Status.ROOT_CAUSE: (timedelta(days=3), timedelta(days=7), timedelta(days=7)),
    Status.CAPA_PLANNING: (timedelta(days=7), timedelta(days=14), timedelta(days=14)),
    Status.EXECUTION: (timedelta(days=14), timedelta(days=21), timedelta(days=30)),
    Status.VERIFICATION: (timedelta(days=7), timedelta(days=14), timedelta(days=14)),
    Status.KNOWLEDGE: (timedelta(days=3), timedelta(days=7), timedelta(days=7)),
}


def stage_due(stage: str, severity: int) -> timedelta:
    critical, major, minor = STAGE_DUE[stage]
    return {Severity.CRITICAL: critical, Severity.MAJOR: major}.get(severity, minor)


@dataclass(frozen=True)
class Facts:
    """What the guards may look at: a snapshot the service takes under the row lock."""

    status: str
    severity: int
    has_category: bool
    other_open_tasks: int
    customer_answered: bool
    verified: bool
    major_case_unplanned: bool = False
    investigation_waived: bool = False
    has_root_cause: bool = True
    corrective_actions: int = 1
    open_actions: int = 0
    unverified_actions: int = 0


Guard = Callable[[Facts], str | None]


def _minor_only(f: Facts) -> str | None:
    if f.severity != Severity.MINOR:
        return _("Only minor (一般) complaints can be closed at first contact.")
    return None


def _categorised(f: Facts) -> str | None:
    return None if f.has_category else _("Choose a category first.")


def _no_other_open_tasks(f: Facts) -> str | None:
    if f.other_open_tasks:
        return _("%(n)d task(s) are still open; complete or cancel them first.") % {
            "n": f.other_open_tasks
        }
    return None


def _answered(f: Facts) -> str | None:
    return None if f.customer_answered else _("Record the answer to the complainant first.")


def _verified_if_serious(f: Facts) -> str | None:
    serious = f.severity in (Severity.CRITICAL, Severity.MAJOR)
    if serious and not f.verified and not f.investigation_waived:
        return _("Critical and major complaints must pass verification before closing.")
    return None


def _rectification_reported(f: Facts) -> str | None:
    if f.major_case_unplanned:
        return _("This is a major quality case: report its rectification plan to management first.")
    return None


def _root_cause_and_corrective_action(f: Facts) -> str | None:
    missing = []
    if not f.has_root_cause:
        missing.append(_("the root cause with its responsibility"))
    if not f.corrective_actions:
        missing.append(_("at least one corrective action"))
    if missing:
        what = str(_(" and ")).join(str(m) for m in missing)
        return _("Record %(what)s before the plan is agreed.") % {"what": what}
    return None


def _actions_finished(f: Facts) -> str | None:
    if f.open_actions:
        return _("%(n)d action(s) are still open.") % {"n": f.open_actions}
    if f.severity in (Severity.CRITICAL, Severity.MAJOR) and f.unverified_actions:
        return _("%(n)d action(s) are done but their effect is not verified yet.") % {
            "n": f.unverified_actions
        }
    return None


def _not_critical(f: Facts) -> str | None:
    if f.severity == Severity.CRITICAL:
        return _("A critical (紧急) complaint always needs a root-cause investigation.")
    return None


class Meaning:
    """What an electronic signature means (21 CFR 11 style): stated by the signer."""

    REVIEWED = "reviewed"
    APPROVED = "approved"
    VERIFIED = "verified"
    CLOSED = "closed"
    REOPENED = "reopened"


MEANING_LABELS = {
    Meaning.REVIEWED: _("Reviewed"),
    Meaning.APPROVED: _("Approved"),
    Meaning.VERIFIED: _("Verified"),
    Meaning.CLOSED: _("Closed"),
    Meaning.REOPENED: _("Reopened"),
}


# Role sets. STAGE_OWNER_ROLE stands for "a member or head of the department that owns the
# open task of the current stage"; access.py resolves it against the user.
STAGE_OWNER_ROLE = "stage_owner"
FRONT = frozenset({Role.CUSTOMER_SERVICE, Role.QUALITY_ENGINEER})
QUALITY = frozenset({Role.QUALITY_ENGINEER})
QUALITY_OR_OWNER = frozenset({Role.QUALITY_ENGINEER, STAGE_OWNER_ROLE})


class Now:
    """A field a transition sets to the moment it is taken."""


class Input:
    """A field a transition sets to what the user gave for ``name``."""

    def __init__(self, name: str):
        self.name = name


class Increment:
    """A counter a transition adds one to."""


NOW, INCREMENT = Now(), Increment()


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    # Inputs the user must give: "reason", "explanation" (to the complainant),
    # "outcome" (what the stage produced), "answer" (to the complainant).
    requires: tuple[str, ...] = ()
    guards: tuple[Guard, ...] = field(default=())
    style: str = "primary"
    # Signed: the user re-enters the password and states what the signature means.
    meanings: tuple[str, ...] = ()
    # What taking it sets on the complaint, besides the status: field -> NOW, INCREMENT,
    # Input(name) or a plain value. Ending in a final state also sets ``closed_at``.
    sets: tuple[tuple[str, object], ...] = ()

    @property
    def signed(self) -> bool:
        return bool(self.meanings)

    @property
    def answers(self) -> bool:
        """It carries the answer to the complainant (处理方案)."""
        return any(f == "customer_answered_at" and v is NOW for f, v in self.sets)

    def field_changes(self, *, current, inputs: dict, now) -> dict:
        """The fields to set on ``current`` (a complaint, read only) when this is taken."""
        changes = {}
        for name, value in self.sets:
            if value is NOW:
                value = now
            elif value is INCREMENT:
                value = getattr(current, name) + 1
            elif isinstance(value, Input):
                value = inputs[value.name]
            changes[name] = value
        if self.target in FINAL:
            changes.update(closed_at=now, waiting_since=None)
        return changes

    def refusal(self, facts: Facts) -> str | None:
        """Why this transition cannot be taken now, or None if it can."""
        if facts.status not in self.sources:
            return _("“%(t)s” is not possible while the complaint is in “%(s)s”.") % {
                "t": self.label,
                "s": Status(facts.status).label,
            }
        for guard in self.guards:
            if message := guard(facts):
                return message
        return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("acknowledge", _("Confirm receipt"), (Status.INTAKE,), Status.CLASSIFICATION, FRONT),
    Transition(
        "confirm_grade",
        _("Confirm category and grade"),
        (Status.CLASSIFICATION,),
        Status.DIAGNOSIS,
        FRONT,
        guards=(_categorised,),
    ),
    Transition(
        "close_at_first_contact",
        _("Answer and close at first contact"),
        (Status.INTAKE, Status.CLASSIFICATION),
        Status.CLOSED,
        FRONT,
        requires=("answer",),
        guards=(_minor_only,),
        style="secondary",
        sets=(
            ("customer_answer", Input("answer")),
            ("customer_answered_at", NOW),
            ("first_contact_resolution", True),
        ),
    ),
    Transition(
        "reject",
        _("Reject"),
        (Status.INTAKE, Status.CLASSIFICATION, Status.DIAGNOSIS),
        Status.REJECTED,
        FRONT,
        requires=("reason", "explanation"),
        style="danger",
        sets=(("customer_answer", Input("explanation")), ("customer_answered_at", NOW)),
    ),
    Transition(
        "complete_diagnosis",
        _("Diagnosis done"),
        (Status.DIAGNOSIS,),
        Status.ROOT_CAUSE,
        QUALITY_OR_OWNER,
        requires=("outcome",),
    ),
    Transition(
        "no_investigation",
        _("No investigation needed"),
        (Status.DIAGNOSIS,),
        Status.KNOWLEDGE,
        QUALITY,
        requires=("reason",),
        guards=(_not_critical,),
        style="secondary",
        meanings=(Meaning.APPROVED, Meaning.REVIEWED),
        sets=(("investigation_waived_at", NOW),),
    ),
    Transition(
        "complete_root_cause",
        _("Root cause found"),
        (Status.ROOT_CAUSE,),
        Status.CAPA_PLANNING,
        QUALITY_OR_OWNER,
        requires=("outcome",),
    ),
    Transition(
        "approve_plan",
        _("CAPA plan agreed"),
        (Status.CAPA_PLANNING,),
        Status.EXECUTION,
        QUALITY_OR_OWNER,
        requires=("outcome",),
        guards=(_root_cause_and_corrective_action,),
    ),
    Transition(
        "complete_execution",
        _("Actions carried out"),
        (Status.EXECUTION,),
        Status.VERIFICATION,
        QUALITY_OR_OWNER,
        requires=("outcome",),
    ),
    Transition(
        "verify",
        _("Effect verified"),
        (Status.VERIFICATION,),
        Status.KNOWLEDGE,
        QUALITY,
        requires=("outcome",),
        meanings=(Meaning.VERIFIED, Meaning.REVIEWED, Meaning.APPROVED),
        sets=(("verified_at", NOW),),
    ),
    Transition(
        "fail_verification",
        _("Not effective: back to execution"),
        (Status.VERIFICATION,),
        Status.EXECUTION,
        QUALITY,
        requires=("reason",),
        style="danger",
        sets=(("verified_at", None),),
    ),
    Transition(
        "close",
        _("Close"),
        (Status.VERIFICATION, Status.KNOWLEDGE),
        Status.CLOSED,
        QUALITY,
        requires=("outcome",),
        guards=(
            _no_other_open_tasks,
            _actions_finished,
            _answered,
            _verified_if_serious,
            _rectification_reported,
        ),
        meanings=(Meaning.CLOSED, Meaning.APPROVED, Meaning.REVIEWED),
    ),
    Transition(
        "reopen",
        _("Reopen"),
        (Status.CLOSED, Status.REJECTED),
        Status.DIAGNOSIS,
        FRONT,
        requires=("reason",),
        style="secondary",
        meanings=(Meaning.REOPENED, Meaning.APPROVED),
        sets=(
            ("reopen_count", INCREMENT),
            ("closed_at", None),
            ("verified_at", None),
            ("customer_answered_at", None),
            ("investigation_waived_at", None),
            ("first_contact_resolution", False),
        ),
    ),
)

BY_NAME = {t.name: t for t in TRANSITIONS}

# What the "outcome" input means at each source stage, for forms and the timeline.
OUTCOME_LABELS = {
    "complete_diagnosis": _("Diagnosis: first cause judgement, reproduction, containment"),
    "complete_root_cause": _("Root cause (5-Why / fishbone conclusion) and responsibility"),
    "approve_plan": _("Corrective and preventive actions: owner, due date, expected effect"),
    "complete_execution": _("What was done, with evidence"),
    "verify": _("Verification: criteria, method and result"),
    "close": _("Lessons learned"),
}


def _sets_text(t: Transition) -> str:
    def shown(value) -> str:
        if value is NOW:
            return "now"
        if value is INCREMENT:
            return "+1"
        if isinstance(value, Input):
            return f"the {value.name}"
        return str(value)

    parts = [f"{name} = {shown(value)}" for name, value in t.sets]
    if t.target in FINAL:
        parts.append("closed_at = now")
    return ", ".join(parts) or "-"


def document() -> str:
    """docs/workflow.md: the diagram and the table, in English."""
    rows = [
        "| transition | from | to | who | the user must give | guards | signed as | sets |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for t in TRANSITIONS:
        rows.append(
            f"| `{t.name}` | {', '.join(t.sources)} | {t.target} | {', '.join(sorted(t.roles))} "
            f"| {', '.join(t.requires) or '-'} "
            f"| {', '.join(g.__name__.strip('_') for g in t.guards) or '-'} "
            f"| {', '.join(t.meanings) or '-'} | {_sets_text(t)} |"
        )
    return (
        "# Complaint workflow\n\n"
        "Generated from `qualityloop/complaints/workflow.py` by "
        "`qualityloop workflow_diagram > docs/workflow.md`; a test keeps it in step. "
        "`stage_owner` means a member or head of the department that holds the stage's task.\n\n"
        f"```mermaid\n{mermaid()}\n```\n\n" + "\n".join(rows) + "\n"
    )


def mermaid() -> str:
    """The state diagram, generated from the table (docs/workflow.md)."""
    lines = ["stateDiagram-v2", "    [*] --> intake"]
    for t in TRANSITIONS:
        for source in t.sources:
            lines.append(f"    {source} --> {t.target}: {t.name}")
    lines += ["    closed --> [*]", "    rejected --> [*]"]
    return "\n".join(lines)
