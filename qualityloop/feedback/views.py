"""The feedback panel of a complaint (final answer, surveys) and the public survey page.

The complaint page loads the panel with htmx from ``panel``; the same URL without htmx is a
page of its own. Each panel view decides access (404 for a complaint the user may not see,
403 for writing without the role), calls one service and renders the panel again.

The survey page needs no login: the link's token is the credential. Every link that cannot
be answered (wrong, expired, replaced or used) gets the same 404 page, which says nothing
about the complaint.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from qualityloop.core import clock
from qualityloop.core.errors import DomainError, ValidationFailed
from qualityloop.core.forms import add_service_errors
from qualityloop.core.views import Region, run_service

from . import access, services
from .forms import FinalAnswerForm, SurveyForm
from .models import FinalAnswer, Survey

PAGE = "feedback/panel.html"


def _answer_form(data=None) -> FinalAnswerForm:
    return FinalAnswerForm(data, initial={"answered_on": timezone.localdate(clock.now())})


def _context(request, complaint, **overrides) -> dict:
    user = request.user
    answers = list(FinalAnswer.objects.filter(complaint=complaint).select_related("author"))
    can_answer = access.can_answer(user, complaint)
    can_survey = access.can_survey(user, complaint)
    current = next((a for a in answers if a.is_current), None)
    if current is not None and current.text != complaint.customer_answer:
        # The complaint's answer was changed elsewhere (its own answer form, closing at
        # first contact, rejecting): that text is the answer now.
        current = None
    context = {
        "complaint": complaint,
        "current_answer": current,
        "answer_history": [a for a in answers if a is not current],
        "answer_form": _answer_form() if can_answer else None,
        "surveys": list(Survey.objects.filter(complaint=complaint).select_related("created_by")),
        "can_survey": can_survey,
        "may_write": access.may_write(user),
        "new_link": None,
        "survey_error": None,
        "notice": None,
    }
    context.update(overrides)
    return context


# The services change the complaint (its answer, its state): the panel reads it again.
PANEL = Region(
    PAGE, "panel", context=_context, url_name="feedback-panel", load=access.get_complaint_for
)


def _writable(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    if not access.may_write(request.user):
        raise PermissionDenied
    return complaint


@login_required
@require_GET
def panel(request, pk):
    complaint = access.get_complaint_for(request.user, pk)
    return PANEL.render(request, complaint)


@login_required
@require_POST
def final_answer(request, pk):
    complaint = _writable(request, pk)
    form = _answer_form(request.POST)
    return PANEL.submit(
        request,
        complaint,
        form,
        lambda data: services.record_final_answer(
            actor=request.user,
            complaint_id=complaint.pk,
            text=data["text"],
            channel=data["channel"],
            answered_on=data["answered_on"],
        ),
        _("Final answer recorded."),
        answer_form=form,
    )


@never_cache
@login_required
@require_POST
def create_survey(request, pk):
    """A survey link to give by hand; the page shows it this once."""
    complaint = _writable(request, pk)
    created = run_service(
        lambda: services.create_survey(complaint_id=complaint.pk, actor=request.user)
    )
    if not created:
        return PANEL.refused(request, complaint, survey_error=created.message)
    _survey, raw = created.value
    return PANEL.render(
        request,
        complaint,
        new_link=services.survey_url(raw),
        notice=_("Survey link created. Copy it now: it is shown only once."),
    )


@login_required
@require_POST
def send_survey(request, pk):
    complaint = _writable(request, pk)
    sent = run_service(lambda: services.send_survey(complaint_id=complaint.pk, actor=request.user))
    if not sent:
        return PANEL.refused(request, complaint, survey_error=sent.message)
    notice = _("The survey is on its way to %(to)s.") % {"to": complaint.complainant_email}
    return PANEL.done(request, complaint, notice)


# ---------------------------------------------------------------- the public survey page


def _private(response, language: str | None = None):
    """Keep the link out of caches, search engines and other sites' logs.

    "same-origin", not "no-referrer": under the latter browsers post the form with
    ``Origin: null``, which the CSRF check refuses.
    """
    response["Referrer-Policy"] = "same-origin"
    response["X-Robots-Tag"] = "noindex, nofollow"
    if language:
        response["Content-Language"] = language
    return response


def _invalid_link(request):
    return _private(render(request, "feedback/survey_invalid.html", status=404))


@never_cache
@require_http_methods(["GET", "POST"])
def survey(request, token):
    found = services.open_survey(token)
    if found is None:
        return _invalid_link(request)
    language = found.language
    status = 200
    form = SurveyForm(request.POST if request.method == "POST" else None)
    with translation.override(language):
        if request.method == "POST" and form.is_valid():
            try:
                services.submit_survey(raw_token=token, **form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors)
            except DomainError:
                form = None  # used up between loading the page and sending it
            else:
                response = render(request, "feedback/survey_done.html", {"language": language})
                return _private(response, language)
        if form is not None:
            if form.is_bound:
                status = 422
            context = {"complaint": found.complaint, "form": form}
            return _private(
                render(request, "feedback/survey.html", context, status=status), language
            )
    return _invalid_link(request)
