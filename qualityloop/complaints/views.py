"""The complaint pages. Each view parses, decides access, calls one service and renders."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityloop.accounts.models import User
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, ValidationFailed
from qualityloop.core.htmx import render_region

from . import access, attachments, queries, services, signatures, workflow
from .choices import TaskStatus
from .forms import (
    AddTaskForm,
    AnswerForm,
    AssignForm,
    AttachmentForm,
    CommentForm,
    CompleteTaskForm,
    EditForm,
    FilterForm,
    GradeForm,
    RegisterForm,
    TransitionForm,
)
from .models import Attachment, Complaint, StageTask

DETAIL = "complaints/detail.html"


@login_required
def home(request):
    return redirect("my-work")


@login_required
@require_GET
def my_work(request):
    user = request.user
    tasks = list(queries.my_tasks(user)[:200])
    unassigned = None
    if user.role in access.REGISTER:
        unassigned = (
            access.visible_tasks(user).filter(status=TaskStatus.OPEN, assignee__isnull=True).count()
        )
    return render(
        request,
        "complaints/my_work.html",
        {"tasks": tasks, "now": clock.now(), "unassigned": unassigned},
    )


@login_required
@require_GET
def complaint_list(request):
    form = FilterForm(request.GET)
    form.is_valid()
    size = form.cleaned_data.get("size") or queries.PAGE_SIZE
    page = queries.page(
        access.visible_complaints(request.user),
        form.filters(),
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
        size=size,
    )
    context = {"form": form, "page": page, "now": clock.now()}
    return render_region(request, "complaints/list.html", "table", context)


@login_required
@require_http_methods(["GET", "POST"])
def register(request):
    if not access.can_register(request.user):
        raise PermissionDenied
    if request.method == "POST":
        form = RegisterForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                complaint = services.register_complaint(
                    actor=request.user,
                    data=form.service_data(),
                    files=form.cleaned_data["attachments"],
                )
            except ValidationFailed as exc:
                form.add_service_errors(exc.errors)
            except DomainError as exc:
                form.add_error("attachments" if exc.field == "file" else None, str(exc.message))
            else:
                messages.success(
                    request,
                    _("Complaint %(number)s registered.") % {"number": complaint.number},
                )
                return redirect("complaint-detail", pk=complaint.pk)
    else:
        form = RegisterForm()
    related = _earlier(form.data.get("product"), form.data.get("batch"))
    return render(request, "complaints/register.html", {"form": form, "related": related})


def _earlier(product_id, batch_id):
    try:
        product_id = int(product_id) if product_id else None
        batch_id = int(batch_id) if batch_id else None
    except ValueError:
        return []
    return list(services.earlier_complaints(product_id=product_id, batch_id=batch_id))


@login_required
@require_GET
def register_related(request):
    # Registration staff see every complaint, so the suggestions need no further scoping.
    if not access.can_register(request.user):
        raise PermissionDenied
    related = _earlier(request.GET.get("product"), request.GET.get("batch"))
    return render(request, "complaints/register.html#related", {"related": related})


# ---------------------------------------------------------------- the complaint page


def _complaint(user, pk) -> Complaint:
    return access.get_complaint_for(
        user,
        pk,
        queryset=Complaint.objects.select_related(
            "customer",
            "product",
            "batch",
            "site",
            "category__parent",
            "responsible_department",
            "received_by",
            "severity_rule",
        ),
    )


def _stages(complaint: Complaint) -> list[dict]:
    current = workflow.STAGE_NUMBER.get(complaint.status)
    closed = complaint.status == workflow.Status.CLOSED
    steps = []
    for number, stage in enumerate(workflow.STAGES, start=1):
        if closed or (current and number < current):
            state = "done"
        elif number == current:
            state = "current"
        else:
            state = "todo"
        steps.append({"number": number, "label": stage.label, "state": state})
    return steps


def _members(task: StageTask):
    return User.objects.filter(department_id=task.department_id, is_active=True).order_by(
        "display_name", "username"
    )


def _detail_context(request, complaint: Complaint, **overrides) -> dict:
    user = request.user
    tasks = list(
        complaint.tasks.select_related("department", "assignee", "completed_by").order_by(
            "opened_at", "id"
        )
    )
    assignable = [t for t in tasks if access.can_assign(user, t)]
    members: dict[int, list[User]] = {}
    if assignable:
        for member in User.objects.filter(
            department_id__in={t.department_id for t in assignable}, is_active=True
        ).order_by("display_name", "username"):
            members.setdefault(member.department_id, []).append(member)
    task_forms = overrides.pop("task_forms", {})
    rows = []
    for task in tasks:
        assign = None
        if task in assignable:
            assign = task_forms.get(("assign", task.pk))
            if assign is None:
                assign = AssignForm(
                    members=_members(task),
                    initial={"assignee": task.assignee_id},
                    auto_id=f"task{task.pk}-%s",
                )
                # The members are loaded above for all tasks at once; no query per row.
                assign.fields["assignee"].choices = [("", _("— nobody —"))] + [
                    (m.pk, str(m)) for m in members.get(task.department_id, [])
                ]
        complete = None
        if access.can_complete_task(user, task):
            complete = task_forms.get(("complete", task.pk)) or CompleteTaskForm(
                auto_id=f"task{task.pk}-%s"
            )
        rows.append({"task": task, "assign_form": assign, "complete_form": complete})

    can = {
        "edit": access.can_edit(user, complaint),
        "grade": access.can_override_grade(user, complaint),
        "answer": access.can_answer(user, complaint),
        "comment": access.can_comment(user, complaint),
        "add_task": access.can_add_task(user, complaint),
    }
    version = {"version": complaint.version}
    context = {
        "complaint": complaint,
        "stages": _stages(complaint),
        "task_rows": rows,
        "transitions": services.available_transitions(user, complaint),
        "open_transition": None,
        "transition_form": None,
        "events": complaint.events.select_related("actor").order_by("-seq"),
        "attachments": complaint.attachments.select_related("uploaded_by"),
        "can": can,
        "now": clock.now(),
        "edit_form": EditForm(complaint=complaint) if can["edit"] else None,
        "edit_open": False,
        "grade_form": GradeForm(initial={**version, "severity": complaint.severity})
        if can["grade"]
        else None,
        "answer_form": AnswerForm(initial={**version, "text": complaint.customer_answer})
        if can["answer"]
        else None,
        "comment_form": CommentForm(),
        "attachment_form": AttachmentForm(),
        "add_task_form": AddTaskForm() if can["add_task"] else None,
        "can_remind": {t.pk for t in tasks if access.can_remind(user, t)},
        "signatures": signatures.signatures_for(complaint),
    }
    from qualityloop.sla import views as sla_views  # it builds on this module's helpers

    sla_forms = {
        k: overrides.pop(k)
        for k in ("wait_form", "resume_form", "escalate_form", "rectify_form", "reminder_form")
        if k in overrides
    }
    context.update(sla_views.panel_context(user, complaint, **sla_forms))
    context.update(overrides)
    return context


def _render_detail(request, complaint, *, status=200, **overrides):
    context = _detail_context(request, complaint, **overrides)
    # htmx swaps only 2xx answers, so an error shown inside the region travels as 200.
    return render_region(request, DETAIL, "main", context, status=200 if request.htmx else status)


def _done(request, complaint_id, message):
    """After a change: the fresh region for htmx, a redirect for a plain form post."""
    messages.success(request, message)
    if request.htmx:
        return _render_detail(request, _complaint(request.user, complaint_id))
    return redirect("complaint-detail", pk=complaint_id)


@login_required
@require_GET
def detail(request, pk):
    complaint = _complaint(request.user, pk)
    return render(request, DETAIL, _detail_context(request, complaint))


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, pk, name):
    complaint = _complaint(request.user, pk)
    chosen = workflow.BY_NAME.get(name)
    if chosen is None:
        raise Http404
    if not access.may_take(request.user, chosen, complaint, services.current_stage_task(complaint)):
        raise PermissionDenied
    if request.method == "GET":
        form = TransitionForm(transition=chosen, initial={"version": complaint.version})
        opened = {"open_transition": chosen, "transition_form": form}
        if request.htmx:
            return render(request, f"{DETAIL}#transition_form", {"complaint": complaint, **opened})
        return render(request, DETAIL, _detail_context(request, complaint, **opened))

    form = TransitionForm(request.POST, transition=chosen)
    status = 422
    if form.is_valid():
        try:
            services.transition_complaint(
                actor=request.user,
                complaint_id=complaint.pk,
                name=name,
                expected_version=form.cleaned_data["version"],
                **form.inputs(),
                **form.signing(),
            )
        except NotAllowed:
            raise PermissionDenied from None
        except ValidationFailed as exc:
            for field, errors in exc.errors.items():
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        except DomainError as exc:
            form.add_error(None, str(exc.message))
            status = exc.status
        else:
            return _done(request, pk, _("“%(t)s” done.") % {"t": chosen.label})
    return _render_detail(
        request,
        _complaint(request.user, pk),
        status=status,
        open_transition=chosen,
        transition_form=form,
    )


def _call_service(form, call):
    """Run ``call``; put what the service refuses next to ``form``'s fields.

    Returns whether it went through and the status to answer with if not.
    """
    try:
        call()
    except NotAllowed:
        raise PermissionDenied from None
    except ValidationFailed as exc:
        for field, errors in exc.errors.items():
            target = field.removesuffix("_id")
            for error in errors:
                form.add_error(target if target in form.fields else None, error)
        return False, exc.status
    except DomainError as exc:
        form.add_error(None, str(exc.message))
        return False, exc.status
    return True, 200


@login_required
@require_POST
def edit(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_edit(request.user, complaint):
        raise PermissionDenied
    form = EditForm(request.POST, complaint=complaint)
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.update_complaint(
                actor=request.user,
                complaint_id=complaint.pk,
                changes=form.changes(),
                expected_version=form.cleaned_data["version"],
                reason=form.cleaned_data["reason"],
            ),
        )
        if ok:
            return _done(request, pk, _("Changes saved."))
    return _render_detail(
        request, _complaint(request.user, pk), status=status, edit_form=form, edit_open=True
    )


@login_required
@require_POST
def grade(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_override_grade(request.user, complaint):
        raise PermissionDenied
    form = GradeForm(request.POST)
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.override_grade(
                actor=request.user,
                complaint_id=complaint.pk,
                severity=form.cleaned_data["severity"],
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if ok:
            return _done(request, pk, _("Grade saved."))
    return _render_detail(request, _complaint(request.user, pk), status=status, grade_form=form)


@login_required
@require_POST
def answer(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_answer(request.user, complaint):
        raise PermissionDenied
    form = AnswerForm(request.POST)
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.record_customer_answer(
                actor=request.user,
                complaint_id=complaint.pk,
                text=form.cleaned_data["text"],
                expected_version=form.cleaned_data["version"],
            ),
        )
        if ok:
            return _done(request, pk, _("Answer recorded."))
    return _render_detail(request, _complaint(request.user, pk), status=status, answer_form=form)


@login_required
@require_POST
def comment(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_comment(request.user, complaint):
        raise PermissionDenied
    form = CommentForm(request.POST)
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.add_comment(
                actor=request.user, complaint_id=complaint.pk, body=form.cleaned_data["body"]
            ),
        )
        if ok:
            return _done(request, pk, _("Comment added."))
    return _render_detail(request, _complaint(request.user, pk), status=status, comment_form=form)


@login_required
@require_POST
def attach(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_comment(request.user, complaint):
        raise PermissionDenied
    form = AttachmentForm(request.POST, request.FILES)
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.add_attachment(
                actor=request.user, complaint_id=complaint.pk, upload=form.cleaned_data["file"]
            ),
        )
        if ok:
            return _done(request, pk, _("File added."))
    return _render_detail(
        request, _complaint(request.user, pk), status=status, attachment_form=form
    )


@login_required
@require_POST
def add_task(request, pk):
    complaint = _complaint(request.user, pk)
    if not access.can_add_task(request.user, complaint):
        raise PermissionDenied
    form = AddTaskForm(request.POST)
    status = 422
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        ok, status = _call_service(
            form,
            lambda: services.add_task(
                actor=request.user,
                complaint_id=complaint.pk,
                department_id=form.cleaned_data["department"].pk,
                title=form.cleaned_data["title"],
                due_at=form.cleaned_data["due_at"],
                assignee_id=assignee.pk if assignee else None,
            ),
        )
        if ok:
            return _done(request, pk, _("Task added."))
    return _render_detail(request, _complaint(request.user, pk), status=status, add_task_form=form)


def _task(complaint, task_id) -> StageTask:
    return get_object_or_404(complaint.tasks.select_related("department"), pk=task_id)


@login_required
@require_POST
def assign(request, pk, task_id):
    complaint = _complaint(request.user, pk)
    task = _task(complaint, task_id)
    if not access.can_assign(request.user, task):
        raise PermissionDenied
    form = AssignForm(request.POST, members=_members(task), auto_id=f"task{task.pk}-%s")
    status = 422
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        ok, status = _call_service(
            form,
            lambda: services.assign_task(
                actor=request.user,
                task_id=task.pk,
                assignee_id=assignee.pk if assignee else None,
            ),
        )
        if ok:
            return _done(request, pk, _("Task assigned."))
    return _render_detail(
        request,
        _complaint(request.user, pk),
        status=status,
        task_forms={("assign", task.pk): form},
    )


@login_required
@require_POST
def complete_task(request, pk, task_id):
    complaint = _complaint(request.user, pk)
    task = _task(complaint, task_id)
    if not access.can_complete_task(request.user, task):
        raise PermissionDenied
    form = CompleteTaskForm(request.POST, auto_id=f"task{task.pk}-%s")
    status = 422
    if form.is_valid():
        ok, status = _call_service(
            form,
            lambda: services.complete_task(
                actor=request.user, task_id=task.pk, outcome=form.cleaned_data["outcome"]
            ),
        )
        if ok:
            return _done(request, pk, _("Task completed."))
    return _render_detail(
        request,
        _complaint(request.user, pk),
        status=status,
        task_forms={("complete", task.pk): form},
    )


@login_required
@require_GET
def download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    access.get_complaint_for(request.user, attachment.complaint_id)
    return attachments.response(attachment)
