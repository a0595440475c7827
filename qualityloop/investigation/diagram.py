"""The fishbone (Ishikawa) diagram of a complaint as inline SVG, drawn on the server.

The same markup is shown on the complaint page and embedded in the 8D report, so it carries
its own presentation attributes (no CSS classes needed) and every text is escaped.
"""

import unicodedata
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from .choices import FISHBONE_MARK, FISHBONE_WORD, FishboneCategory
from .models import FishboneCause

TOP = (FishboneCategory.MAN, FishboneCategory.MACHINE, FishboneCategory.MATERIAL)
BOTTOM = (FishboneCategory.METHOD, FishboneCategory.ENVIRONMENT, FishboneCategory.MEASUREMENT)

WIDTH = 1180
LEFT = 16
TEXT_WIDTH = 230  # room for cause texts left of each bone
SLANT = 60  # how far each bone leans back from where it meets the spine
COLUMN = TEXT_WIDTH + SLANT + 10
HEAD_X = LEFT + 3 * COLUMN + 10
HEAD_WIDTH = WIDTH - HEAD_X - 12
LINE = 16
SUB_LINE = 14
GAP = 5
MIN_LINES = 3
MAX_LINES = 3  # per cause; longer texts end in "…" and keep the whole text in a tooltip
FONT = "'Noto Sans CJK SC','Source Han Sans SC','PingFang SC','Microsoft YaHei',sans-serif"
INK = "#243b53"
MUTED = "#52606d"
ROOT = "#b42318"
BONE = "#7b8794"


def _char_width(ch: str, size: float) -> float:
    return size if unicodedata.east_asian_width(ch) in ("W", "F") else size * 0.56


def _wrap(text: str, size: float, width: float, max_lines: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` (estimated), at most ``max_lines``."""
    lines, current, used = [], "", 0.0
    for ch in " ".join(text.split()):
        w = _char_width(ch, size)
        if used + w > width and current:
            # Break Latin text at the last space, CJK anywhere.
            cut = current.rfind(" ")
            if ch != " " and cut > len(current) // 2:
                lines.append(current[:cut])
                current = current[cut + 1 :]
                used = sum(_char_width(c, size) for c in current)
            else:
                lines.append(current.rstrip())
                current, used = "", 0.0
            if ch == " ":
                continue
        current += ch
        used += w
    if current.strip():
        lines.append(current.rstrip())
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][:-1] + "…"
    return lines or [""]


@dataclass
class Item:
    cause: FishboneCause
    lines: list[str]
    size: int
    sub: bool
    y: float = 0.0
    parent_y: float | None = None

    @property
    def height(self) -> float:
        return len(self.lines) * (SUB_LINE if self.sub else LINE)


@dataclass
class Bone:
    category: str
    items: list[Item] = field(default_factory=list)

    @property
    def height(self) -> float:
        return sum(i.height + GAP for i in self.items)


def _bones(causes: list[FishboneCause]) -> dict[str, Bone]:
    bones = {c: Bone(c) for c in FishboneCategory.values}
    children: dict[int, list[FishboneCause]] = {}
    for cause in causes:
        if cause.parent_id:
            children.setdefault(cause.parent_id, []).append(cause)
    for cause in causes:
        if cause.parent_id:
            continue
        bone = bones[cause.category]
        bone.items.append(Item(cause, _wrap(cause.text, 12, TEXT_WIDTH - 20, MAX_LINES), 12, False))
        for sub in children.get(cause.pk, []):
            bone.items.append(Item(sub, _wrap(sub.text, 11, TEXT_WIDTH - 44, MAX_LINES), 11, True))
    return bones


def _text(xs, y, lines, *, size, fill, weight="normal", anchor="end", step=LINE) -> str:
    """Lines of text from ``y`` down; ``xs`` gives each line's x (or one x for all)."""
    if not isinstance(xs, list):
        xs = [xs] * len(lines)
    spans = "".join(
        f'<tspan x="{x:.0f}" dy="{0 if i == 0 else step}">{escape(line)}</tspan>'
        for i, (x, line) in enumerate(zip(xs, lines, strict=True))
    )
    return (
        f'<text x="{xs[0]:.0f}" y="{y:.0f}" font-size="{size}" fill="{fill}" '
        f'font-weight="{weight}" text-anchor="{anchor}">{spans}</text>'
    )


def _label(category: str, language: str) -> str:
    mark = FISHBONE_MARK[category]
    if language.startswith("zh"):
        return mark
    return f"{mark} {FISHBONE_WORD[category]}"


def _draw_bone(
    out: list[str], bone: Bone, ax: float, spine_y: float, length: float, up: bool, language: str
) -> None:
    sign = -1 if up else 1
    end_y = spine_y + sign * length

    def bone_x(y: float) -> float:
        return ax - SLANT * abs(y - spine_y) / length

    out.append(
        f'<line x1="{ax:.0f}" y1="{spine_y:.0f}" x2="{ax - SLANT:.0f}" y2="{end_y:.0f}" '
        f'stroke="{BONE}" stroke-width="2"/>'
    )
    label = escape(_label(bone.category, language))
    label_y = end_y - 12 if up else end_y + 22
    lx = ax - SLANT
    box_w = 34 if language.startswith("zh") else 34 + 9 * len(str(FISHBONE_WORD[bone.category]))
    out.append(
        f'<rect x="{lx - box_w / 2:.0f}" y="{label_y - 17:.0f}" width="{box_w:.0f}" height="24" '
        f'rx="5" fill="#e6eef8" stroke="#9fb3c8"/>'
        f'<text x="{lx:.0f}" y="{label_y:.0f}" font-size="16" font-weight="bold" fill="{INK}" '
        f'text-anchor="middle">{label}</text>'
    )
    for item in bone.items:
        cause = item.cause
        tick_y = item.y - 4
        x = bone_x(tick_y)
        colour = ROOT if cause.is_root else (MUTED if item.sub else INK)
        weight = "bold" if cause.is_root else "normal"
        note = pgettext("investigation", "root cause")
        title = escape(f"{cause.text} ({note})" if cause.is_root else cause.text)
        out.append(f'<g data-cause="{cause.pk}"><title>{title}</title>')
        step = SUB_LINE if item.sub else LINE
        if item.sub:
            # A smaller branch: from the parent's tick, along the bone, then out to the text.
            top = (item.parent_y if item.parent_y is not None else item.y) - 4
            out.append(
                f'<polyline points="{bone_x(top) - 8:.0f},{top:.0f} {x - 8:.0f},{tick_y:.0f} '
                f'{x - 20:.0f},{tick_y:.0f}" fill="none" stroke="{BONE}" stroke-width="1"/>'
            )
            offset = 24
        else:
            out.append(
                f'<line x1="{x:.0f}" y1="{tick_y:.0f}" x2="{x - 14:.0f}" y2="{tick_y:.0f}" '
                f'stroke="{colour}" stroke-width="{2 if cause.is_root else 1.5}"/>'
            )
            offset = 18
        if cause.is_root:
            out.append(f'<circle cx="{x:.0f}" cy="{tick_y:.0f}" r="4" fill="{ROOT}"/>')
        # Each line keeps the same distance from the slanting bone.
        xs = [bone_x(tick_y + i * step) - offset for i in range(len(item.lines))]
        out.append(
            _text(xs, item.y, item.lines, size=item.size, fill=colour, weight=weight, step=step)
        )
        out.append("</g>")


def _place(bone: Bone, first_y: float) -> None:
    y = first_y
    parent_y = None
    for item in bone.items:
        if not item.sub:
            parent_y = y
        item.y = y
        item.parent_y = parent_y if item.sub else None
        y += item.height + GAP


def render(causes: list[FishboneCause], problem: str, language: str, *, ident: str = "") -> str:
    """The diagram for ``causes`` (not removed) pointing at ``problem``, in ``language``."""
    with translation.override(language):
        bones = _bones(causes)
        top_h = max(max(bones[c].height for c in TOP), MIN_LINES * (LINE + GAP))
        bottom_h = max(max(bones[c].height for c in BOTTOM), MIN_LINES * (LINE + GAP))
        top_length = top_h + 24
        bottom_length = bottom_h + 24
        spine_y = 44 + top_length
        height = spine_y + bottom_length + 44
        for category in TOP:
            _place(bones[category], spine_y - top_length + 20)
        for category in BOTTOM:
            _place(bones[category], spine_y + 26)

        title_id = f"fishbone-title{ident}"
        heading = _("Fishbone diagram (人机料法环测): %(problem)s") % {"problem": problem}
        out = [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="fishbone" role="img" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="{WIDTH}" height="{height:.0f}" '
            f'font-family="{FONT}" aria-labelledby="{title_id}">',
            f'<title id="{title_id}">{escape(heading)}</title>',
            f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
            f'<line x1="{LEFT}" y1="{spine_y:.0f}" x2="{HEAD_X:.0f}" y2="{spine_y:.0f}" '
            f'stroke="{INK}" stroke-width="4"/>',
            f'<polygon points="{HEAD_X - 14:.0f},{spine_y - 9:.0f} {HEAD_X:.0f},{spine_y:.0f} '
            f'{HEAD_X - 14:.0f},{spine_y + 9:.0f}" fill="{INK}"/>',
        ]
        head_lines = _wrap(problem, 14, HEAD_WIDTH - 24, 6)
        head_h = max(56, len(head_lines) * 19 + 22)
        out.append(
            f'<rect x="{HEAD_X:.0f}" y="{spine_y - head_h / 2:.0f}" width="{HEAD_WIDTH:.0f}" '
            f'height="{head_h:.0f}" rx="8" fill="#fdeceb" stroke="{ROOT}" stroke-width="2"/>'
        )
        first = spine_y - (len(head_lines) - 1) * 19 / 2 + 5
        out.append(
            _text(
                HEAD_X + 12,
                first,
                head_lines,
                size=14,
                fill=INK,
                weight="bold",
                anchor="start",
                step=19,
            )
        )
        for i, category in enumerate(TOP):
            ax = LEFT + TEXT_WIDTH + SLANT + i * COLUMN
            _draw_bone(out, bones[category], ax, spine_y, top_length, True, language)
        for i, category in enumerate(BOTTOM):
            ax = LEFT + TEXT_WIDTH + SLANT + i * COLUMN
            _draw_bone(out, bones[category], ax, spine_y, bottom_length, False, language)
        if any(c.is_root for c in causes):
            legend_y = height - 10
            out.append(
                f'<circle cx="{LEFT + 6}" cy="{legend_y - 4}" r="4" fill="{ROOT}"/>'
                + _text(
                    LEFT + 16,
                    legend_y,
                    [pgettext("investigation", "Root cause")],
                    size=11,
                    fill=ROOT,
                    weight="bold",
                    anchor="start",
                )
            )
        out.append("</svg>")
    return "".join(out)


def fishbone_causes(complaint) -> list[FishboneCause]:
    return list(
        FishboneCause.objects.filter(complaint_id=complaint.pk, removed_at__isnull=True)
        .select_related("cause_code")
        .order_by("created_at", "id")
    )


def as_markup(svg: str) -> SafeString:
    """Output of ``render`` as markup a template will not escape again."""
    return mark_safe(svg)  # noqa: S308 (every text inside was escaped by ``render``)


def fishbone_svg(complaint, language: str) -> SafeString:
    """The complaint's fishbone as SVG markup, safe to embed in a page or a PDF."""
    return as_markup(
        render(fishbone_causes(complaint), complaint.title, language, ident=f"-{complaint.pk}")
    )
