"""Forms of the message panel. They parse input; the services decide and write."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .choices import MessageChannel, TemplateCode
from .models import BODY_MAX, SUBJECT_MAX


class SendForm(forms.Form):
    template = forms.ChoiceField(
        label=_("Template"),
        choices=[("", _("— none, write freely —")), *TemplateCode.choices],
        required=False,
    )
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=MessageChannel.choices,
        initial=MessageChannel.EMAIL,
        help_text=_("E-mail is sent from here; other channels log what you told the complainant."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    body = forms.CharField(
        label=_("Text"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Leave empty to send the template as it is."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "send-%s")
        super().__init__(*args, **kwargs)

    def service_inputs(self) -> dict:
        """Edited text if the agent wrote any; otherwise the template renders itself."""
        data = self.cleaned_data
        edited = bool(data["subject"].strip() or data["body"].strip())
        return {
            "template_code": data["template"] or None,
            "language": data["language"],
            "channel": data["channel"],
            "subject": data["subject"] if edited else None,
            "body": data["body"] if edited else None,
        }


class ReceivedForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"), choices=MessageChannel.choices, initial=MessageChannel.PHONE
    )
    occurred_at = forms.DateTimeField(
        label=_("Received at"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."),
    )
    sender = forms.CharField(
        label=_("From"),
        max_length=254,
        required=False,
        help_text=_("Address, number or name; the complainant's if left empty."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX, required=False)
    body = forms.CharField(
        label=_("What the complainant said"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "received-%s")
        super().__init__(*args, **kwargs)
