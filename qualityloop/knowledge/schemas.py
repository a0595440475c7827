"""What the knowledge API reads and writes (the conventions of complaints/schemas.py)."""

from datetime import datetime

from ninja import Field, Schema

from qualityloop.core.schemas import BIGINT, Id, Input, Ref, Text, string

from .choices import EntryStatus
from .models import TEXT_MAX, KnowledgeEntry


class ComplaintRef(Schema):
    id: int
    number: str


class EntryOut(Schema):
    id: int
    title: str
    problem: str
    root_cause: str
    solution: str
    lessons: str
    tags: list[str]
    status: EntryStatus
    status_label: str
    product: Ref | None
    category: Ref | None
    complaint: ComplaintRef | None = Field(
        description="The complaint it was drafted from; null when written by hand or when "
        "the caller may not see that complaint."
    )
    created_by: str | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    version: int


class HitOut(Schema):
    id: int
    title: str
    status: EntryStatus
    snippet: str = Field(description="Text around the first match.")
    tags: list[str]
    product: Ref | None
    category: Ref | None
    updated_at: datetime


class SuggestionOut(Schema):
    id: int
    title: str
    snippet: str
    score: int = Field(
        description="Shared words (twice when in the title), +3 for the same product, "
        "+2 for the same category."
    )


class SearchQuery(Schema):
    q: Text = string(200, default="")
    product: Id | None = None
    category: Id | None = None
    tag: Text = string(40, default="")
    status: EntryStatus | None = Field(
        None, description="Quality engineers only; by default drafts and published entries."
    )
    limit: int = Field(20, ge=1, le=20)


class SuggestQuery(Schema):
    title: Text = string(200, default="")
    description: Text = string(20_000, default="")
    product: Id | None = None
    category: Id | None = None


class EntryIn(Input):
    title: Text = string(200)
    problem: Text = string(TEXT_MAX)
    root_cause: Text = string(TEXT_MAX, default="")
    solution: Text = string(TEXT_MAX, default="")
    lessons: Text = string(TEXT_MAX, default="")
    tags: list[Text] = Field(default_factory=list, max_length=20)
    product: Id | None = None
    category: Id | None = None


class EntryPatch(Input):
    title: Text | None = string(200, default=None)
    problem: Text | None = string(TEXT_MAX, default=None)
    root_cause: Text | None = string(TEXT_MAX, default=None)
    solution: Text | None = string(TEXT_MAX, default=None)
    lessons: Text | None = string(TEXT_MAX, default=None)
    tags: list[Text] | None = Field(None, max_length=20)
    product: Id | None = None
    category: Id | None = None
    version: int | None = Field(None, ge=1, le=BIGINT, description="The version you read.")


def service_data(values: dict) -> dict:
    """API field names (``product``) to the service's (``product_id``)."""
    data = dict(values)
    for name in ("product", "category"):
        if name in data:
            data[f"{name}_id"] = data.pop(name)
    data.pop("version", None)
    return data


def _ref(obj, label) -> dict | None:
    return {"id": obj.pk, "label": label} if obj is not None else None


def entry_out(entry: KnowledgeEntry, *, complaint_visible: bool) -> dict:
    complaint = entry.complaint if entry.complaint_id and complaint_visible else None
    return {
        "id": entry.pk,
        "title": entry.title,
        "problem": entry.problem,
        "root_cause": entry.root_cause,
        "solution": entry.solution,
        "lessons": entry.lessons,
        "tags": entry.tag_list,
        "status": entry.status,
        "status_label": str(entry.get_status_display()),
        "product": _ref(entry.product, str(entry.product) if entry.product_id else ""),
        "category": _ref(entry.category, entry.category.path if entry.category_id else ""),
        "complaint": {"id": complaint.pk, "number": complaint.number} if complaint else None,
        "created_by": str(entry.created_by) if entry.created_by_id else None,
        "created_at": entry.created_at,
        "updated_at": entry.updated_at,
        "published_at": entry.published_at,
        "version": entry.version,
    }


def hit_out(hit) -> dict:
    entry = hit.entry
    return {
        "id": entry.pk,
        "title": entry.title,
        "status": entry.status,
        "snippet": hit.snippet_text,
        "tags": entry.tag_list,
        "product": _ref(entry.product, str(entry.product) if entry.product_id else ""),
        "category": _ref(entry.category, entry.category.path if entry.category_id else ""),
        "updated_at": entry.updated_at,
    }
