"""What each report says, gathered from the complaint and the apps around it.

Read-only: nothing here writes. Each ``*_context`` function returns plain data for the
templates, built in the language that is active when it is called (labels of choices and
names of departments and categories follow it). Investigation, CAPA, rectification plans and
signatures come from their own apps' read functions; where a record is
missing the report shows "—" or an empty table. Complaints from before structured
investigation kept their diagnosis, root cause, plan and verification as stage outcomes; those
texts stand in for the structured data of the matching section.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch
from django.utils.functional import Promise
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from qualityloop.accounts.models import Department
from qualityloop.capa.models import EffectivenessCheck
from qualityloop.capa.queries import actions_for, cost_lines_for, remedies_for
from qualityloop.complaints.choices import TaskKind, TaskStatus
from qualityloop.complaints.models import Complaint, StageTask
from qualityloop.complaints.signatures import signatures_for
from qualityloop.complaints.workflow import Status
from qualityloop.core import clock
from qualityloop.investigation import models as investigation_models
from qualityloop.investigation.access import root_cause_of
from qualityloop.investigation.diagram import fishbone_causes, fishbone_svg
from qualityloop.investigation.models import WhyChain
from qualityloop.knowledge.models import KnowledgeEntry
from qualityloop.sla.models import MajorCase

from . import pdf


@dataclass(frozen=True)
class Kind:
    slug: str
    title: Promise
    template: str
    filename: str


KINDS = {
    "8d": Kind("8d", _("8D report"), "reports/_8d.html", "8D"),
    "disposal": Kind(
        "disposal",
        _("Disposal report of customer quality feedback (客户反馈质量问题处置报告)"),
        "reports/_disposal.html",
        "disposal",
    ),
    "rectification": Kind(
        "rectification",
        _("Rectification plan (质量问题整改措施表)"),
        "reports/_rectification.html",
        "rectification",
    ),
}


# ---------------------------------------------------------------- rows the templates show


@dataclass
class Person:
    name: str
    department: str
    parts: list[str] = field(default_factory=list)


@dataclass
class CheckRow:
    method: str
    result: str
    rating: str
    effective: bool
    verifier: str
    checked_at: object


@dataclass
class ActionRow:
    number: str
    type: str
    type_label: str
    title: str
    description: str
    owner: str
    department: str
    due_date: object
    expected_effect: str
    criteria: str
    status: str
    status_label: str
    completed_at: object
    verified_at: object
    checks: list[CheckRow] = field(default_factory=list)


@dataclass
class PlanRow:
    """One line of the rectification plan (质量问题整改措施表)."""

    source: str
    item: str
    owner: str
    department: str
    due_date: object
    status: str


# ---------------------------------------------------------------- sources


def outcomes(complaint: Complaint) -> dict[str, str]:
    """The latest outcome text written at each stage, for complaints without structured data."""
    found = {}
    tasks = complaint.tasks.filter(kind=TaskKind.STAGE, status=TaskStatus.DONE).exclude(outcome="")
    for task in tasks.order_by("completed_at", "id"):
        found[task.stage] = task.outcome
    return found


def root_cause(complaint: Complaint):
    return root_cause_of(complaint)


def _investigation_rows(complaint: Complaint, model_name: str, *related) -> list:
    model = getattr(investigation_models, model_name)
    return list(model.objects.filter(complaint=complaint).select_related(*related))


def why_chains(complaint: Complaint) -> dict[str, list]:
    """The current 5-Why chains by kind ("occurrence", "escape"), each as (chain, steps)."""
    chains: dict[str, list] = {"occurrence": [], "escape": []}
    for chain in WhyChain.objects.filter(complaint=complaint).prefetch_related("steps__cause_code"):
        steps = [
            step
            for step in chain.steps.all()
            if step.revision == chain.revision and step.replaced_at is None
        ]
        chains.setdefault(chain.kind, []).append((chain, sorted(steps, key=lambda s: s.position)))
    return chains


def fishbone(complaint: Complaint, language: str) -> str:
    """The fishbone diagram as inline SVG markup, or "" when it has no causes yet."""
    if not fishbone_causes(complaint):
        return ""
    # The PDF embeds its own font, named first so the diagram uses it too; a browser, which
    # does not know that name, goes on to the diagram's own list.
    return mark_safe(  # noqa: S308 (the diagram escapes every text it draws)
        str(fishbone_svg(complaint, language)).replace(
            'font-family="', f"font-family=\"'{pdf.FONT_FAMILY}',", 1
        )
    )


def _actions(complaint: Complaint) -> list:
    checks = EffectivenessCheck.objects.select_related("verifier").order_by("created_at", "id")
    return list(actions_for(complaint).prefetch_related(Prefetch("checks", queryset=checks)))


def _action_row(action) -> ActionRow:
    checks = [
        CheckRow(
            method=check.method,
            result=check.result,
            rating=check.get_rating_display(),
            effective=check.rating == "effective",
            verifier=str(check.verifier),
            checked_at=check.checked_at,
        )
        for check in action.checks.all()
    ]
    return ActionRow(
        number=action.number,
        type=action.type,
        type_label=action.get_type_display(),
        title=action.title,
        description=action.description,
        owner=str(action.owner),
        department=str(action.department),
        due_date=action.due_date,
        expected_effect=action.expected_effect,
        criteria=action.effectiveness_criteria,
        status=action.status,
        status_label=action.get_status_display(),
        completed_at=action.completed_at,
        verified_at=action.verified_at,
        checks=checks,
    )


def actions(complaint: Complaint) -> list[ActionRow]:
    return [_action_row(action) for action in _actions(complaint)]


def remedies(complaint: Complaint) -> list:
    return list(remedies_for(complaint))


def cost_lines(complaint: Complaint) -> list:
    return list(cost_lines_for(complaint))


def signatures(complaint: Complaint) -> list[dict]:
    return signatures_for(complaint)


def lessons(complaint: Complaint, stage_outcomes: dict[str, str]) -> str:
    """The lessons of the complaint's knowledge entry (edited by quality after closing), else
    what was written when it closed."""
    entry = KnowledgeEntry.objects.filter(complaint=complaint).exclude(lessons="").first()
    return entry.lessons if entry is not None else stage_outcomes.get(Status.KNOWLEDGE, "")


def major_case(complaint: Complaint):
    return (
        MajorCase.objects.select_related("plan_submitted_by")
        .prefetch_related("items__owner__department")
        .filter(complaint=complaint)
        .first()
    )


# ---------------------------------------------------------------- assembled sections


def team(complaint: Complaint, *, root, raw_actions: list, containments: list) -> list[Person]:
    """D1: everyone who acted on the complaint, in the order they first did, with what they did."""
    people: dict[int, tuple[object, list[str]]] = {}

    def add(user, part) -> None:
        if user is not None:
            parts = people.setdefault(user.pk, (user, []))[1]
            if str(part) not in parts:
                parts.append(str(part))

    add(complaint.received_by, _("Registered the complaint"))
    tasks = StageTask.objects.filter(complaint=complaint).select_related("assignee", "completed_by")
    for task in tasks.order_by("opened_at", "id"):
        add(task.assignee, task.label)
        add(task.completed_by, task.label)
    for containment in containments:
        add(containment.verified_by, _("Verified containment"))
    if root is not None:
        add(root.decided_by, _("Root cause"))
    for action in raw_actions:
        add(action.owner, _("Action %(number)s") % {"number": action.number})
        for check in action.checks.all():
            add(check.verifier, _("Verified %(number)s") % {"number": action.number})
    ids = {user.department_id for user, _parts in people.values()} - {None}
    departments = Department.objects.in_bulk(ids)
    return [
        Person(str(user), str(departments.get(user.department_id, "—")), parts)
        for user, parts in people.values()
    ]


def _by_type(rows: list[ActionRow], *types: str) -> list[ActionRow]:
    return [row for row in rows if row.type in types]


def _record(complaint: Complaint) -> Complaint:
    return Complaint.objects.select_related(
        "customer",
        "product",
        "batch",
        "site",
        "category__parent",
        "responsible_department",
        "received_by",
    ).get(pk=complaint.pk)


def _common(complaint: Complaint, kind: str) -> dict:
    return {
        "kind": KINDS[kind],
        "complaint": complaint,
        "signatures": signatures(complaint),
        "generated_at": clock.now(),
    }


def eight_d_context(complaint: Complaint, language: str) -> dict:
    complaint = _record(complaint)
    raw = _actions(complaint)
    rows = [_action_row(action) for action in raw]
    containments = _investigation_rows(complaint, "Containment", "verified_by")
    chains = why_chains(complaint)
    root = root_cause(complaint)
    started = [c.created_at for c in containments]
    started += [a.created_at for a in raw if a.type == "containment"]
    stage_outcomes = outcomes(complaint)
    return {
        **_common(complaint, "8d"),
        "outcomes": stage_outcomes,
        "lessons": lessons(complaint, stage_outcomes),
        "team": team(complaint, root=root, raw_actions=raw, containments=containments),
        "containments": containments,
        "first_containment_at": min(started, default=None),
        "containment_actions": _by_type(rows, "containment"),
        "inspections": _investigation_rows(complaint, "InspectionRecord", "performed_by"),
        "returned": _investigation_rows(complaint, "ReturnedProduct"),
        "root_cause": root,
        "why_sections": [
            (_("5-Why: why it happened"), chains["occurrence"]),
            (_("5-Why: why it was not caught"), chains["escape"]),
        ],
        "fishbone_svg": fishbone(complaint, language),
        "corrective_actions": _by_type(rows, "corrective"),
        "verified_actions": _by_type(rows, "containment", "corrective"),
        "preventive_actions": _by_type(rows, "preventive", "improvement"),
    }


def disposal_context(complaint: Complaint, language: str) -> dict:
    complaint = _record(complaint)
    remedy_rows = remedies(complaint)
    costs = cost_lines(complaint)
    return {
        **_common(complaint, "disposal"),
        "outcomes": outcomes(complaint),
        "containments": _investigation_rows(complaint, "Containment", "verified_by"),
        "inspections": _investigation_rows(complaint, "InspectionRecord", "performed_by"),
        "returned": _investigation_rows(complaint, "ReturnedProduct"),
        "root_cause": root_cause(complaint),
        "actions": actions(complaint),
        "remedies": remedy_rows,
        "costs": costs,
        "remedy_total": sum((r.amount for r in remedy_rows if r.status != "rejected"), Decimal(0)),
        "cost_total": sum((c.amount for c in costs), Decimal(0)),
    }


def rectification_context(complaint: Complaint, language: str) -> dict:
    complaint = _record(complaint)
    case = major_case(complaint)
    plan = [
        PlanRow(
            source=row.number,
            item=row.title,
            owner=row.owner,
            department=row.department,
            due_date=row.due_date,
            status=row.status_label,
        )
        for row in actions(complaint)
    ]
    if case is not None:
        plan += [
            PlanRow(
                source=str(_("Plan")),
                item=item.measure,
                owner=str(item.owner),
                department=str(item.owner.department) if item.owner.department_id else "—",
                due_date=item.due_date,
                status="—",
            )
            for item in case.items.all()
        ]
    return {**_common(complaint, "rectification"), "case": case, "plan": plan}


CONTEXTS = {
    "8d": eight_d_context,
    "disposal": disposal_context,
    "rectification": rectification_context,
}
