"""Actions, verification, remedies and costs as the services write them."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import translation

from qualityloop.accounts.choices import Role
from qualityloop.capa import queries, services
from qualityloop.capa.models import Action, EffectivenessCheck
from qualityloop.capa.queries import ActionSummary
from qualityloop.complaints.choices import EventKind
from qualityloop.complaints.models import Complaint, ComplaintEvent, NumberSequence
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, TransitionRefused, ValidationFailed
from qualityloop.notifications.models import Notification
from qualityloop.testing import assert_audit_event, aware, in_parallel

from .helpers import done, in_diagnosis, plan, second_quality_engineer, snapshot, today, user

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def complaint(org):
    return in_diagnosis(org)


def events_of(complaint, kind):
    return list(
        ComplaintEvent.objects.filter(complaint=complaint, kind=kind)
        .order_by("seq")
        .values_list("data", flat=True)
    )


# ---------------------------------------------------------------- planning


def test_plan_creates_a_numbered_action_linked_to_the_complaint(org, complaint):
    with clock.at(aware(2026, 3, 2, 9, 0)):
        action = plan(org, complaint, due_date=today() + timedelta(days=14))
    assert action.number == "CA-2026-0001"
    assert action.status == "planned"
    assert action.department == org.departments["ts"]
    assert action.created_by == org["qe"]
    assert list(action.complaints.all()) == [complaint]
    event = assert_audit_event(
        complaint,
        EventKind.ACTION,
        step="planned",
        number="CA-2026-0001",
        owner=org["ts_member"].pk,
        owner_label="ts_member",
        department_label="Technical support",
        due_date="2026-03-16",
        effectiveness_criteria="连续三批抽检开裂率为0",
    )
    assert event.actor == org["qe"]
    assert Complaint.objects.get(pk=complaint.pk).version == complaint.version + 1


def test_the_owner_is_told(org, complaint):
    action = plan(org, complaint)
    note = Notification.objects.get(recipient=org["ts_member"])
    assert note.event == "task_assigned"
    assert note.data["task_title"] == f"{action.number} 更换注塑模具冷却水路"
    assert note.data["url"] == f"/capa/actions/{action.pk}/"
    assert note.complaint == complaint


def test_numbers_run_per_year_and_are_never_reused(org, complaint):
    with clock.at(aware(2026, 12, 31, 10, 0)):
        first = plan(org, complaint)
        second = plan(org, complaint, type="preventive")
    with clock.at(aware(2027, 1, 1, 8, 0)):
        third = plan(org, complaint, type="containment", effectiveness_criteria="")
    assert [first.number, second.number, third.number] == [
        "CA-2026-0001",
        "CA-2026-0002",
        "CA-2027-0001",
    ]
    counters = NumberSequence.objects.filter(key__startswith="CA-")
    assert dict(counters.values_list("key", "last")) == {
        "CA-2026": 2,
        "CA-2027": 1,
    }


def test_a_refused_plan_uses_no_number(org, complaint):
    with pytest.raises(ValidationFailed):
        plan(org, complaint, title="")
    assert plan(org, complaint).number.endswith("-0001")


CRITERIA = "Corrective and preventive actions need criteria for their check."


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"effectiveness_criteria": "  "}, {"effectiveness_criteria": [CRITERIA]}),
        (
            {"type": "preventive", "effectiveness_criteria": ""},
            {"effectiveness_criteria": [CRITERIA]},
        ),
        (
            {"title": "", "expected_effect": "", "type": "bogus"},
            {
                "type": ["Choose a valid option."],
                "title": ["This field is required."],
                "expected_effect": ["This field is required."],
            },
        ),
        ({"title": "长" * 201}, {"title": ["At most 200 characters."]}),
        ({"due_date": "2020-01-01"}, {"due_date": ["The due date cannot be in the past."]}),
        ({"due_date": "next week"}, {"due_date": ["Enter a date like 2026-03-01."]}),
        ({"department_id": 999999}, {"department": ["Unknown department."]}),
    ],
)
def test_plan_validation(org, complaint, fields, errors):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        plan(org, complaint, **fields)
    assert refused.value.errors == errors
    assert snapshot() == before


def test_the_owner_must_belong_to_the_department(org, complaint):
    with pytest.raises(ValidationFailed) as refused:
        plan(org, complaint, owner="prod_member", department_id=org.departments["ts"].pk)
    assert refused.value.errors == {"owner": ["Choose an active member of Technical support."]}
    with pytest.raises(ValidationFailed) as refused:
        plan(org, complaint, owner="admin")
    assert refused.value.errors == {
        "department": ["Choose the department that carries the action out."]
    }


def test_containment_and_improvement_need_no_criteria(org, complaint):
    action = plan(org, complaint, type="containment", effectiveness_criteria="")
    assert action.effectiveness_criteria == ""


def test_only_quality_and_department_heads_plan_and_only_while_open(org, complaint):
    before = snapshot()
    for username in ("cs", "ts_member", "exec", "admin"):
        with pytest.raises(NotAllowed, match="You may not plan actions for this complaint"):
            plan(org, complaint, actor=username)
    assert snapshot() == before
    assert plan(org, complaint, actor="ts_head").created_by == org["ts_head"]

    closed = in_diagnosis(org)
    closed = org.advance(closed, "reject", actor="cs")
    with pytest.raises(NotAllowed):
        plan(org, closed)


def test_a_complaint_the_planner_may_not_see_is_missing(org, complaint):
    with pytest.raises(DomainError) as refused:
        plan(org, complaint, actor="prod_head", owner="prod_member")
    assert refused.value.code == "not_found"


# ---------------------------------------------------------------- the verification cycle


def test_the_verification_cycle_with_a_failed_check_then_a_passing_one(org, complaint):
    action = plan(org, complaint)
    owner, qe = org["ts_member"], org["qe"]

    with pytest.raises(ValidationFailed) as refused:
        services.complete_action(actor=owner, action_id=action.pk)
    assert refused.value.errors == {
        "note": ["Say what was done, or add evidence, before completing the action."]
    }

    services.start_action(actor=owner, action_id=action.pk)
    services.add_note(actor=owner, action_id=action.pk, text="模具冷却水路已改造")
    action = services.complete_action(actor=owner, action_id=action.pk)
    assert action.status == "done"
    assert queries.action_summary(complaint) == ActionSummary(
        corrective=1, open=0, unverified=1, total=1
    )

    failed = services.check_effectiveness(
        actor=qe,
        action_id=action.pk,
        method="抽检第一批200台",
        result="仍有2台开裂",
        rating="not_effective",
    )
    action.refresh_from_db()
    assert failed.reopened is True
    assert (action.status, action.reopen_count, action.completed_at) == ("in_progress", 1, None)
    assert queries.action_summary(complaint) == ActionSummary(
        corrective=1, open=1, unverified=0, total=1
    )
    assert_audit_event(
        complaint,
        EventKind.EFFECTIVENESS,
        step="reopened",
        rating="not_effective",
        result="仍有2台开裂",
        status="in_progress",
    )

    # Back with its owner: more work, new evidence, done again, and this time it works.
    services.add_evidence(
        actor=owner,
        action_id=action.pk,
        upload=SimpleUploadedFile("改造记录.txt", "第二次改造".encode()),
    )
    action = services.complete_action(actor=owner, action_id=action.pk)
    passed = services.check_effectiveness(
        actor=qe,
        action_id=action.pk,
        method="连续抽检三批",
        result="开裂率为0",
        rating="effective",
    )
    action.refresh_from_db()
    assert passed.reopened is False
    assert action.status == "verified"
    assert action.verified_at is not None
    assert queries.action_summary(complaint) == ActionSummary(
        corrective=1, open=0, unverified=0, total=1
    )
    # The failed check and the notes stay on record.
    assert list(
        EffectivenessCheck.objects.filter(action=action).values_list("rating", "reopened")
    ) == [("not_effective", True), ("effective", False)]
    assert [e["step"] for e in events_of(complaint, EventKind.ACTION)] == [
        "planned",
        "started",
        "note",
        "completed",
        "evidence",
        "completed",
    ]
    assert [e["step"] for e in events_of(complaint, EventKind.EFFECTIVENESS)] == [
        "reopened",
        "verified",
    ]
    # The owner hears that the action came back.
    assert Notification.objects.filter(recipient=owner, event="task_assigned").count() == 2


def test_a_verified_action_takes_no_more_checks_or_notes(org, complaint):
    action = plan(org, complaint)
    done(org, action)
    services.check_effectiveness(
        actor=org["qe"], action_id=action.pk, method="抽检", result="合格", rating="effective"
    )
    before = snapshot()
    with pytest.raises(TransitionRefused, match="Only a done action can be checked"):
        services.check_effectiveness(
            actor=org["qe"], action_id=action.pk, method="抽检", result="合格", rating="effective"
        )
    with pytest.raises(TransitionRefused, match="it takes no more progress reports"):
        services.add_note(actor=org["ts_member"], action_id=action.pk, text="补充")
    assert snapshot() == before


def test_partly_effective_reopens_unless_configured_otherwise(org, complaint, settings):
    first = plan(org, complaint)
    done(org, first)
    check = services.check_effectiveness(
        actor=org["qe"],
        action_id=first.pk,
        method="抽检",
        result="改善一半",
        rating="partly_effective",
    )
    assert check.reopened is True
    assert Action.objects.get(pk=first.pk).status == "in_progress"

    settings.CAPA_REOPEN_ON_PARTLY_EFFECTIVE = False
    second = plan(org, complaint)
    done(org, second)
    check = services.check_effectiveness(
        actor=org["qe"],
        action_id=second.pk,
        method="抽检",
        result="改善一半",
        rating="partly_effective",
    )
    assert check.reopened is False
    assert Action.objects.get(pk=second.pk).status == "verified"


def test_the_owner_may_not_verify_their_own_action(org, complaint):
    action = plan(org, complaint, owner="qe")
    assert action.department == org.departments["qa"]
    done(org, action, by="qe")
    before = snapshot()
    with pytest.raises(NotAllowed) as refused:
        services.check_effectiveness(
            actor=org["qe"], action_id=action.pk, method="自查", result="合格", rating="effective"
        )
    assert str(refused.value) == "The owner of an action may not verify it; ask someone else."
    assert snapshot() == before

    colleague = second_quality_engineer(org)
    services.check_effectiveness(
        actor=colleague, action_id=action.pk, method="复查", result="合格", rating="effective"
    )
    assert Action.objects.get(pk=action.pk).status == "verified"


@pytest.mark.parametrize(
    ("role", "department", "allowed"),
    [
        (Role.DEPARTMENT_HEAD, "qa", True),
        (Role.DEPARTMENT_HEAD, "ts", False),
        (Role.DEPARTMENT_MEMBER, "qa", False),
        (Role.CUSTOMER_SERVICE, "cs", False),
        (Role.EXECUTIVE, "mgmt", False),
    ],
)
def test_who_may_verify(org, complaint, role, department, allowed):
    action = plan(org, complaint)
    done(org, action)
    verifier = user(org, "verifier", role, department)
    if department == "qa":
        # A quality department must see the complaint to verify: give it the responsible role.
        org.advance(complaint, "complete_diagnosis", actor="ts_member")
    call = lambda: services.check_effectiveness(  # noqa: E731
        actor=verifier, action_id=action.pk, method="抽检", result="合格", rating="effective"
    )
    if allowed:
        call()
        assert Action.objects.get(pk=action.pk).status == "verified"
    else:
        before = snapshot()
        with pytest.raises(NotAllowed, match="Only quality may verify the effect of an action"):
            call()
        assert snapshot() == before


def test_progress_is_for_the_owner_the_department_and_quality(org, complaint):
    action = plan(org, complaint)
    for username in ("ts_member", "ts_head", "qe"):
        services.add_note(actor=org[username], action_id=action.pk, text=f"{username} 进展")
    before = snapshot()
    for username in ("cs", "exec", "admin"):
        with pytest.raises(NotAllowed, match="Only the owner"):
            services.add_note(actor=org[username], action_id=action.pk, text="无权")
    with pytest.raises(DomainError) as missing:
        services.add_note(actor=org["prod_member"], action_id=action.pk, text="看不到")
    assert missing.value.code == "not_found"
    assert snapshot() == before


def test_refused_evidence_leaves_no_file(org, complaint, settings):
    action = plan(org, complaint)
    with pytest.raises(NotAllowed):
        services.add_evidence(
            actor=org["cs"],
            action_id=action.pk,
            upload=SimpleUploadedFile("记录.txt", "内容".encode()),
        )
    with pytest.raises(DomainError, match="does not match its name"):
        services.add_evidence(
            actor=org["ts_member"],
            action_id=action.pk,
            upload=SimpleUploadedFile("照片.jpg", b"not a jpeg"),
        )
    root = settings.ATTACHMENT_ROOT
    assert not root.exists() or not any(p.is_file() for p in root.rglob("*"))
    assert action.evidence.count() == 0


# ---------------------------------------------------------------- several complaints


def test_an_action_serving_two_complaints_writes_on_both(org, complaint):
    other = in_diagnosis(org, title="另一客户：外壳开裂")
    action = plan(org, complaint)
    link = services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=other.pk)
    assert link.complaint == other
    assert set(action.complaints.all()) == {complaint, other}

    versions = {c.pk: Complaint.objects.get(pk=c.pk).version for c in (complaint, other)}
    services.add_note(actor=org["ts_member"], action_id=action.pk, text="两单共用一项措施")
    done(org, action)
    services.check_effectiveness(
        actor=org["qe"], action_id=action.pk, method="抽检", result="合格", rating="effective"
    )
    for c in (complaint, other):
        assert_audit_event(c, EventKind.EFFECTIVENESS, step="verified", number=action.number)
        # The note, the completion (its note travels in it) and the check: three bumps each.
        assert Complaint.objects.get(pk=c.pk).version == versions[c.pk] + 3
    assert [e["step"] for e in events_of(complaint, EventKind.ACTION)] == [
        "planned",
        "linked",
        "note",
        "completed",
    ]
    assert [e["step"] for e in events_of(other, EventKind.ACTION)] == [
        "linked",
        "note",
        "completed",
    ]
    linked = events_of(other, EventKind.ACTION)[0]
    assert (linked["complaint_number"], linked["number"]) == (other.number, action.number)
    assert_audit_event(other, EventKind.ACTION, step="completed", text="已完成模具改造")
    assert queries.action_summary(other) == ActionSummary(
        corrective=1, open=0, unverified=0, total=1
    )


def test_linking_twice_or_to_a_closed_complaint_is_refused(org, complaint):
    action = plan(org, complaint)
    with pytest.raises(ValidationFailed) as refused:
        services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=complaint.pk)
    assert refused.value.errors == {
        "complaint": [f"This action already serves {complaint.number}."]
    }
    rejected = org.advance(in_diagnosis(org), "reject", actor="cs")
    with pytest.raises(NotAllowed):
        services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=rejected.pk)
    assert action.links.count() == 1


# ---------------------------------------------------------------- the summary the gates read


def test_action_summary_counts(org, complaint):
    assert queries.action_summary(complaint) == ActionSummary(0, 0, 0, 0)
    plan(org, complaint)  # corrective, planned: open
    finished = plan(org, complaint)  # corrective, done: unverified
    done(org, finished)
    verified = plan(org, complaint, type="preventive")
    done(org, verified)
    services.check_effectiveness(
        actor=org["qe"], action_id=verified.pk, method="抽检", result="合格", rating="effective"
    )
    started = plan(org, complaint, type="containment", effectiveness_criteria="")
    services.start_action(actor=org["ts_member"], action_id=started.pk)
    Action.objects.filter(pk=started.pk).update(status="ineffective")
    plan(org, in_diagnosis(org), type="improvement")  # another complaint's

    assert queries.action_summary(complaint) == ActionSummary(
        corrective=2, open=2, unverified=1, total=4
    )
    year = today().year
    assert [a.number for a in queries.actions_for(complaint)] == [
        f"CA-{year}-0001",
        f"CA-{year}-0002",
        f"CA-{year}-0003",
        f"CA-{year}-0004",
    ]


def test_actions_for_loads_owner_and_department_in_one_query(
    org, complaint, django_assert_num_queries
):
    for _ in range(3):
        plan(org, complaint)
    with django_assert_num_queries(1):
        rows = [(a.number, str(a.owner), str(a.department)) for a in queries.actions_for(complaint)]
    assert [r[1:] for r in rows] == [("ts_member", "Technical support")] * 3


# ---------------------------------------------------------------- remedies


def propose(org, complaint, amount, *, actor="cs", kind="compensation"):
    return services.propose_remedy(
        actor=org[actor],
        complaint_id=complaint.pk,
        kind=kind,
        description="赔偿停线损失",
        amount=amount,
    )


@pytest.mark.parametrize("amount", ["4999.99", "5000", "0"])
def test_a_remedy_up_to_the_threshold_is_given_directly(org, complaint, amount):
    remedy = propose(org, complaint, amount)
    assert remedy.amount == Decimal(amount).quantize(Decimal("0.01"))
    remedy = services.give_remedy(actor=org["cs"], remedy_id=remedy.pk)
    assert remedy.status == "given"
    assert remedy.given_by == org["cs"]
    assert [e["step"] for e in events_of(complaint, EventKind.REMEDY)] == ["proposed", "given"]


def test_a_remedy_above_the_threshold_needs_approval_by_the_right_role(org, complaint):
    remedy = propose(org, complaint, "5000.01")
    assert_audit_event(
        complaint, EventKind.REMEDY, step="proposed", amount="5000.01", needs_approval=True
    )
    before = snapshot()
    with pytest.raises(TransitionRefused) as refused:
        services.give_remedy(actor=org["cs"], remedy_id=remedy.pk)
    assert refused.value.code == "needs_approval"
    assert str(refused.value) == (
        "5000.01 CNY is above the approval threshold of 5000 CNY: it must be approved first."
    )
    for username in ("qe", "cs", "ts_head", "admin"):
        with pytest.raises(NotAllowed):
            services.approve_remedy(actor=org[username], remedy_id=remedy.pk)
    assert snapshot() == before

    remedy = services.approve_remedy(actor=org["exec"], remedy_id=remedy.pk)
    assert (remedy.status, remedy.approved_by) == ("approved", org["exec"])
    with pytest.raises(NotAllowed):
        services.give_remedy(actor=org["exec"], remedy_id=remedy.pk)
    remedy = services.give_remedy(actor=org["qe"], remedy_id=remedy.pk)
    assert remedy.status == "given"
    assert [e["step"] for e in events_of(complaint, EventKind.REMEDY)] == [
        "proposed",
        "approved",
        "given",
    ]


def test_threshold_and_approvers_come_from_settings(org, complaint, settings):
    settings.REMEDY_APPROVAL_THRESHOLD = Decimal("100")
    settings.REMEDY_APPROVER_ROLES = ["quality_engineer"]
    remedy = propose(org, complaint, "150")
    with pytest.raises(NotAllowed):
        services.approve_remedy(actor=org["exec"], remedy_id=remedy.pk)
    services.approve_remedy(actor=org["qe"], remedy_id=remedy.pk)
    # Nobody approves their own proposal.
    own = propose(org, complaint, "150", actor="qe")
    with pytest.raises(NotAllowed, match="their own proposal"):
        services.approve_remedy(actor=org["qe"], remedy_id=own.pk)


def test_a_refused_remedy_is_kept_and_cannot_be_given(org, complaint):
    remedy = propose(org, complaint, "8000")
    with pytest.raises(ValidationFailed) as refused:
        services.reject_remedy(actor=org["exec"], remedy_id=remedy.pk, reason=" ")
    assert refused.value.errors == {"reason": ["This field is required."]}
    remedy = services.reject_remedy(actor=org["exec"], remedy_id=remedy.pk, reason="超出合同约定")
    assert (remedy.status, remedy.rejection_reason) == ("rejected", "超出合同约定")
    assert_audit_event(complaint, EventKind.REMEDY, step="rejected", reason="超出合同约定")
    with pytest.raises(TransitionRefused, match="This remedy is already “Rejected”"):
        services.give_remedy(actor=org["cs"], remedy_id=remedy.pk)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("-1", "The amount cannot be negative."),
        ("12.345", "Use at most two decimal places (fen)."),
        ("abc", "Enter an amount like 1200.50."),
        ("NaN", "Enter an amount like 1200.50."),
        ("1000000000000", "The amount cannot be more than 999999999999.99."),
        (None, "This field is required."),
    ],
)
def test_remedy_amounts_are_checked(org, complaint, amount, message):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        propose(org, complaint, amount)
    assert refused.value.errors == {"amount": [message]}
    assert snapshot() == before


def test_only_the_desk_and_quality_propose_remedies(org, complaint):
    for username in ("ts_member", "ts_head", "exec"):
        with pytest.raises(NotAllowed):
            propose(org, complaint, "10", actor=username)


# ---------------------------------------------------------------- cost of quality


def test_costs_by_category_and_total_are_exact(org, complaint):
    lines = [
        ("internal_failure", "1200.10", "返工工时"),
        ("internal_failure", "0.10", "耗材"),
        ("internal_failure", "0.20", "耗材"),
        ("external_failure", "99.99", "顺丰运费"),
        ("appraisal", "0.01", "检测费"),
        ("external_failure", "123456789.99", "索赔"),
    ]
    for category, amount, text in lines:
        services.add_cost_line(
            actor=org["qe"],
            complaint_id=complaint.pk,
            category=category,
            description=text,
            amount=amount,
            incurred_on=today(),
        )
    assert queries.costs_by_category(complaint) == {
        "internal_failure": Decimal("1200.40"),
        "external_failure": Decimal("123456889.98"),
        "appraisal": Decimal("0.01"),
        "prevention": Decimal("0.00"),
    }
    assert queries.total_cost(complaint) == Decimal("123458090.39")
    assert list(queries.costs_by_category(complaint)) == [
        "internal_failure",
        "external_failure",
        "appraisal",
        "prevention",
    ]
    other = in_diagnosis(org)
    assert queries.total_cost(other) == Decimal("0.00")
    assert_audit_event(
        complaint, EventKind.COST, category="external_failure", amount="123456789.99"
    )


def test_cost_lines_are_checked(org, complaint):
    before = snapshot()
    with pytest.raises(ValidationFailed) as refused:
        services.add_cost_line(
            actor=org["qe"],
            complaint_id=complaint.pk,
            category="overhead",
            description="",
            amount="-5",
            incurred_on=today() + timedelta(days=1),
        )
    assert refused.value.errors == {
        "category": ["Choose a valid option."],
        "description": ["This field is required."],
        "amount": ["The amount cannot be negative."],
        "incurred_on": ["A cost cannot be incurred in the future."],
    }
    with pytest.raises(NotAllowed):
        services.add_cost_line(
            actor=org["ts_member"],
            complaint_id=complaint.pk,
            category="appraisal",
            description="检测",
            amount="1",
            incurred_on=today(),
        )
    assert snapshot() == before


# ---------------------------------------------------------------- races (PostgreSQL)


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs real row locks and parallel connections"
)


@pytest.mark.postgres_only
@needs_postgres
def test_parallel_planning_hands_out_distinct_numbers(org_tx):
    org = org_tx
    complaints = [in_diagnosis(org) for _ in range(6)]

    def work(i):
        return plan(org, complaints[i]).number

    numbers = in_parallel(6, work)
    assert all(isinstance(n, str) for n in numbers), numbers
    year = today().year
    assert sorted(numbers) == [f"CA-{year}-{i:04d}" for i in range(1, 7)]


@pytest.mark.postgres_only
@needs_postgres
def test_parallel_notes_on_a_shared_action_keep_every_event_chain_whole(org_tx):
    from qualityloop.complaints import events

    org = org_tx
    first, second = in_diagnosis(org), in_diagnosis(org)
    action = plan(org, first)
    services.link_action(actor=org["qe"], action_id=action.pk, complaint_id=second.pk)

    def work(i):
        return services.add_note(
            actor=org["ts_member"], action_id=action.pk, text=f"第{i}次进展"
        ).pk

    results = in_parallel(6, work)
    assert all(isinstance(r, int) for r in results), results
    _checked, problems = events.verify_chain(Complaint.objects.filter(pk__in=[first.pk, second.pk]))
    assert problems == []
    for c in (first, second):
        assert [e["step"] for e in events_of(c, EventKind.ACTION)].count("note") == 6
