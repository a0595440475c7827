"""Forms of the feedback panel and of the public survey page. They parse input; the
services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import AnswerChannel, Score
from .models import ANSWER_MAX, COMMENT_MAX


class FinalAnswerForm(forms.Form):
    text = forms.CharField(
        label=_("Final answer"),
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What was agreed with the complainant (处理方案)."),
    )
    channel = forms.ChoiceField(
        label=_("Given by"), choices=AnswerChannel.choices, initial=AnswerChannel.EMAIL
    )
    answered_on = forms.DateField(
        label=_("Answered on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "final-answer-%s")
        super().__init__(*args, **kwargs)


def _yes(value: str) -> bool:
    return value == "yes"


class SurveyForm(forms.Form):
    outcome_score = forms.TypedChoiceField(
        label=_("How satisfied are you with the outcome?"),
        choices=Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    handling_score = forms.TypedChoiceField(
        label=_("How satisfied are you with how we handled your complaint?"),
        choices=Score.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    satisfied = forms.TypedChoiceField(
        label=_("All in all, are you satisfied?"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=_yes,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Anything you want to tell us?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "survey-%s")
        super().__init__(*args, **kwargs)
