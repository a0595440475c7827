from django import forms
from django.utils.translation import gettext_lazy as _

from qualityloop.accounts.models import User
from qualityloop.complaints.forms import UserChoiceField, VersionedForm
from qualityloop.core.forms import PageForm, date_widget

from .choices import ManagementReason


class WaitForm(VersionedForm):
    id_prefix = "wait"
    reason = forms.CharField(
        label=_("What are you waiting for?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ResumeForm(VersionedForm):
    id_prefix = "resume"
    note = forms.CharField(
        label=_("What arrived?"), max_length=2000, required=False, widget=forms.TextInput
    )


class ReminderForm(PageForm):
    id_prefix = "remind"
    message = forms.CharField(
        label=_("Reminder (催办)"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class EscalateForm(PageForm):
    id_prefix = "escalate"
    reason = forms.ChoiceField(label=_("Reason"), choices=ManagementReason.choices)
    note = forms.CharField(
        label=_("What management needs to know"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RectificationItemForm(PageForm):
    id_prefix = "rectify"
    measure = forms.CharField(
        label=_("Measure"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = UserChoiceField(
        label=_("Owner"),
        queryset=User.objects.filter(is_active=True).order_by("display_name", "username"),
    )
    due_date = forms.DateField(label=_("Due date"), widget=date_widget())
