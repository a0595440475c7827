from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from qualityloop.core import clock
from qualityloop.core.tokens import digest_of

from .choices import SURVEY_STATE_COLOURS, AnswerChannel, SurveyState

ANSWER_MAX = 10_000
COMMENT_MAX = 2_000
SCORE_RANGE = [MinValueValidator(1), MaxValueValidator(5)]


class FinalAnswer(models.Model):
    """The final answer (处理方案) given to the complainant, with how and when it was given.

    A complaint has one current answer; a newer one supersedes it and the old one stays as
    history. The complaint's own ``customer_answer`` always holds the current text.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="final_answers",
    )
    text = models.TextField(_("answer"), validators=[MaxLengthValidator(ANSWER_MAX)])
    channel = models.CharField(_("given by"), max_length=10, choices=AnswerChannel.choices)
    answered_on = models.DateField(_("answered on"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("recorded at"))
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("final answer")
        verbose_name_plural = _("final answers")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(superseded_at__isnull=True),
                name="one_current_final_answer",
            )
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.answered_on:%Y-%m-%d} {self.get_channel_display()}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None


class Survey(models.Model):
    """A satisfaction survey sent to the complainant through a private link.

    Only the SHA-256 of the link's token is kept, so the link is shown once, when it is made.
    A complaint has at most one survey waiting for an answer: a new one withdraws it.
    """

    complaint = models.ForeignKey(
        "complaints.Complaint",
        verbose_name=_("complaint"),
        on_delete=models.PROTECT,
        related_name="surveys",
    )
    digest = models.CharField(max_length=64, unique=True)
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES)
    # Surveys the system e-mails by itself carry a key naming their occasion, so a task
    # that runs twice sends one.
    key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"))
    sent_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    sent_to = models.EmailField(_("e-mailed to"), blank=True)
    send_error = models.TextField(_("e-mail error"), blank=True)
    expires_at = models.DateTimeField(_("valid until"))
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    outcome_score = models.PositiveSmallIntegerField(
        _("outcome"), null=True, blank=True, validators=SCORE_RANGE
    )
    handling_score = models.PositiveSmallIntegerField(
        _("handling"), null=True, blank=True, validators=SCORE_RANGE
    )
    satisfied = models.BooleanField(_("satisfied"), null=True, blank=True)
    comment = models.TextField(
        _("comment"), blank=True, validators=[MaxLengthValidator(COMMENT_MAX)]
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("satisfaction survey")
        verbose_name_plural = _("satisfaction surveys")
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=Q(responded_at__isnull=True, withdrawn_at__isnull=True),
                name="one_open_survey_per_complaint",
            ),
            models.CheckConstraint(
                condition=Q(outcome_score__isnull=True)
                | Q(outcome_score__gte=1, outcome_score__lte=5),
                name="survey_outcome_1_to_5",
            ),
            models.CheckConstraint(
                condition=Q(handling_score__isnull=True)
                | Q(handling_score__gte=1, handling_score__lte=5),
                name="survey_handling_1_to_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.complaint_id} {self.created_at:%Y-%m-%d} {self.get_state_display()}"

    digest_of = staticmethod(digest_of)

    def state_at(self, moment) -> str:
        if self.responded_at is not None:
            return SurveyState.ANSWERED
        if self.withdrawn_at is not None:
            return SurveyState.WITHDRAWN
        if self.expires_at <= moment:
            return SurveyState.EXPIRED
        return SurveyState.SENT if self.sent_at else SurveyState.CREATED

    def is_open_at(self, moment) -> bool:
        return self.state_at(moment) in (SurveyState.CREATED, SurveyState.SENT)

    @property
    def state(self) -> str:
        return self.state_at(clock.now())

    def get_state_display(self) -> str:
        return str(SurveyState(self.state).label)

    @property
    def state_colour(self) -> str:
        return SURVEY_STATE_COLOURS[self.state]
