"""Forms of the complaint pages. They parse input; the services decide and write."""

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qualityloop.accounts.models import Department, User
from qualityloop.catalog.models import Batch, Customer, Product
from qualityloop.core.forms import PageForm, ServiceErrorsMixin, date_widget, datetime_widget

from . import queries, workflow
from .choices import Severity
from .models import DESCRIPTION_MAX, Category, Complaint
from .workflow import Status


def _model_field(name: str, **kwargs):
    """A form field with the model field's label, length limit and choices."""
    return Complaint._meta.get_field(name).formfield(**kwargs)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.path


class BatchChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.lot_number} · {obj.product.name} {obj.product.model}"


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return str(obj)


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent")


def _departments():
    return Department.objects.filter(is_active=True)


# ---------------------------------------------------------------- list filters


class FilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Number, subject, text, complainant…")}
        ),
    )
    state = forms.ChoiceField(label=_("State"), choices=queries.STATE_CHOICES, required=False)
    stage = forms.ChoiceField(
        label=_("Stage"), choices=[("", _("Any stage")), *Status.choices], required=False
    )
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=[("", _("Any severity")), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=_categories(), required=False, empty_label=_("Any category")
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.all(),
        required=False,
        empty_label=_("Any product"),
    )
    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.all(),
        required=False,
        empty_label=_("Any customer"),
    )
    department = forms.ModelChoiceField(
        label=_("Department"),
        queryset=_departments(),
        required=False,
        empty_label=_("Any department"),
    )
    received_from = forms.DateField(label=_("Received from"), required=False, widget=date_widget())
    received_to = forms.DateField(label=_("Received to"), required=False, widget=date_widget())
    sort = forms.ChoiceField(
        label=_("Sort"), choices=list(queries.SORT_LABELS.items()), required=False
    )
    size = forms.IntegerField(
        min_value=1, max_value=queries.MAX_PAGE_SIZE, required=False, widget=forms.HiddenInput
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end date is before the start date."))
        return cleaned

    def filters(self) -> queries.Filters:
        """The filters from every field that parsed; a field in error is left out."""
        data = getattr(self, "cleaned_data", {})

        def pk(name):
            obj = data.get(name)
            return obj.pk if obj is not None else None

        return queries.Filters(
            state=data.get("state") or "open",
            stage=data.get("stage") or "",
            severity=data.get("severity"),
            category=pk("category"),
            product=pk("product"),
            customer=pk("customer"),
            department=pk("department"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            q=data.get("q") or "",
            sort=data.get("sort") or "newest",
        )


# ---------------------------------------------------------------- intake and edit


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ComplaintFields(ServiceErrorsMixin, forms.Form):
    """The intake fields shared by registration and editing."""

    FOREIGN_KEYS = ("customer", "product", "batch", "category", "responsible_department")
    FIELDSETS = (
        (
            _("Complainant"),
            (
                "complainant_name",
                "complainant_org",
                "complainant_phone",
                "complainant_email",
                "complainant_type",
                "customer",
            ),
        ),
        (
            _("Product"),
            ("product", "model_number", "batch", "serial_number", "quantity", "purchase_date"),
        ),
        (
            _("Problem"),
            ("title", "description", "occurred_at", "occurred_place", "category"),
        ),
        (
            _("Request and intake"),
            (
                "requested_remedy",
                "requested_remedy_detail",
                "immediate_action",
                "channel",
                "received_at",
                "responsible_department",
            ),
        ),
        (
            _("Grading inputs"),
            ("safety_or_regulatory", "scope", "line_down", "is_repeat"),
        ),
    )
    WIDE = frozenset({"title", "description", "immediate_action", "requested_remedy_detail"})

    complainant_name = _model_field("complainant_name")
    complainant_org = _model_field("complainant_org")
    complainant_phone = _model_field("complainant_phone")
    complainant_email = _model_field("complainant_email")
    complainant_type = _model_field("complainant_type")
    customer = forms.ModelChoiceField(
        label=_("Customer"), queryset=Customer.objects.filter(is_active=True), required=False
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.filter(is_active=True), required=False
    )
    model_number = _model_field("model_number")
    batch = BatchChoiceField(
        label=_("Batch / lot"),
        queryset=Batch.objects.select_related("product"),
        required=False,
    )
    serial_number = _model_field("serial_number")
    quantity = _model_field("quantity")
    purchase_date = _model_field("purchase_date", widget=date_widget())
    title = _model_field("title")
    description = _model_field(
        "description",
        max_length=DESCRIPTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    occurred_at = _model_field("occurred_at", widget=datetime_widget())
    occurred_place = _model_field("occurred_place")
    category = CategoryChoiceField(label=_("Category"), queryset=_categories(), required=False)
    requested_remedy = _model_field("requested_remedy")
    requested_remedy_detail = _model_field("requested_remedy_detail")
    immediate_action = _model_field(
        "immediate_action", max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    channel = _model_field("channel")
    received_at = _model_field(
        "received_at",
        required=False,
        widget=datetime_widget(),
        help_text=_("Leave empty for now."),
    )
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"), queryset=_departments(), required=False
    )
    safety_or_regulatory = _model_field("safety_or_regulatory")
    scope = _model_field("scope")
    line_down = _model_field("line_down")

    def fieldsets(self):
        for legend, names in self.FIELDSETS:
            yield legend, [(self[name], name in self.WIDE) for name in names if name in self.fields]

    def service_data(self, names=None) -> dict:
        """Cleaned values under the names the services take (foreign keys as ``*_id``)."""
        data = {}
        for name in names if names is not None else self.FIELD_NAMES:
            value = self.cleaned_data.get(name)
            if name in self.FOREIGN_KEYS:
                data[f"{name}_id"] = value.pk if value is not None else None
            else:
                data[name] = value
        return data


ComplaintFields.FIELD_NAMES = tuple(
    name for _legend, names in ComplaintFields.FIELDSETS for name in names
)


class RegisterForm(ComplaintFields):
    is_repeat = forms.TypedChoiceField(
        label=_("Repeat complaint"),
        choices=[("", _("Detect from earlier complaints")), ("1", _("Yes")), ("0", _("No"))],
        coerce=lambda v: v == "1",
        empty_value=None,
        required=False,
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Photos, inspection reports, e-mails; several files at once."),
    )

    FIELDSETS = (
        *ComplaintFields.FIELDSETS[:2],
        (_("Problem"), (*ComplaintFields.FIELDSETS[2][1], "attachments")),
        *ComplaintFields.FIELDSETS[3:],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        related = {
            "hx-get": reverse_lazy("complaint-related"),
            "hx-trigger": "change",
            "hx-include": "[name=product], [name=batch]",
            "hx-target": "#related",
        }
        self.fields["product"].widget.attrs.update(related)
        self.fields["batch"].widget.attrs.update(related)

    def error_field(self, name: str) -> str:
        # The services check each upload as "file"; here they are all "attachments".
        return "attachments" if name == "file" else name

    def service_data(self, names=None) -> dict:
        data = super().service_data(names)
        if data.get("received_at") is None:
            # The service stamps "now" when no time is given.
            data.pop("received_at", None)
        if data.get("is_repeat") is None:
            data.pop("is_repeat", None)
        return data


class EditForm(ComplaintFields):
    is_repeat = _model_field("is_repeat")
    version = forms.IntegerField(widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("Why (optional)"),
        required=False,
        max_length=1000,
        widget=forms.TextInput(),
    )

    def __init__(self, *args, complaint: Complaint, **kwargs):
        kwargs["initial"] = self.initial_from(complaint)
        kwargs.setdefault("auto_id", "edit-%s")
        super().__init__(*args, **kwargs)
        self.fields["received_at"].help_text = ""
        self.fields["received_at"].required = True

    @classmethod
    def initial_from(cls, complaint: Complaint) -> dict:
        initial = {"version": complaint.version}
        for name in cls.FIELD_NAMES:
            if name in cls.FOREIGN_KEYS:
                initial[name] = getattr(complaint, f"{name}_id")
            else:
                value = getattr(complaint, name)
                if name in ("received_at", "occurred_at") and value is not None:
                    # The widget shows minutes; compare at that precision so an untouched
                    # time does not count as a change.
                    value = timezone.localtime(value).replace(second=0, microsecond=0)
                initial[name] = value
        return initial

    def changes(self) -> dict:
        return self.service_data([n for n in self.FIELD_NAMES if n in self.changed_data])


# ---------------------------------------------------------------- detail page actions


class VersionedForm(PageForm):
    version = forms.IntegerField(widget=forms.HiddenInput)


class TransitionForm(VersionedForm):
    id_prefix = "transition"
    reason = forms.CharField(
        label=_("Reason"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    explanation = forms.CharField(
        label=_("Explanation to the complainant"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    outcome = forms.CharField(
        label=_("Outcome"), max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )
    answer = forms.CharField(
        label=_("Answer to the complainant"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    meaning = forms.ChoiceField(label=_("My signature means"))
    password = forms.CharField(
        label=_("Password (to sign)"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        help_text=_("Re-enter your password: this step is signed electronically."),
    )

    def __init__(self, *args, transition: workflow.Transition, **kwargs):
        super().__init__(*args, **kwargs)
        self.transition = transition
        for name in ("reason", "explanation", "outcome", "answer"):
            if name not in transition.requires:
                del self.fields[name]
        if "outcome" in self.fields and transition.name in workflow.OUTCOME_LABELS:
            self.fields["outcome"].label = workflow.OUTCOME_LABELS[transition.name]
        if transition.signed:
            self.fields["meaning"].choices = [
                (m, workflow.MEANING_LABELS[m]) for m in transition.meanings
            ]
        else:
            del self.fields["meaning"]
            del self.fields["password"]

    def inputs(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.transition.requires}

    def signing(self) -> dict:
        if not self.transition.signed:
            return {}
        return {
            "meaning": self.cleaned_data["meaning"],
            "password": self.cleaned_data["password"],
        }


class GradeForm(VersionedForm):
    id_prefix = "grade"
    severity = forms.TypedChoiceField(
        label=_("Severity"),
        choices=[("", _("Back to the grading rules")), *Severity.choices],
        coerce=int,
        empty_value=None,
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=300,
        help_text=_("Required when you set the grade by hand."),
    )


class AnswerForm(VersionedForm):
    id_prefix = "answer"
    text = forms.CharField(
        label=_("Answer to the complainant"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )


class CommentForm(PageForm):
    id_prefix = "comment"
    body = forms.CharField(
        label=_("Comment"), max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class AttachmentForm(PageForm):
    id_prefix = "attach"
    file = forms.FileField(label=_("File"))


class AssignForm(PageForm):
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("— nobody —"),
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = members


class CompleteTaskForm(PageForm):
    outcome = forms.CharField(
        label=_("Outcome"), max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )


class AddTaskForm(PageForm):
    id_prefix = "addtask"
    department = forms.ModelChoiceField(label=_("Department"), queryset=_departments())
    title = forms.CharField(label=_("Task"), max_length=200)
    due_at = forms.DateTimeField(label=_("Due"), widget=datetime_widget())
    assignee = UserChoiceField(
        label=_("Assignee"),
        queryset=User.objects.filter(is_active=True, department__isnull=False).order_by(
            "department__code", "display_name", "username"
        ),
        required=False,
        empty_label=_("— anyone in the department —"),
    )
