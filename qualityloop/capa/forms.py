"""Forms of the CAPA pages. They parse input; the services decide and write."""

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qualityloop.accounts.models import Department, User
from qualityloop.core import clock
from qualityloop.core.forms import ServiceForm, date_widget, datetime_widget

from .choices import ActionStatus, ActionType, CostCategory, Rating, RemedyKind
from .models import MONEY_MAX, TEXT_MAX, TITLE_MAX


def _text(label, *, rows=3, required=True, help_text=""):
    return forms.CharField(
        label=label,
        max_length=TEXT_MAX,
        required=required,
        widget=forms.Textarea(attrs={"rows": rows}),
        help_text=help_text,
    )


def _money(label):
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=MONEY_MAX,
        decimal_places=2,
        max_digits=14,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
    )


class PlanForm(ServiceForm):
    type = forms.ChoiceField(label=_("Type"), choices=ActionType.choices)
    title = forms.CharField(label=_("Action"), max_length=TITLE_MAX)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("— the owner's —"),
    )
    due_date = forms.DateField(label=_("Due date"), widget=date_widget())
    expected_effect = _text(_("Expected effect"), rows=2)
    effectiveness_criteria = _text(
        _("Effectiveness criteria"),
        rows=2,
        required=False,
        help_text=_(
            "How the check will tell that it worked. Required for corrective and "
            "preventive actions."
        ),
    )
    description = _text(_("Description"), rows=3, required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "plan-%s")
        super().__init__(*args, **kwargs)
        groups: dict[str, list[tuple[int, str]]] = {}
        users = (
            User.objects.filter(is_active=True, department__isnull=False)
            .select_related("department")
            .order_by("department__code", "display_name", "username")
        )
        for user in users:
            groups.setdefault(str(user.department), []).append((user.pk, str(user)))
        self.fields["owner"].choices = [("", _("— choose —")), *groups.items()]

    def service_inputs(self) -> dict:
        data = self.cleaned_data
        department = data.get("department")
        return {
            "type": data["type"],
            "title": data["title"],
            "owner_id": data["owner"],
            "department_id": department.pk if department else None,
            "due_date": data["due_date"],
            "expected_effect": data["expected_effect"],
            "effectiveness_criteria": data["effectiveness_criteria"],
            "description": data["description"],
        }


class LinkForm(ServiceForm):
    complaint = forms.CharField(
        label=_("Complaint number"),
        max_length=30,
        widget=forms.TextInput(attrs={"placeholder": "QC-2026-000123", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "link-%s")
        super().__init__(*args, **kwargs)


class NoteForm(ServiceForm):
    text = _text(_("Progress note"), rows=3)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "note-%s")
        super().__init__(*args, **kwargs)


class EvidenceForm(ServiceForm):
    file = forms.FileField(label=_("File"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "evidence-%s")
        super().__init__(*args, **kwargs)


class CompleteForm(ServiceForm):
    note = _text(
        _("What was done"),
        rows=3,
        required=False,
        help_text=_("Kept as a progress note. Needed unless a note or evidence is on record."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "complete-%s")
        super().__init__(*args, **kwargs)


class CheckForm(ServiceForm):
    method = _text(_("Method"), rows=2, help_text=_("How the effect was checked."))
    result = _text(_("Result"), rows=3, help_text=_("What the check found, against the criteria."))
    rating = forms.ChoiceField(label=_("Rating"), choices=Rating.choices)
    checked_at = forms.DateTimeField(
        label=_("Checked at"),
        required=False,
        widget=datetime_widget(),
        help_text=_("Leave empty for now."),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "check-%s")
        super().__init__(*args, **kwargs)


class RemedyForm(ServiceForm):
    kind = forms.ChoiceField(label=_("Remedy"), choices=RemedyKind.choices)
    amount = _money(_("Amount (CNY)"))
    description = _text(_("Description"), rows=2)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "remedy-%s")
        kwargs.setdefault("initial", {"amount": Decimal("0.00")})
        super().__init__(*args, **kwargs)


class RejectForm(ServiceForm):
    reason = _text(_("Reason"), rows=2)


class CostForm(ServiceForm):
    category = forms.ChoiceField(label=_("Category"), choices=CostCategory.choices)
    amount = _money(_("Amount (CNY)"))
    incurred_on = forms.DateField(label=_("Incurred on"), widget=date_widget())
    description = forms.CharField(label=_("Description"), max_length=500)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", "cost-%s")
        super().__init__(*args, **kwargs)
        self.fields["incurred_on"].initial = lambda: timezone.localdate(clock.now())


class ActionFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("open", _("Open")), *ActionStatus.choices],
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("All")), *ActionType.choices]
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("All"),
    )
    mine = forms.BooleanField(label=_("Only mine"), required=False)
