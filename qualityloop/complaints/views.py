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
from qualityloop.core.htmx import render_region
from qualityloop.core.views import Region, run_service

from . import access, attachments, hooks, queries, services, signatures, workflow
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
        registered = form.is_valid() and run_service(
            lambda: services.register_complaint(
                actor=request.user,
                data=form.service_data(),
                files=form.cleaned_data["attachments"],
            ),
            form,
        )
        if registered:
            complaint = registered.value
            messages.success(
                request, _("Complaint %(number)s registered.") % {"number": complaint.number}
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


def complaint_for_page(user, pk) -> Complaint:
    """The complaint ``pk`` as its page shows it; 404 alike for missing and not visible."""
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
    # The other apps' panels and what they show (hooks), then forms passed back with errors.
    panels: dict[str, list] = {}
    for contributed in hooks.collect("page_panels", complaint):
        for slot, weight, template in contributed:
            panels.setdefault(slot, []).append((weight, template))
    context["panels"] = {slot: [t for _w, t in sorted(found)] for slot, found in panels.items()}
    context.update(hooks.merged("page_context", complaint, user=user, forms=overrides))
    context.update(overrides)
    return context


DETAIL_PAGE = Region(
    DETAIL,
    "main",
    context=_detail_context,
    url_name="complaint-detail",
    flash=True,  # the page shows its messages inside the main region
    load=complaint_for_page,
)


@login_required
@require_GET
def detail(request, pk):
    complaint = complaint_for_page(request.user, pk)
    return render(request, DETAIL, _detail_context(request, complaint))


@login_required
@require_http_methods(["GET", "POST"])
def transition(request, pk, name):
    complaint = complaint_for_page(request.user, pk)
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
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.transition_complaint(
            actor=request.user,
            complaint_id=complaint.pk,
            name=name,
            expected_version=data["version"],
            **form.inputs(),
            **form.signing(),
        ),
        _("“%(t)s” done.") % {"t": chosen.label},
        open_transition=chosen,
        transition_form=form,
    )


def _writable(request, pk, allowed) -> Complaint:
    complaint = complaint_for_page(request.user, pk)
    if not allowed(request.user, complaint):
        raise PermissionDenied
    return complaint


@login_required
@require_POST
def edit(request, pk):
    complaint = _writable(request, pk, access.can_edit)
    form = EditForm(request.POST, complaint=complaint)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.update_complaint(
            actor=request.user,
            complaint_id=complaint.pk,
            changes=form.changes(),
            expected_version=data["version"],
            reason=data["reason"],
        ),
        _("Changes saved."),
        edit_form=form,
        edit_open=True,
    )


@login_required
@require_POST
def grade(request, pk):
    complaint = _writable(request, pk, access.can_override_grade)
    form = GradeForm(request.POST)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.override_grade(
            actor=request.user,
            complaint_id=complaint.pk,
            severity=data["severity"],
            reason=data["reason"],
            expected_version=data["version"],
        ),
        _("Grade saved."),
        grade_form=form,
    )


@login_required
@require_POST
def answer(request, pk):
    complaint = _writable(request, pk, access.can_answer)
    form = AnswerForm(request.POST)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.record_customer_answer(
            actor=request.user,
            complaint_id=complaint.pk,
            text=data["text"],
            expected_version=data["version"],
        ),
        _("Answer recorded."),
        answer_form=form,
    )


@login_required
@require_POST
def comment(request, pk):
    complaint = _writable(request, pk, access.can_comment)
    form = CommentForm(request.POST)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.add_comment(
            actor=request.user, complaint_id=complaint.pk, body=data["body"]
        ),
        _("Comment added."),
        comment_form=form,
    )


@login_required
@require_POST
def attach(request, pk):
    complaint = _writable(request, pk, access.can_comment)
    form = AttachmentForm(request.POST, request.FILES)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.add_attachment(
            actor=request.user, complaint_id=complaint.pk, upload=data["file"]
        ),
        _("File added."),
        attachment_form=form,
    )


@login_required
@require_POST
def add_task(request, pk):
    complaint = _writable(request, pk, access.can_add_task)
    form = AddTaskForm(request.POST)
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.add_task(
            actor=request.user,
            complaint_id=complaint.pk,
            department_id=data["department"].pk,
            title=data["title"],
            due_at=data["due_at"],
            assignee_id=data["assignee"].pk if data["assignee"] else None,
        ),
        _("Task added."),
        add_task_form=form,
    )


def _task(complaint, task_id) -> StageTask:
    return get_object_or_404(complaint.tasks.select_related("department"), pk=task_id)


@login_required
@require_POST
def assign(request, pk, task_id):
    complaint = complaint_for_page(request.user, pk)
    task = _task(complaint, task_id)
    if not access.can_assign(request.user, task):
        raise PermissionDenied
    form = AssignForm(request.POST, members=_members(task), auto_id=f"task{task.pk}-%s")
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.assign_task(
            actor=request.user,
            task_id=task.pk,
            assignee_id=data["assignee"].pk if data["assignee"] else None,
        ),
        _("Task assigned."),
        task_forms={("assign", task.pk): form},
    )


@login_required
@require_POST
def complete_task(request, pk, task_id):
    complaint = complaint_for_page(request.user, pk)
    task = _task(complaint, task_id)
    if not access.can_complete_task(request.user, task):
        raise PermissionDenied
    form = CompleteTaskForm(request.POST, auto_id=f"task{task.pk}-%s")
    return DETAIL_PAGE.submit(
        request,
        complaint,
        form,
        lambda data: services.complete_task(
            actor=request.user, task_id=task.pk, outcome=data["outcome"]
        ),
        _("Task completed."),
        task_forms={("complete", task.pk): form},
    )


@login_required
@require_GET
def download(request, pk):
    attachment = get_object_or_404(Attachment, pk=pk)
    access.get_complaint_for(request.user, attachment.complaint_id)
    return attachments.response(attachment)
