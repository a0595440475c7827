"""What the feedback API reads and writes. Survey tokens never appear: a survey's link is
given once, in the answer that creates it."""

from datetime import date, datetime

from ninja import Field, Schema

from qualityloop.core.schemas import Day, Input, Text

from .choices import AnswerChannel, SurveyState
from .models import ANSWER_MAX, FinalAnswer, Survey


class FeedbackUserRef(Schema):
    id: int
    label: str


def _user(user) -> dict | None:
    return {"id": user.pk, "label": str(user)} if user else None


class FinalAnswerIn(Input):
    text: Text = Field(max_length=ANSWER_MAX)
    channel: AnswerChannel
    answered_on: Day | None = Field(None, description="the day it was given; today if left out")


class FinalAnswerOut(Schema):
    id: int
    text: str
    channel: str
    answered_on: date
    author: FeedbackUserRef
    created_at: datetime
    superseded_at: datetime | None
    current: bool


def final_answer_out(answer: FinalAnswer) -> dict:
    return {
        "id": answer.pk,
        "text": answer.text,
        "channel": answer.channel,
        "answered_on": answer.answered_on,
        "author": _user(answer.author),
        "created_at": answer.created_at,
        "superseded_at": answer.superseded_at,
        "current": answer.is_current,
    }


class FinalAnswersOut(Schema):
    current: FinalAnswerOut | None = Field(description="null: no final answer yet")
    history: list[FinalAnswerOut] = Field(description="earlier answers, newest first")


class SurveyOut(Schema):
    id: int
    state: SurveyState
    language: str
    created_by: FeedbackUserRef | None = Field(description="null: made by the system")
    created_at: datetime
    sent_at: datetime | None = Field(description="when the link was e-mailed, if it was")
    send_error: str
    expires_at: datetime
    withdrawn_at: datetime | None
    responded_at: datetime | None
    outcome_score: int | None
    handling_score: int | None
    satisfied: bool | None
    comment: str


def survey_out(survey: Survey) -> dict:
    return {
        "id": survey.pk,
        "state": survey.state,
        "language": survey.language,
        "created_by": _user(survey.created_by),
        "created_at": survey.created_at,
        "sent_at": survey.sent_at,
        "send_error": survey.send_error,
        "expires_at": survey.expires_at,
        "withdrawn_at": survey.withdrawn_at,
        "responded_at": survey.responded_at,
        "outcome_score": survey.outcome_score,
        "handling_score": survey.handling_score,
        "satisfied": survey.satisfied,
        "comment": survey.comment,
    }


class SurveyCreatedOut(Schema):
    survey: SurveyOut
    url: str = Field(description="the private link; it is not stored and not shown again")


class SurveySentOut(Schema):
    to: str = Field(description="the complainant's address the worker will send the link to")
