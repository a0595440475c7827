"""Forms of the investigation panel. They parse input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from qualityloop.accounts.models import Department
from qualityloop.catalog.models import Supplier
from qualityloop.complaints.forms import MultipleFileField
from qualityloop.core.forms import PageForm, datetime_widget

from .choices import ContainmentScope, Disposition, FishboneCategory, WhyKind
from .models import RMA_MAX, SHORT_MAX, STATEMENT_MAX, TEXT_MAX, CauseCode, FishboneCause
from .services import MAX_STEPS

PAGE_STEPS = 5  # empty rows offered for a new chain; an edited chain gets one more than it has


def _textarea(rows: int):
    return forms.Textarea(attrs={"rows": rows})


def cause_code_choices() -> list:
    """Active codes grouped under their head (人、机、料 …), in the reader's language."""
    codes = list(CauseCode.objects.filter(is_active=True).select_related("parent"))
    heads = [c for c in codes if c.parent_id is None]
    children: dict[int, list[CauseCode]] = {}
    for c in codes:
        if c.parent_id:
            children.setdefault(c.parent_id, []).append(c)
    choices: list = [("", _("— none —"))]
    for head in heads:
        group = [(head.pk, str(head))] + [(c.pk, str(c)) for c in children.get(head.pk, [])]
        choices.append((head.name, group))
    return choices


class CauseCodeField(forms.TypedChoiceField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Cause code"))
        super().__init__(coerce=int, empty_value=None, required=False, **kwargs)


class PanelForm(PageForm):
    """A form among several on the panel: its own element ids, the same field names."""

    id_prefix = "investigation"

    def __init__(self, *args, code_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Several forms on one panel share one reading of the taxonomy.
        self._code_choices = code_choices
        for field in self.fields.values():
            if isinstance(field, CauseCodeField):
                field.choices = self.code_choices

    @property
    def code_choices(self) -> list:
        if self._code_choices is None:
            self._code_choices = cause_code_choices()
        return self._code_choices


class InspectionForm(PanelForm):
    id_prefix = "inspection"
    checked = forms.CharField(label=_("What was checked"), max_length=SHORT_MAX)
    method = forms.CharField(
        label=_("Method"),
        max_length=SHORT_MAX,
        required=False,
        help_text=_("Visual, dimensional, functional test, lab analysis …"),
    )
    result = forms.CharField(label=_("Result"), max_length=TEXT_MAX, widget=_textarea(3))
    conforming = forms.TypedChoiceField(
        label=_("Conforming?"),
        choices=[("", _("Not judged")), ("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
        required=False,
    )
    performed_at = forms.DateTimeField(
        label=_("Performed at"),
        required=False,
        widget=datetime_widget(),
        help_text=_("Leave empty for now."),
    )
    files = MultipleFileField(
        label=_("Evidence"),
        required=False,
        help_text=_("Photos, measurement reports, lab sheets; several files at once."),
    )


class ReturnedProductForm(PanelForm):
    id_prefix = "rma"
    rma_number = forms.CharField(label=_("RMA number"), max_length=RMA_MAX)
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, max_value=2_147_483_647)
    received_at = forms.DateTimeField(
        label=_("Received at"), required=False, widget=datetime_widget()
    )
    analysed_at = forms.DateTimeField(
        label=_("Analysed at"), required=False, widget=datetime_widget()
    )
    disposition = forms.ChoiceField(
        label=_("Disposition"), choices=Disposition.choices, initial=Disposition.PENDING
    )
    findings = forms.CharField(
        label=_("Findings"), max_length=TEXT_MAX, required=False, widget=_textarea(3)
    )


class ReturnedProductUpdateForm(ReturnedProductForm):
    """The same fields but the RMA number, which names the return for good."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["rma_number"]

    def changes(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    @staticmethod
    def initial_of(returned) -> dict:
        return {
            "quantity": returned.quantity,
            "received_at": returned.received_at,
            "analysed_at": returned.analysed_at,
            "disposition": returned.disposition,
            "findings": returned.findings,
        }


class ContainmentForm(PanelForm):
    id_prefix = "containment"
    scope = forms.ChoiceField(label=_("Where"), choices=ContainmentScope.choices)
    action = forms.CharField(label=_("Action"), max_length=TEXT_MAX, widget=_textarea(2))
    quantity_checked = forms.IntegerField(
        label=_("Quantity checked"), min_value=0, max_value=2_147_483_647, initial=0
    )
    quantity_nonconforming = forms.IntegerField(
        label=_("Quantity nonconforming"), min_value=0, max_value=2_147_483_647, initial=0
    )


class WhyChainForm(PanelForm):
    """A problem statement and rows of "why? because"; empty rows are left out."""

    id_prefix = "why"
    kind = forms.ChoiceField(label=_("Kind"), choices=WhyKind.choices)
    problem = forms.CharField(label=_("Problem"), max_length=TEXT_MAX, widget=_textarea(2))

    def __init__(self, *args, rows: int = PAGE_STEPS, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["kind"]
        self.row_numbers = list(range(1, min(rows, MAX_STEPS) + 1))
        for n in self.row_numbers:
            self.fields[f"why_{n}"] = forms.CharField(
                label=_("Why? (%(n)d)") % {"n": n}, max_length=SHORT_MAX * 2, required=False
            )
            self.fields[f"because_{n}"] = forms.CharField(
                label=_("Because (%(n)d)") % {"n": n}, max_length=TEXT_MAX, required=False
            )
            code = CauseCodeField(label=_("Cause code (%(n)d)") % {"n": n})
            code.choices = self.code_choices
            self.fields[f"cause_code_{n}"] = code
        self._used_rows: list[int] = []

    def rows(self):
        """(why, because, cause code) bound fields per row, for the template."""
        return [
            (n, self[f"why_{n}"], self[f"because_{n}"], self[f"cause_code_{n}"])
            for n in self.row_numbers
        ]

    def steps(self) -> list[dict]:
        data = self.cleaned_data
        steps, self._used_rows = [], []
        for n in self.row_numbers:
            why, because, code = data[f"why_{n}"], data[f"because_{n}"], data[f"cause_code_{n}"]
            if why.strip() or because.strip() or code:
                steps.append({"why": why, "because": because, "cause_code": code})
                self._used_rows.append(n)
        return steps

    def error_field(self, name: str) -> str:
        # "steps.<i>.<field>" names the i-th step given, which is the i-th row not left empty.
        parts = name.split(".")
        if len(parts) == 3 and parts[0] == "steps" and parts[1].isdigit():
            i = int(parts[1])
            if i < len(self._used_rows):
                return f"{parts[2]}_{self._used_rows[i]}"
        if name == "steps":
            return "because_1"
        return name

    @staticmethod
    def initial_of(chain, steps) -> dict:
        initial = {"kind": chain.kind, "problem": chain.problem}
        for n, step in enumerate(steps, start=1):
            initial[f"why_{n}"] = step.why
            initial[f"because_{n}"] = step.because
            initial[f"cause_code_{n}"] = step.cause_code_id
        return initial


class CauseLabelField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"[{FishboneCategory(obj.category).label}] {obj.text}"


class FishboneForm(PanelForm):
    id_prefix = "fishbone"
    category = forms.ChoiceField(
        label=_("Bone"),
        choices=[("", _("— the bone of the cause below —")), *FishboneCategory.choices],
        required=False,
    )
    parent = CauseLabelField(
        label=_("Sub-cause of"),
        queryset=FishboneCause.objects.none(),
        required=False,
        empty_label=_("— a main cause —"),
    )
    text = forms.CharField(label=_("Cause"), max_length=SHORT_MAX)
    cause_code = CauseCodeField()
    is_root = forms.BooleanField(label=_("This is a root cause"), required=False)

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = FishboneCause.objects.filter(
            complaint=complaint, parent__isnull=True, removed_at__isnull=True
        ).order_by("category", "created_at", "id")

    def clean(self):
        cleaned = super().clean()
        if (
            not cleaned.get("category")
            and not cleaned.get("parent")
            and "parent" not in self.errors
        ):
            self.add_error("category", _("Choose a bone, or the cause this one belongs under."))
        return cleaned


class RootCauseForm(PanelForm):
    id_prefix = "rootcause"
    statement = forms.CharField(
        label=pgettext_lazy("investigation", "Root cause"),
        max_length=STATEMENT_MAX,
        widget=_textarea(3),
    )
    cause_code = CauseCodeField()
    responsible_department = forms.ModelChoiceField(
        label=_("Responsible department"),
        queryset=Department.objects.filter(is_active=True),
        required=False,
        empty_label=_("— none —"),
    )
    responsible_supplier = forms.ModelChoiceField(
        label=_("Responsible supplier"),
        queryset=Supplier.objects.filter(is_active=True),
        required=False,
        empty_label=_("— none —"),
    )

    @staticmethod
    def initial_of(root) -> dict:
        if root is None:
            return {}
        return {
            "statement": root.statement,
            "cause_code": root.cause_code_id,
            "responsible_department": root.responsible_department_id,
            "responsible_supplier": root.responsible_supplier_id,
        }
