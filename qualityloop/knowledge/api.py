"""The knowledge API, mounted at /api/v1/knowledge.

Each endpoint resolves access first (404 alike for a missing entry and a draft the caller may
not see, 403 for a visible one the caller may not change), then calls one service.
"""

from typing import Annotated

from django.utils.translation import gettext as _
from ninja import Query, Router, Status

from qualityloop.complaints import access as complaint_access
from qualityloop.core.errors import NotAllowed
from qualityloop.core.schemas import BIGINT, READ_ERRORS, WRITE_ERRORS

from . import access, services
from .models import KnowledgeEntry
from .schemas import (
    EntryIn,
    EntryOut,
    EntryPatch,
    HitOut,
    SearchQuery,
    SuggestionOut,
    SuggestQuery,
    entry_out,
    hit_out,
    service_data,
)

router = Router(tags=["knowledge"])

# Publishing and archiving take no body; ``?version=`` refuses a lost update (409).
VersionQuery = Annotated[
    int | None, Query(None, ge=1, le=BIGINT, description="The version you read.")
]

RELATED = ("product", "category", "category__parent", "complaint", "created_by")


def _out(user, entry_id) -> dict:
    entry = access.get_entry_for(
        user, entry_id, queryset=KnowledgeEntry.objects.select_related(*RELATED)
    )
    visible = entry.complaint_id in access.visible_complaint_ids(user, [entry.complaint_id])
    return entry_out(entry, complaint_visible=visible)


def _writable(user, entry_id) -> KnowledgeEntry:
    entry = access.get_entry_for(user, entry_id)
    if not access.can_write(user):
        raise NotAllowed(_("Only quality engineers may write knowledge entries."))
    return entry


@router.get(
    "",
    response={200: list[HitOut], **READ_ERRORS},
    summary="Search the knowledge base",
    description=(
        "Entries holding every word of `q` (Chinese is matched by two-character pieces), "
        "most recently changed first, at most 20. Published entries for everyone; quality "
        "engineers and administrators also see drafts, and archived entries with "
        "`status=archived`."
    ),
)
def search(request, filters: Query[SearchQuery]):
    hits = services.search(
        request.auth,
        filters.q,
        product_id=filters.product,
        category_id=filters.category,
        tag=filters.tag,
        status=filters.status.value if filters.status else "",
        limit=filters.limit,
    )
    return [hit_out(hit) for hit in hits]


@router.get(
    "/suggest",
    response={200: list[SuggestionOut], **READ_ERRORS},
    summary="Published entries like a complaint being registered",
    description="At most 5, the most similar first.",
)
def suggest(request, filters: Query[SuggestQuery]):
    hits = services.suggest(
        request.auth,
        filters.title,
        filters.description,
        filters.product,
        category_id=filters.category,
    )
    return [
        {"id": h.entry.pk, "title": h.entry.title, "snippet": h.snippet_text, "score": h.score}
        for h in hits
    ]


@router.get("/{entry_id}", response={200: EntryOut, **READ_ERRORS}, summary="One entry")
def read(request, entry_id: int):
    return _out(request.auth, entry_id)


@router.post(
    "",
    response={201: EntryOut, **WRITE_ERRORS},
    summary="Write a draft entry by hand",
)
def create(request, payload: EntryIn):
    user = request.auth
    if not access.can_write(user):
        raise NotAllowed(_("Only quality engineers may write knowledge entries."))
    entry = services.create_entry(actor=user, data=service_data(payload.dict()))
    return Status(201, _out(user, entry.pk))


@router.post(
    "/from-complaint/{complaint_id}",
    response={201: EntryOut, 200: EntryOut, **WRITE_ERRORS},
    summary="Draft the entry of a closed complaint",
    description=(
        "Answers 201 with the new draft, or 200 with the entry the complaint already has; "
        "409 (`not_closed`) while the complaint is open."
    ),
)
def create_from_complaint(request, complaint_id: int):
    user = request.auth
    complaint = complaint_access.get_complaint_for(user, complaint_id)
    if not access.can_write(user):
        raise NotAllowed(_("Only quality engineers may write knowledge entries."))
    entry, created = services._create_from_complaint(complaint_id=complaint.pk, actor=user)
    return Status(201 if created else 200, _out(user, entry.pk))


@router.patch(
    "/{entry_id}",
    response={200: EntryOut, **WRITE_ERRORS},
    summary="Change an entry",
    description="Send only the fields to change, and `version` to refuse a lost update (409).",
)
def update(request, entry_id: int, payload: EntryPatch):
    user = request.auth
    entry = _writable(user, entry_id)
    values = payload.dict(exclude_unset=True)
    services.update_entry(
        actor=user,
        entry_id=entry.pk,
        data=service_data(values),
        expected_version=values.get("version"),
    )
    return _out(user, entry.pk)


@router.post(
    "/{entry_id}/publish",
    response={200: EntryOut, **WRITE_ERRORS},
    summary="Publish an entry",
    description="Needs a problem and a solution (422 otherwise).",
)
def publish(request, entry_id: int, version: VersionQuery = None):
    user = request.auth
    entry = _writable(user, entry_id)
    services.publish_entry(actor=user, entry_id=entry.pk, expected_version=version)
    return _out(user, entry.pk)


@router.post(
    "/{entry_id}/archive",
    response={200: EntryOut, **WRITE_ERRORS},
    summary="Archive an entry (nothing is deleted)",
)
def archive(request, entry_id: int, version: VersionQuery = None):
    user = request.auth
    entry = _writable(user, entry_id)
    services.archive_entry(actor=user, entry_id=entry.pk, expected_version=version)
    return _out(user, entry.pk)
