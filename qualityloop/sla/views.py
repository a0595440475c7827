"""Deadline actions on the complaint page: hold for the complainant, 催办, escalation to
management and the rectification plan of a major quality case. Each answers with the
complaint page's main region, like the complaint's own actions."""

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qualityloop.capa.queries import actions_for
from qualityloop.complaints import access
from qualityloop.complaints.models import StageTask
from qualityloop.complaints.views import DETAIL_PAGE, complaint_for_page
from qualityloop.core import clock as wallclock
from qualityloop.core.views import run_service

from . import services
from .clocks import FROM_RECEIPT, Arithmetic
from .escalation import duration_text
from .forms import EscalateForm, RectificationItemForm, ReminderForm, ResumeForm, WaitForm
from .models import MajorCase


def clock_rows(complaint) -> list[dict]:
    """Every clock of the complaint with what a reader wants: due, left, met or late by."""
    now = wallclock.now()
    math = Arithmetic()
    rows = []
    clocks = complaint.clocks.select_related("calendar").order_by("started_at", "id")
    order = {kind: n for n, kind in enumerate(FROM_RECEIPT)}
    for c in sorted(clocks, key=lambda c: (c.kind not in order, order.get(c.kind, 0), c.pk)):
        left = None
        if c.stopped_at is None and c.paused_at is None:
            left = math.between(c.calendar, c.basis, now, c.due_at)
            if left <= timedelta(0) and now > c.due_at:
                left = -(now - c.due_at)
        elif c.paused_at is not None:
            left = c.remaining
        rows.append(
            {
                "clock": c,
                "state": c.state,
                "left": left,
                "left_text": duration_text(left) if left is not None else "",
                "overdue": left is not None and left < timedelta(0),
                "late_text": duration_text(c.late_by),
                "target_text": duration_text(c.duration),
            }
        )
    return rows


def panel_context(user, complaint, **forms) -> dict:
    """What the complaint page shows of deadlines; forms may be passed back with errors."""
    case = MajorCase.objects.filter(complaint=complaint).prefetch_related("items__owner").first()
    can_wait = access.can_wait(user, complaint)
    can_plan = case is not None and access.can_plan_rectification(user, complaint)
    version = {"version": complaint.version}
    plan_actions = []
    if case is not None:
        plan_actions = list(actions_for(complaint))
    return {
        "clock_rows": clock_rows(complaint),
        "major_case": case,
        "plan_actions": plan_actions,
        "wait_form": forms.get("wait_form") or WaitForm(initial=version)
        if can_wait and not complaint.waiting_since
        else None,
        "resume_form": forms.get("resume_form") or ResumeForm(initial=version)
        if can_wait and complaint.waiting_since
        else None,
        "escalate_form": forms.get("escalate_form") or EscalateForm()
        if access.can_escalate(user, complaint)
        else None,
        "rectify_form": forms.get("rectify_form") or RectificationItemForm()
        if can_plan and not case.plan_submitted_at
        else None,
        "reminder_form": forms.get("reminder_form") or ReminderForm(),
    }


def _submit(request, complaint, form, slot: str, call, message: str, **extra):
    """Validate ``form`` and run ``call(cleaned_data)``: the fresh page when it went through,
    else the page with the form in ``slot``, its errors next to its fields."""
    return DETAIL_PAGE.submit(request, complaint, form, call, message, **{slot: form}, **extra)


@login_required
@require_POST
def wait(request, pk):
    return _submit(
        request,
        complaint_for_page(request.user, pk),
        WaitForm(request.POST),
        "wait_form",
        lambda data: services.wait_for_complainant(
            actor=request.user,
            complaint_id=pk,
            reason=data["reason"],
            expected_version=data["version"],
        ),
        _("On hold: the deadlines are paused."),
    )


@login_required
@require_POST
def resume(request, pk):
    return _submit(
        request,
        complaint_for_page(request.user, pk),
        ResumeForm(request.POST),
        "resume_form",
        lambda data: services.resume_from_waiting(
            actor=request.user,
            complaint_id=pk,
            note=data["note"],
            expected_version=data["version"],
        ),
        _("Resumed: the deadlines run again."),
    )


@login_required
@require_POST
def remind(request, pk, task_id):
    complaint = complaint_for_page(request.user, pk)
    task = get_object_or_404(StageTask, pk=task_id, complaint=complaint)
    if not access.can_remind(request.user, task):
        raise PermissionDenied
    return _submit(
        request,
        complaint,
        ReminderForm(request.POST),
        "reminder_form",
        lambda data: services.send_reminder(
            actor=request.user, task_id=task.pk, message=data["message"]
        ),
        _("Reminder sent."),
        reminder_task=task.pk,
    )


@login_required
@require_POST
def escalate(request, pk):
    return _submit(
        request,
        complaint_for_page(request.user, pk),
        EscalateForm(request.POST),
        "escalate_form",
        lambda data: services.escalate_to_management(
            actor=request.user, complaint_id=pk, reason=data["reason"], note=data["note"]
        ),
        _("Escalated to management."),
    )


@login_required
@require_POST
def add_item(request, pk):
    return _submit(
        request,
        complaint_for_page(request.user, pk),
        RectificationItemForm(request.POST),
        "rectify_form",
        lambda data: services.add_rectification_item(
            actor=request.user,
            complaint_id=pk,
            measure=data["measure"],
            owner_id=data["owner"].pk,
            due_date=data["due_date"],
        ),
        _("Measure added to the rectification plan."),
    )


@login_required
@require_POST
def submit_plan(request, pk):
    complaint = complaint_for_page(request.user, pk)
    form = RectificationItemForm()
    outcome = run_service(
        lambda: services.submit_rectification_plan(actor=request.user, complaint_id=pk), form
    )
    if outcome:
        return DETAIL_PAGE.done(request, complaint, _("Rectification plan reported to management."))
    return DETAIL_PAGE.refused(request, complaint, rectify_form=form)
