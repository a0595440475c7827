"""Writing knowledge entries, and finding them again.

Every write takes an explicit ``actor``, runs in one transaction, re-indexes the entry's text
and appends to the entry's own history; an entry drafted from a complaint also appears on that
complaint's timeline (``EventKind.KNOWLEDGE``).
"""

import re
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from qualityloop.catalog.models import Product
from qualityloop.complaints import changes
from qualityloop.complaints import events as complaint_events
from qualityloop.complaints.choices import EventKind, TaskStatus
from qualityloop.complaints.models import Category, Complaint
from qualityloop.complaints.workflow import Status
from qualityloop.core import clock
from qualityloop.core.errors import DomainError, NotAllowed, StaleVersion, ValidationFailed
from qualityloop.investigation.access import root_cause_of

from . import access
from . import search as text_search
from .choices import EntryEventKind, EntryStatus
from .models import TEXT_MAX, KnowledgeEntry, KnowledgeEntryEvent

TEXT_FIELDS = ("title", "problem", "root_cause", "solution", "lessons")
FIELDS = (*TEXT_FIELDS, "tags", "product_id", "category_id")
MAX_TAGS = 20
TAG_MAX = 40
SEARCH_LIMIT = 20
SUGGEST_LIMIT = 5
_TAG_SEPARATORS = re.compile(r"[,，、;；\n]")


class NotClosed(DomainError):
    status = 409
    code = "not_closed"


class StaleEntry(StaleVersion):
    def __init__(self, current_version: int):
        DomainError.__init__(
            self,
            _(
                "Someone else changed this entry while you were editing it. "
                "Reload to see their changes, then apply yours again."
            ),
            field="version",
        )
        self.current_version = current_version


# ---------------------------------------------------------------- helpers


def normalise_tags(value) -> str:
    """Lower case, no duplicates, commas between: "Solder, 外观，外观" → "solder,外观"."""
    if isinstance(value, list | tuple):
        value = ",".join(str(v) for v in value)
    seen: dict[str, None] = {}
    for raw in _TAG_SEPARATORS.split(value or ""):
        tag = " ".join(raw.split()).lower()
        if tag:
            seen.setdefault(tag, None)
    return ",".join(seen)


def _tag_errors(tags: str) -> list[str]:
    names = [t for t in tags.split(",") if t]
    if len(names) > MAX_TAGS:
        return [_("At most %(n)d tags.") % {"n": MAX_TAGS}]
    if any(len(t) > TAG_MAX for t in names):
        return [_("A tag has at most %(n)d characters.") % {"n": TAG_MAX}]
    if len(tags) > KnowledgeEntry._meta.get_field("tags").max_length:
        return [_("Too many tags.")]
    return []


def _clean(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    """The known fields of ``data``, trimmed and checked; raises ValidationFailed."""
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in TEXT_FIELDS:
            values[name] = (value or "").strip()
        elif name == "tags":
            values[name] = normalise_tags(value)
        else:
            values[name] = value or None
    for name in ("title", "problem"):
        if (not partial or name in values) and not values.get(name):
            errors[name] = [_("This field is required.")]
    if len(values.get("title", "")) > 200:
        errors["title"] = [_("At most %(n)d characters.") % {"n": 200}]
    for name in TEXT_FIELDS[1:]:
        if len(values.get(name, "")) > TEXT_MAX:
            errors[name] = [_("At most %(n)d characters.") % {"n": TEXT_MAX}]
    if "tags" in values and (problems := _tag_errors(values["tags"])):
        errors["tags"] = problems
    for name, model, message in (
        ("product_id", Product, _("No such product.")),
        ("category_id", Category, _("No such category.")),
    ):
        pk = values.get(name)
        if pk is not None:
            try:
                known = model.objects.filter(pk=int(pk)).exists()
            except (TypeError, ValueError, OverflowError):
                known = False
            if not known:
                errors[name.removesuffix("_id")] = [message]
    if errors:
        raise ValidationFailed(errors)
    return values


def _index(entry: KnowledgeEntry) -> None:
    parts = [getattr(entry, f) for f in TEXT_FIELDS]
    parts.append(entry.tags.replace(",", " "))
    if entry.product_id:
        product = entry.product
        parts += [str(product), product.code, product.product_line]
    if entry.category_id:
        parts += [entry.category.name_zh, entry.category.name_en]
    if entry.complaint_id:
        parts.append(entry.complaint.number)
    entry.search_tokens = text_search.document_tokens(*parts)


def _history(entry: KnowledgeEntry, kind: str, actor, data=None) -> None:
    KnowledgeEntryEvent.objects.create(
        entry=entry, kind=kind, actor=actor, at=clock.now(), data=data or {}
    )


def _on_timeline(complaint_id, actor, *, action: str, entry: KnowledgeEntry, **data) -> None:
    """The complaint's timeline notes what became of its knowledge entry."""
    complaint = changes.lock(complaint_id)
    complaint_events.record(
        complaint,
        EventKind.KNOWLEDGE,
        actor=actor,
        data={"action": action, "entry": entry.pk, "title": entry.title, **data},
    )
    changes.bump(complaint)


def _lock_entry(entry_id) -> KnowledgeEntry:
    try:
        return KnowledgeEntry.objects.select_for_update().get(pk=entry_id)
    except (KnowledgeEntry.DoesNotExist, ValueError, TypeError):
        raise DomainError(_("No such knowledge entry."), field="entry", code="not_found") from None


def _check_writer(actor) -> None:
    if not access.can_write(actor):
        raise NotAllowed(_("Only quality engineers may write knowledge entries."))


def _check_version(entry: KnowledgeEntry, expected_version) -> None:
    if expected_version is not None and int(expected_version) != entry.version:
        raise StaleEntry(entry.version)


# ---------------------------------------------------------------- from a closed complaint


def _latest_outcome(complaint: Complaint, stage: str) -> str:
    task = (
        complaint.tasks.filter(stage=stage, status=TaskStatus.DONE)
        .order_by("-completed_at", "-id")
        .first()
    )
    return (task.outcome or "").strip() if task else ""


def _investigated_root_cause(complaint: Complaint) -> str:
    """The root cause the investigation decided."""
    root = root_cause_of(complaint)
    return (root.statement or "").strip() if root is not None else ""


def _lessons(complaint: Complaint) -> str:
    closing = (
        complaint.events.filter(kind=EventKind.TRANSITION, data__transition="close")
        .order_by("-seq")
        .first()
    )
    if closing and (closing.data.get("outcome") or "").strip():
        return closing.data["outcome"].strip()
    # Called inside the close transition before its event is written: the stage task
    # already carries the outcome.
    return _latest_outcome(complaint, Status.KNOWLEDGE)


def draft_from_complaint(complaint: Complaint) -> dict[str, Any]:
    """What a closed complaint says, arranged as an entry's fields."""
    root_cause = _investigated_root_cause(complaint) or _latest_outcome(
        complaint, Status.ROOT_CAUSE
    )
    solution: list[str] = []
    for text in (
        _latest_outcome(complaint, Status.CAPA_PLANNING),
        _latest_outcome(complaint, Status.EXECUTION),
        (complaint.customer_answer or "").strip(),
    ):
        if text and text not in solution:
            solution.append(text)
    tags = []
    if complaint.category_id:
        tags.append(complaint.category.name_zh)
    if complaint.product_id:
        tags.append(complaint.product.product_line)
    return {
        "title": complaint.title.strip(),
        "problem": complaint.description.strip(),
        "root_cause": root_cause[:TEXT_MAX],
        "solution": "\n\n".join(solution)[:TEXT_MAX],
        "lessons": _lessons(complaint)[:TEXT_MAX],
        "tags": normalise_tags(tags),
        "product_id": complaint.product_id,
        "category_id": complaint.category_id,
    }


def create_from_complaint(*, complaint_id, actor=None) -> KnowledgeEntry:
    """Draft the knowledge entry of a closed complaint; the existing one if there is one.

    Part of closing: the close transition calls it in its own transaction, whoever closes
    (customer service at first contact too), so the caller decides who may ask; pages and
    the API allow quality engineers (``access.can_create_from``). Call it after the close
    event is written: it appends the complaint's next event and bumps its version.
    """
    return _create_from_complaint(complaint_id=complaint_id, actor=actor)[0]


def _create_from_complaint(*, complaint_id, actor) -> tuple[KnowledgeEntry, bool]:
    with transaction.atomic():
        complaint = changes.lock(complaint_id)
        existing = KnowledgeEntry.objects.filter(complaint_id=complaint.pk).first()
        if existing is not None:
            return existing, False
        if complaint.status != Status.CLOSED:
            raise NotClosed(
                _("Only a closed complaint becomes a knowledge entry."), field="complaint"
            )
        now = clock.now()
        entry = KnowledgeEntry(
            complaint=complaint,
            status=EntryStatus.DRAFT,
            created_by=actor,
            created_at=now,
            updated_at=now,
            **draft_from_complaint(complaint),
        )
        _index(entry)
        entry.save()
        _history(entry, EntryEventKind.CREATED, actor, {"complaint": complaint.number})
        complaint_events.record(
            complaint,
            EventKind.KNOWLEDGE,
            actor=actor,
            data={
                "action": "created",
                "entry": entry.pk,
                "title": entry.title,
                "status": entry.status,
            },
        )
        changes.bump(complaint)
    return entry, True


# ---------------------------------------------------------------- editing


def create_entry(*, actor, data: dict[str, Any]) -> KnowledgeEntry:
    """A draft written by hand, not from a complaint."""
    _check_writer(actor)
    values = _clean(data, partial=False)
    with transaction.atomic():
        now = clock.now()
        entry = KnowledgeEntry(created_by=actor, created_at=now, updated_at=now, **values)
        _index(entry)
        entry.save()
        _history(entry, EntryEventKind.CREATED, actor)
    return entry


def update_entry(*, actor, entry_id, data: dict[str, Any], expected_version=None) -> KnowledgeEntry:
    """Change the fields given in ``data``; ``expected_version`` guards against lost edits."""
    _check_writer(actor)
    with transaction.atomic():
        entry = _lock_entry(entry_id)
        _check_version(entry, expected_version)
        values = _clean(data, partial=True)
        changes = []
        for name, value in values.items():
            before = getattr(entry, name)
            if name.endswith("_id"):
                value = int(value) if value is not None else None
            if before != value:
                changes.append({"field": name, "before": before, "after": value})
                setattr(entry, name, value)
        if not changes:
            return entry
        entry.version += 1
        entry.updated_at = clock.now()
        _index(entry)
        entry.save()
        _history(entry, EntryEventKind.UPDATED, actor, {"changes": changes})
        if entry.complaint_id:
            _on_timeline(
                entry.complaint_id,
                actor,
                action="updated",
                entry=entry,
                fields=[c["field"].removesuffix("_id") for c in changes],
            )
    return entry


def _set_status(*, actor, entry_id, status: str, expected_version=None) -> KnowledgeEntry:
    _check_writer(actor)
    with transaction.atomic():
        entry = _lock_entry(entry_id)
        _check_version(entry, expected_version)
        if entry.status == status:
            return entry
        if status == EntryStatus.PUBLISHED:
            missing = {
                name: [_("Fill this in before publishing.")]
                for name in ("title", "problem", "solution")
                if not getattr(entry, name).strip()
            }
            if missing:
                raise ValidationFailed(missing)
        before = entry.status
        now = clock.now()
        entry.status = status
        entry.version += 1
        entry.updated_at = now
        fields = ["status", "version", "updated_at"]
        if status == EntryStatus.PUBLISHED:
            entry.published_at, entry.published_by = now, actor
            fields += ["published_at", "published_by"]
        entry.save(update_fields=fields)
        kind = (
            EntryEventKind.PUBLISHED if status == EntryStatus.PUBLISHED else EntryEventKind.ARCHIVED
        )
        _history(entry, kind, actor, {"from": before})
        if entry.complaint_id:
            _on_timeline(entry.complaint_id, actor, action=kind, entry=entry, status=status)
    return entry


def publish_entry(*, actor, entry_id, expected_version=None) -> KnowledgeEntry:
    """Make the entry readable by everyone and suggestible at registration."""
    return _set_status(
        actor=actor,
        entry_id=entry_id,
        status=EntryStatus.PUBLISHED,
        expected_version=expected_version,
    )


def archive_entry(*, actor, entry_id, expected_version=None) -> KnowledgeEntry:
    """Withdraw an entry (nothing is deleted); publishing it again brings it back."""
    return _set_status(
        actor=actor,
        entry_id=entry_id,
        status=EntryStatus.ARCHIVED,
        expected_version=expected_version,
    )


# ---------------------------------------------------------------- finding


@dataclass
class Hit:
    """A found entry with the piece of its text that matched."""

    entry: KnowledgeEntry
    parts: list[tuple[str, bool]]
    score: int = 0

    @property
    def snippet(self) -> SafeString:
        return text_search.as_html(self.parts)

    @property
    def snippet_text(self) -> str:
        return text_search.as_text(self.parts)


def _body(entry: KnowledgeEntry) -> str:
    return " · ".join(
        t for t in (entry.problem, entry.root_cause, entry.solution, entry.lessons) if t
    )


def _tag_filter(tag: str) -> Q:
    return (
        Q(tags=tag)
        | Q(tags__startswith=f"{tag},")
        | Q(tags__endswith=f",{tag}")
        | Q(tags__contains=f",{tag},")
    )


def search(
    user,
    text: str = "",
    product_id=None,
    category_id=None,
    *,
    tag: str = "",
    status: str = "",
    limit: int = SEARCH_LIMIT,
) -> list[Hit]:
    """Entries ``user`` may read that hold every word of ``text``, most recently changed
    first. Readers see published entries; quality sees drafts too (archived on request)."""
    limit = max(1, min(int(limit or SEARCH_LIMIT), SEARCH_LIMIT))
    qs = access.visible_entries(user)
    if access.sees_unpublished(user):
        if status in EntryStatus.values:
            qs = qs.filter(status=status)
        else:
            qs = qs.exclude(status=EntryStatus.ARCHIVED)
    if product_id:
        qs = qs.filter(product_id=product_id)
    if category_id:
        children = Category.objects.filter(parent_id=category_id).values("pk")
        qs = qs.filter(Q(category_id=category_id) | Q(category_id__in=children))
    if tag := normalise_tags(tag):
        qs = qs.filter(_tag_filter(tag.split(",")[0]))
    qs = text_search.matching(qs, text)
    tokens = text_search.query_tokens(text)
    rows = qs.select_related("product", "category", "category__parent").order_by(
        "-updated_at", "-id"
    )[:limit]
    return [Hit(entry, text_search.snippet_parts(_body(entry), tokens)) for entry in rows]


def suggest(
    user, title: str = "", description: str = "", product_id=None, *, category_id=None
) -> list[Hit]:
    """Published entries most like a complaint being registered, at most five: words
    shared with the entry (counted again when in its title), +3 for the same product, +2
    for the same category. One query."""
    if not access.is_reader(user):
        return []
    tokens = text_search.suggestion_tokens(title, description)
    if not tokens:
        return []
    qs = KnowledgeEntry.objects.filter(status=EntryStatus.PUBLISHED)
    rows = text_search.ranked(qs, tokens, product_id=product_id, category_id=category_id)[
        :SUGGEST_LIMIT
    ]
    return [
        Hit(
            entry,
            text_search.snippet_parts(entry.solution or entry.problem, tokens, width=90),
            entry.score,
        )
        for entry in rows
    ]
