from django.db import models
from django.utils.translation import gettext_lazy as _


class AnswerChannel(models.TextChoices):
    """How the final answer reached the complainant."""

    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")
    LETTER = "letter", _("Letter")
    VISIT = "visit", _("Visit")
    CHAT = "chat", _("Chat")
    OTHER = "other", _("Other")


class SurveyState(models.TextChoices):
    CREATED = "created", _("Link created, not e-mailed")
    SENT = "sent", _("Sent")
    ANSWERED = "answered", _("Answered")
    EXPIRED = "expired", _("Expired")
    WITHDRAWN = "withdrawn", _("Replaced by a newer link")


SURVEY_STATE_COLOURS = {
    SurveyState.CREATED: "grey",
    SurveyState.SENT: "blue",
    SurveyState.ANSWERED: "green",
    SurveyState.EXPIRED: "orange",
    SurveyState.WITHDRAWN: "grey",
}


class LowScoreAction(models.TextChoices):
    """What a low score or "not satisfied" sets off (settings.SURVEY_LOW_SCORE_ACTION)."""

    REOPEN = "reopen", _("Reopen the complaint")
    ESCALATE = "escalate", _("Escalate to management")


class Score(models.IntegerChoices):
    VERY_POOR = 1, _("1 – very poor")
    POOR = 2, _("2 – poor")
    FAIR = 3, _("3 – fair")
    GOOD = 4, _("4 – good")
    VERY_GOOD = 5, _("5 – very good")
