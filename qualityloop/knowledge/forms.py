"""Forms of the knowledge pages. They parse input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _

from qualityloop.catalog.models import Product
from qualityloop.complaints.forms import CategoryChoiceField
from qualityloop.complaints.models import Category
from qualityloop.core.forms import ServiceForm

from . import access
from .choices import EntryStatus
from .models import TEXT_MAX, KnowledgeEntry


def _categories():
    return Category.objects.filter(is_active=True).select_related("parent")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=200,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": _("Problem, cause, solution, product…")}
        ),
    )
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.all(),
        required=False,
        empty_label=_("Any product"),
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=_categories(), required=False, empty_label=_("Any category")
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Drafts and published")), *EntryStatus.choices],
    )

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if not access.sees_unpublished(user):
            del self.fields["status"]

    def search_args(self) -> dict:
        data = self.cleaned_data if self.is_valid() else {}
        product, category = data.get("product"), data.get("category")
        return {
            "text": data.get("q", ""),
            "product_id": product.pk if product else None,
            "category_id": category.pk if category else None,
            "tag": data.get("tag", ""),
            "status": data.get("status", ""),
        }


class EntryForm(ServiceForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    problem = forms.CharField(
        label=_("Problem"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 5})
    )
    root_cause = forms.CharField(
        label=_("Root cause"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    solution = forms.CharField(
        label=_("Solution"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Needed before the entry can be published."),
    )
    lessons = forms.CharField(
        label=_("Lessons learned"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    tags = forms.CharField(
        label=_("Tags"),
        max_length=500,
        required=False,
        help_text=_("Separated by commas, e.g. 外观, 控制器."),
    )
    product = forms.ModelChoiceField(
        label=_("Product"), queryset=Product.objects.all(), required=False
    )
    category = CategoryChoiceField(label=_("Category"), queryset=_categories(), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    TEXTS = ("title", "problem", "root_cause", "solution", "lessons", "tags")

    @classmethod
    def for_entry(cls, entry: KnowledgeEntry, data=None) -> "EntryForm":
        initial = {name: getattr(entry, name) for name in cls.TEXTS}
        initial.update(product=entry.product_id, category=entry.category_id, version=entry.version)
        initial["tags"] = ", ".join(entry.tag_list)
        return cls(data, initial=initial)

    def service_data(self) -> dict:
        data = {name: self.cleaned_data[name] for name in self.TEXTS}
        product, category = self.cleaned_data["product"], self.cleaned_data["category"]
        data["product_id"] = product.pk if product else None
        data["category_id"] = category.pk if category else None
        return data
