"""Investigation and root-cause events in words, for the complaint's timeline.

``describe(event.data)`` gives a title, label/value lines and before → after changes, the
same parts ``complaints.templatetags.complaint_tags.Entry`` is made of.
"""

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .choices import ContainmentScope, Disposition, FishboneCategory, WhyKind
from .models import ReturnedProduct

Lines = list[tuple[str, str]]
Changes = list[tuple[str, str, str]]


def _label(choices, value) -> str:
    return str(choices(value).label) if value in choices.values else str(value or "—")


def _moment(value) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        return "—"
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i")


def _conforming(value) -> str:
    return {True: _("Yes"), False: _("No")}.get(value, _("Not judged"))


def _rma_value(field: str, value) -> str:
    if value in (None, ""):
        return "—"
    if field == "disposition":
        return _label(Disposition, value)
    if field in ("received_at", "analysed_at"):
        return _moment(value)
    return str(value)


def _inspection(data: dict) -> tuple[str, Lines, Changes]:
    lines = [
        (_("Method"), data.get("method") or "—"),
        (_("Result"), data.get("result", "")),
        (_("Conforming?"), _conforming(data.get("conforming"))),
        (_("Performed by"), data.get("performed_by_label") or "—"),
    ]
    if data.get("files"):
        lines.append((_("Evidence"), "、".join(f["name"] for f in data["files"])))
    return _("Inspection: %(what)s") % {"what": data.get("checked", "")}, lines, []


def _returned(data: dict) -> tuple[str, Lines, Changes]:
    rma = data.get("rma_number", "")
    if data.get("action") == "changed":
        changes = [
            (
                capfirst(ReturnedProduct._meta.get_field(c["field"]).verbose_name),
                _rma_value(c["field"], c.get("before")),
                _rma_value(c["field"], c.get("after")),
            )
            for c in data.get("changes", [])
        ]
        return _("Returned product %(rma)s updated") % {"rma": rma}, [], changes
    lines = [
        (_("Quantity"), str(data.get("quantity", ""))),
        (_("Disposition"), _label(Disposition, data.get("disposition"))),
    ]
    if data.get("findings"):
        lines.append((_("Findings"), data["findings"]))
    return _("Returned product %(rma)s registered") % {"rma": rma}, lines, []


def _containment(data: dict) -> tuple[str, Lines, Changes]:
    where = _label(ContainmentScope, data.get("scope"))
    if data.get("action") == "verified":
        return (
            _("Containment verified: %(where)s") % {"where": where},
            [(_("Action"), data.get("text", ""))],
            [],
        )
    return (
        _("Containment: %(where)s") % {"where": where},
        [
            (_("Action"), data.get("text", "")),
            (_("Quantity checked"), str(data.get("quantity_checked", 0))),
            (_("Quantity nonconforming"), str(data.get("quantity_nonconforming", 0))),
        ],
        [],
    )


def _why_chain(data: dict) -> tuple[str, Lines, Changes]:
    kind = _label(WhyKind, data.get("kind"))
    if data.get("action") == "changed":
        title = _("5-Why chain revised: %(kind)s") % {"kind": kind}
    else:
        title = _("5-Why chain: %(kind)s") % {"kind": kind}
    lines: Lines = [(_("Problem"), data.get("problem", ""))]
    for n, step in enumerate(data.get("steps", []), start=1):
        answer = step.get("because", "")
        if step.get("cause_code"):
            answer = f"{answer} [{step['cause_code']}]"
        question = _("Why %(n)d?") % {"n": n}
        if step.get("why"):
            question = f"{question} {step['why']}"
        lines.append((question, answer))
    return title, lines, []


def _fishbone(data: dict) -> tuple[str, Lines, Changes]:
    bone = _label(FishboneCategory, data.get("category"))
    text = data.get("text", "")
    titles = {
        "added": _("Fishbone cause added (%(bone)s): %(text)s"),
        "removed": _("Fishbone cause removed (%(bone)s): %(text)s"),
        "marked": _("Marked as a root cause (%(bone)s): %(text)s"),
        "unmarked": _("No longer a root cause (%(bone)s): %(text)s"),
    }
    title = titles.get(data.get("action"), titles["added"]) % {"bone": bone, "text": text}
    lines: Lines = []
    if data.get("cause_code"):
        lines.append((_("Cause code"), data["cause_code"]))
    if data.get("action") == "added" and data.get("is_root"):
        lines.append(("", pgettext("investigation", "Root cause")))
    return title, lines, []


def _root_cause(data: dict) -> tuple[str, Lines, Changes]:
    responsible = [
        label
        for label in (
            data.get("responsible_department_label"),
            data.get("responsible_supplier_label"),
        )
        if label
    ]
    lines: Lines = [
        (pgettext("investigation", "Root cause"), data.get("statement", "")),
        (_("Cause code"), data.get("cause_code_label") or "—"),
        (_("Responsible"), "、".join(responsible) or "—"),
    ]
    before = data.get("before")
    if before:
        return (
            _("Root cause revised"),
            lines,
            [
                (
                    pgettext("investigation", "Root cause"),
                    before.get("statement", ""),
                    data.get("statement", ""),
                )
            ],
        )
    return _("Root cause decided"), lines, []


DESCRIBERS = {
    "inspection": _inspection,
    "returned_product": _returned,
    "containment": _containment,
    "why_chain": _why_chain,
    "fishbone_cause": _fishbone,
    "root_cause": _root_cause,
}


def describe(data: dict) -> tuple[str, Lines, Changes]:
    """(title, lines, changes) for the data of an INVESTIGATION or ROOT_CAUSE event."""
    describer = DESCRIBERS.get((data or {}).get("record"))
    if describer is None:
        return "", [], []
    return describer(data)
