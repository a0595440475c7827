"""Actions' part in a complaint's life: the action gates and what a signature binds."""

from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qualityloop.complaints.choices import EventKind

from .models import ActionLink
from .queries import action_summary, actions_for

ACTION_LINES = (
    ("step", gettext_lazy("Step")),
    ("rating", gettext_lazy("Rating")),
    ("result", gettext_lazy("Result")),
    ("text", gettext_lazy("Note")),
)


def gate_facts(complaint) -> dict:
    actions = action_summary(complaint)
    return {
        "corrective_actions": actions.corrective,
        "open_actions": actions.open,
        "unverified_actions": actions.unverified,
    }


def signed_content(complaint) -> dict:
    return {"actions": sorted([a.number, a.status] for a in actions_for(complaint))}


def timeline_entry(event):
    """Actions, checks, remedies and costs on the complaint's timeline."""
    data = event.data or {}
    lines = []
    if event.kind in (EventKind.ACTION, EventKind.EFFECTIVENESS):
        title = " ".join(x for x in (data.get("number"), data.get("title")) if x)
        for key, label in ACTION_LINES:
            if data.get(key):
                lines.append((str(label), str(data[key])))
        return title, lines, []
    if event.kind in (EventKind.REMEDY, EventKind.COST):
        title = data.get("description") or data.get("kind") or data.get("category") or ""
        if data.get("amount"):
            lines.append((_("Amount"), f"¥{data['amount']}"))
        if data.get("step"):
            lines.append((_("Step"), str(data["step"])))
        return title, lines, []
    return None


def readers(user):
    """The owner of an action serving a complaint, and whoever verified one, may read it."""
    links = ActionLink.objects.filter(complaint=OuterRef("pk"))
    owned = links.filter(action__owner=user)
    checked = links.filter(action__checks__verifier=user)
    return Q(Exists(owned)) | Q(Exists(checked))


def page_panels(complaint):
    return [("main", 20, "capa/_panel.html")]
