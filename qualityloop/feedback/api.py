"""The feedback API, mounted beside the complaints API:
/api/v1/complaints/{id}/final-answer and /api/v1/complaints/{id}/surveys.

Each endpoint resolves access first (404 alike for a missing complaint and one the user may
not see, 403 for a visible one the user may not write to), then calls one service.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Status

from qualityloop.core import clock
from qualityloop.core.errors import NotAllowed
from qualityloop.core.schemas import READ_ERRORS, WRITE_ERRORS

from . import access, services
from .models import FinalAnswer, Survey
from .schemas import (
    FinalAnswerIn,
    FinalAnswerOut,
    FinalAnswersOut,
    SurveyCreatedOut,
    SurveyOut,
    SurveySentOut,
    final_answer_out,
    survey_out,
)

router = Router(tags=["feedback"])


def _writable(user, complaint_id, message: str):
    complaint = access.get_complaint_for(user, complaint_id)
    if not access.may_write(user):
        raise NotAllowed(message)
    return complaint


@router.get(
    "/{complaint_id}/final-answer",
    response={200: FinalAnswersOut, **READ_ERRORS},
    summary="The final answer to the complainant, with the earlier ones",
)
def get_final_answer(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    answers = [
        final_answer_out(a)
        for a in FinalAnswer.objects.filter(complaint=complaint).select_related("author")
    ]
    current = next((a for a in answers if a["current"]), None)
    return {"current": current, "history": [a for a in answers if not a["current"]]}


@router.post(
    "/{complaint_id}/final-answer",
    response={201: FinalAnswerOut, **WRITE_ERRORS},
    summary="Record the final answer given to the complainant",
    description=(
        "Sets the complaint's answer (stopping its answer deadline; a complainant with an "
        "e-mail address is sent it) and keeps how and when it was given. A newer answer "
        "supersedes the current one. Open complaints only: on a closed one the answer is 409."
    ),
)
def post_final_answer(request, complaint_id: int, payload: FinalAnswerIn):
    user = request.auth
    complaint = _writable(user, complaint_id, _("You may not answer for this complaint."))
    answer = services.record_final_answer(
        actor=user,
        complaint_id=complaint.pk,
        text=payload.text,
        channel=payload.channel.value,
        answered_on=payload.answered_on or timezone.localdate(clock.now()),
    )
    return Status(
        201, final_answer_out(FinalAnswer.objects.select_related("author").get(pk=answer.pk))
    )


@router.get(
    "/{complaint_id}/surveys",
    response={200: list[SurveyOut], **READ_ERRORS},
    summary="The satisfaction surveys of a complaint, newest first (without their links)",
)
def list_surveys(request, complaint_id: int):
    complaint = access.get_complaint_for(request.auth, complaint_id)
    return [
        survey_out(s)
        for s in Survey.objects.filter(complaint=complaint).select_related("created_by")
    ]


@router.post(
    "/{complaint_id}/surveys",
    response={201: SurveyCreatedOut, **WRITE_ERRORS},
    summary="Create a survey link to give the complainant",
    description=(
        "Closed complaints only (409 otherwise). The answer carries the link this once: only "
        "a hash of it is stored. A survey still waiting for an answer is withdrawn."
    ),
)
def create_survey(request, complaint_id: int):
    user = request.auth
    complaint = _writable(user, complaint_id, _("You may not send surveys about this complaint."))
    survey, raw = services.create_survey(complaint_id=complaint.pk, actor=user)
    survey = Survey.objects.select_related("created_by").get(pk=survey.pk)
    return Status(201, {"survey": survey_out(survey), "url": services.survey_url(raw)})


@router.post(
    "/{complaint_id}/surveys/send",
    response={202: SurveySentOut, **WRITE_ERRORS},
    summary="E-mail the complainant a survey link",
    description=(
        "Closed complaints with a complainant e-mail address (422 on `recipient` without "
        "one). The worker makes the survey and sends the link; it is never shown here."
    ),
)
def send_survey(request, complaint_id: int):
    user = request.auth
    complaint = _writable(user, complaint_id, _("You may not send surveys about this complaint."))
    services.send_survey(complaint_id=complaint.pk, actor=user)
    return Status(202, {"to": complaint.complainant_email})
