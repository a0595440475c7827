"""The transition table: every transition from every state, every role, every guard."""

import pytest

from qualityloop.complaints import services, workflow
from qualityloop.complaints.choices import Severity
from qualityloop.complaints.workflow import BY_NAME, TRANSITIONS, Facts, Status
from qualityloop.core.errors import NotAllowed, TransitionRefused, ValidationFailed
from qualityloop.testing import database_snapshot

MAIN_LINE = [
    "acknowledge",
    "confirm_grade",
    "complete_diagnosis",
    "complete_root_cause",
    "approve_plan",
    "complete_execution",
    "verify",
]
PATH_TO = {stage: MAIN_LINE[:i] for i, stage in enumerate(workflow.STAGES)}
PATH_TO[Status.CLOSED] = [*MAIN_LINE, "close"]
PATH_TO[Status.REJECTED] = ["reject"]
ACTOR_FOR = {"acknowledge": "cs", "confirm_grade": "cs"}


def reach(org, status, **register):
    register.setdefault("is_repeat", False)
    complaint = org.register(**register)
    for name in PATH_TO[status]:
        if name == "close":
            services.record_customer_answer(
                actor=org["cs"], complaint_id=complaint.pk, text="已更换全部不良品并改进工艺。"
            )
        complaint = org.advance(complaint, name, actor=ACTOR_FOR.get(name, "qe"))
    complaint.refresh_from_db()
    assert complaint.status == status
    return complaint


def permissive(status, **overrides):
    values = {
        "status": status,
        "severity": Severity.MINOR,
        "has_category": True,
        "other_open_tasks": 0,
        "customer_answered": True,
        "verified": True,
    }
    values.update(overrides)
    return Facts(**values)


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.name)
@pytest.mark.parametrize("status", Status.values)
def test_table_allows_exactly_its_sources(transition, status):
    refusal = transition.refusal(permissive(status))
    assert (refusal is None) == (status in transition.sources)


def test_every_state_is_reachable_and_left():
    targets = {t.target for t in TRANSITIONS} | {Status.INTAKE}
    sources = {s for t in TRANSITIONS for s in t.sources}
    assert targets == set(Status.values)
    assert sources == set(Status.values)


@pytest.mark.parametrize(
    ("name", "facts", "message"),
    [
        ("confirm_grade", {"has_category": False}, "Choose a category first."),
        (
            "close_at_first_contact",
            {"severity": Severity.MAJOR},
            "Only minor (一般) complaints can be closed at first contact.",
        ),
        (
            "close",
            {"other_open_tasks": 2},
            "2 task(s) are still open; complete or cancel them first.",
        ),
        ("close", {"customer_answered": False}, "Record the answer to the complainant first."),
        (
            "close",
            {"severity": Severity.CRITICAL, "verified": False},
            "Critical and major complaints must pass verification before closing.",
        ),
    ],
)
def test_guards_say_what_is_missing(name, facts, message):
    from django.utils import translation

    transition = BY_NAME[name]
    with translation.override("en"):
        assert transition.refusal(permissive(transition.sources[0], **facts)) == message


def test_minor_complaint_may_close_without_verification():
    assert BY_NAME["close"].refusal(permissive(Status.VERIFICATION, verified=False)) is None


@pytest.mark.parametrize("status", Status.values)
def test_services_refuse_every_transition_the_table_refuses(org, status):
    complaint = reach(org, status)
    for transition in TRANSITIONS:
        if status in transition.sources:
            continue
        before = database_snapshot()
        with pytest.raises((TransitionRefused, NotAllowed)):
            org.advance(complaint, transition.name, actor="qe")
        assert database_snapshot() == before
        complaint.refresh_from_db()
        assert complaint.status == status


@pytest.mark.parametrize("transition", TRANSITIONS, ids=lambda t: t.name)
def test_services_take_every_transition_from_every_source(org, transition):
    for source in transition.sources:
        complaint = reach(org, source)
        if transition.name == "close":
            services.record_customer_answer(
                actor=org["cs"], complaint_id=complaint.pk, text="已完成退换货。"
            )
        actor = "cs" if transition.roles == workflow.FRONT else "qe"
        complaint = org.advance(complaint, transition.name, actor=actor)
        assert complaint.status == transition.target


# Who may take each transition, from its first source state.
ROLE_CASES = {
    "acknowledge": {"cs", "qe"},
    "confirm_grade": {"cs", "qe"},
    "close_at_first_contact": {"cs", "qe"},
    "reject": {"cs", "qe"},
    "complete_diagnosis": {"qe", "ts_member", "ts_head"},
    "complete_root_cause": {"qe"},
    "approve_plan": {"qe"},
    "complete_execution": {"qe"},
    "verify": {"qe"},
    "fail_verification": {"qe"},
    "close": {"qe"},
    "reopen": {"cs", "qe"},
}
PEOPLE = [
    "cs",
    "qe",
    "ts_member",
    "ts_head",
    "prod_member",
    "prod_head",
    "rnd_member",
    "exec",
    "admin",
]


@pytest.mark.parametrize("name", sorted(ROLE_CASES))
def test_only_the_right_people_may_take_each_transition(org, name):
    transition = BY_NAME[name]
    allowed = set()
    for username in PEOPLE:
        complaint = reach(org, transition.sources[0])
        if name == "close":
            services.record_customer_answer(
                actor=org["cs"], complaint_id=complaint.pk, text="已完成退换货。"
            )
        try:
            org.advance(complaint, name, actor=username)
        except NotAllowed:
            continue
        allowed.add(username)
    assert allowed == ROLE_CASES[name]


def test_production_owns_execution_once_named_responsible(org):
    complaint = reach(org, Status.ROOT_CAUSE)
    services.update_complaint(
        actor=org["qe"],
        complaint_id=complaint.pk,
        changes={"responsible_department_id": org.departments["prod"].pk},
    )
    complaint = org.advance(complaint, "complete_root_cause", actor="qe")
    complaint = org.advance(complaint, "approve_plan", actor="prod_head")
    task = services.current_stage_task(complaint)
    assert (complaint.status, task.department.code) == (Status.EXECUTION, "prod")
    complaint = org.advance(complaint, "complete_execution", actor="prod_member")
    assert complaint.status == Status.VERIFICATION
    with pytest.raises(NotAllowed):
        org.advance(complaint, "verify", actor="prod_head")


def test_required_inputs_are_named(org):
    complaint = reach(org, Status.INTAKE)
    with pytest.raises(ValidationFailed) as exc:
        services.transition_complaint(
            actor=org["cs"], complaint_id=complaint.pk, name="reject", reason="不是质量问题"
        )
    assert set(exc.value.errors) == {"explanation"}


def test_reopen_starts_over_at_diagnosis_and_needs_a_new_answer(org):
    complaint = reach(org, Status.CLOSED)
    complaint = org.advance(complaint, "reopen", actor="cs", reason="客户反馈问题再次出现")
    assert complaint.status == Status.DIAGNOSIS
    assert complaint.reopen_count == 1
    assert complaint.customer_answered_at is None and complaint.closed_at is None


def test_mermaid_diagram_has_every_edge():
    diagram = workflow.mermaid()
    edges = sum(len(t.sources) for t in TRANSITIONS)
    assert diagram.count(" --> ") == edges + 3


def test_docs_show_the_current_table():
    from pathlib import Path

    doc = Path(__file__).resolve().parents[3] / "docs" / "workflow.md"
    assert doc.read_text() == workflow.document()
