"""The complaint list: filters, sorting and keyset paging shared by the pages and the API.

Paging is by keyset (the sort values of the last row seen), never by OFFSET, so page 4,000 of
a million rows costs what page 1 costs; and the query count of a page does not depend on its
size (related rows by join, the open stage task by one correlated subquery per column).
"""

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from . import access, search
from .choices import TaskKind, TaskStatus
from .models import Category, Complaint, StageTask
from .workflow import FINAL, Status

PAGE_SIZE = 25
MAX_PAGE_SIZE = 100
COUNT_CAP = 1000

# sort name → ordered (field, descending) pairs; every list ends in a unique key (id).
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "newest": (("received_at", True), ("id", True)),
    "oldest": (("received_at", False), ("id", False)),
    "severity": (("severity", False), ("received_at", True), ("id", True)),
    "updated": (("updated_at", True), ("id", True)),
}
SORT_LABELS = {
    "newest": _("Newest first"),
    "oldest": _("Oldest first"),
    "severity": _("Most severe first"),
    "updated": _("Recently changed"),
}
STATE_CHOICES = (
    ("open", _("Open")),
    ("closed", _("Closed")),
    ("rejected", _("Rejected")),
    ("all", _("All")),
)


@dataclass
class Filters:
    state: str = "open"
    stage: str = ""
    severity: int | None = None
    category: int | None = None
    product: int | None = None
    customer: int | None = None
    department: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    q: str = ""
    sort: str = "newest"


@dataclass
class Page:
    items: list[Complaint]
    next_cursor: str | None
    prev_cursor: str | None
    count: int
    count_capped: bool
    sort: str


def filtered(qs: QuerySet[Complaint], f: Filters, *, many: bool = False) -> QuerySet[Complaint]:
    if f.state == "open":
        qs = qs.exclude(status__in=FINAL)
    elif f.state == "closed":
        qs = qs.filter(status=Status.CLOSED)
    elif f.state == "rejected":
        qs = qs.filter(status=Status.REJECTED)
    if f.stage:
        qs = qs.filter(status=f.stage)
    if f.severity:
        qs = qs.filter(severity=f.severity)
    if f.category:
        # A parent category covers its children.
        ids = [
            f.category,
            *Category.objects.filter(parent_id=f.category).values_list("pk", flat=True),
        ]
        qs = qs.filter(category_id__in=ids)
    if f.product:
        qs = qs.filter(product_id=f.product)
    if f.customer:
        qs = qs.filter(customer_id=f.customer)
    if f.department:
        open_task = StageTask.objects.filter(
            complaint=OuterRef("pk"), department_id=f.department, status=TaskStatus.OPEN
        )
        qs = qs.filter(Q(responsible_department_id=f.department) | Exists(open_task))
    tz = timezone.get_current_timezone()
    if f.received_from:
        qs = qs.filter(received_at__gte=datetime.combine(f.received_from, time.min, tz))
    if f.received_to:
        end = datetime.combine(f.received_to + timedelta(days=1), time.min, tz)
        qs = qs.filter(received_at__lt=end)
    if f.q.strip():
        qs = search.matching(qs, f.q, many=many)
    return qs


def with_current_task(qs: QuerySet[Complaint]) -> QuerySet[Complaint]:
    stage_task = StageTask.objects.filter(
        complaint=OuterRef("pk"), status=TaskStatus.OPEN, kind=TaskKind.STAGE
    ).order_by("due_at")
    return qs.select_related("category", "category__parent", "product", "customer").annotate(
        task_due_at=Subquery(stage_task.values("due_at")[:1]),
        task_department=Subquery(stage_task.values("department__name_zh")[:1]),
        task_department_en=Subquery(stage_task.values("department__name_en")[:1]),
        task_assignee=Subquery(stage_task.values("assignee__display_name")[:1]),
    )


def _encode(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, spec) -> list | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError):
        return None
    if not isinstance(values, list) or len(values) != len(spec):
        return None
    out = []
    for (name, _desc), value in zip(spec, values, strict=True):
        if name.endswith("_at"):
            value = parse_datetime(value) if isinstance(value, str) else None
            if value is None:
                return None
        elif not isinstance(value, int) or isinstance(value, bool):
            return None
        out.append(value)
    return out


def _beyond(spec, values, *, forward: bool) -> Q:
    """Rows that come after (forward) or before the row with ``values`` in ``spec`` order."""
    condition = Q()
    equal = Q()
    for (name, descending), value in zip(spec, values, strict=True):
        later = descending if forward else not descending
        step = Q(**{f"{name}__{'lt' if later else 'gt'}": value})
        condition |= equal & step
        equal &= Q(**{name: value})
    return condition


def page(
    qs: QuerySet[Complaint], f: Filters, *, after: str = "", before: str = "", size: int = PAGE_SIZE
) -> Page:
    sort = f.sort if f.sort in SORTS else "newest"
    spec = SORTS[sort]
    size = max(1, min(int(size or PAGE_SIZE), MAX_PAGE_SIZE))
    base = filtered(qs, f)
    count = base.order_by()[: COUNT_CAP + 1].count()
    ordering = [("-" if d else "") + n for n, d in spec]
    reverse = [("" if d else "-") + n for n, d in spec]

    # First the page's ids alone, so that joins and the per-row task subqueries run for the
    # rows shown, not for every row that matches before the sort.
    if count <= COUNT_CAP:
        # A selective filter: fetch its few ids and sort those. Planners misjudge how many
        # rows a search or a rare filter keeps and would otherwise walk the whole
        # received_at index looking for them (1.5 s for a number that does not exist).
        keys = Complaint.objects.filter(pk__in=list(base.order_by().values_list("pk", flat=True)))
    else:
        keys = filtered(qs, f, many=True) if f.q.strip() else base
    backwards = False
    if before and (values := _decode(before, spec)):
        keys = keys.filter(_beyond(spec, values, forward=False)).order_by(*reverse)
        backwards = True
    elif after and (values := _decode(after, spec)):
        keys = keys.filter(_beyond(spec, values, forward=True)).order_by(*ordering)
    else:
        keys = keys.order_by(*ordering)
    ids = list(keys.values_list("id", flat=True)[: size + 1])
    more = len(ids) > size
    ids = ids[:size]
    if backwards:
        ids.reverse()
    found = {row.pk: row for row in with_current_task(Complaint.objects.filter(pk__in=ids))}
    rows = [found[pk] for pk in ids if pk in found]

    def cursor(row):
        return _encode([getattr(row, n) for n, _d in spec])

    if backwards:
        next_cursor = cursor(rows[-1]) if rows else None
        prev_cursor = cursor(rows[0]) if rows and more else None
    else:
        next_cursor = cursor(rows[-1]) if rows and more else None
        prev_cursor = cursor(rows[0]) if rows and (after and _decode(after, spec)) else None
    return Page(
        items=rows,
        next_cursor=next_cursor,
        prev_cursor=prev_cursor,
        count=min(count, COUNT_CAP),
        count_capped=count > COUNT_CAP,
        sort=sort,
    )


def my_tasks(user) -> QuerySet[StageTask]:
    """Open tasks for ``user``: assigned to them, or unassigned in their department."""
    mine = Q(assignee=user)
    if user.department_id:
        mine |= Q(assignee__isnull=True, department_id=user.department_id)
    return (
        access.visible_tasks(user)
        .filter(mine, status=TaskStatus.OPEN)
        .select_related("complaint", "department", "assignee")
        .order_by("due_at", "id")
    )
