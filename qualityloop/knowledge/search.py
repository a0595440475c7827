"""Finding entries: every token for a search, token overlap for suggestions, and snippets.

Entries are tokenised like complaints (``complaints.search``: CJK unigrams and bigrams, Latin
words), so a two-character Chinese word finds an entry without a word segmenter. Both the
all-tokens match and the any-token candidates of a suggestion go through the index of
migration 0002, never a scan of the text.
"""

import math
import re

from django.db import connection
from django.db.models import Case, F, QuerySet, TextField, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from qualityloop.complaints.search import document_tokens, query_tokens

__all__ = ["document_tokens", "query_tokens"]

# The CJK ranges of complaints.search, where a token is a bigram rather than a word.
_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"

# A suggestion reads the subject and the start of the description, not a whole report.
MAX_SUGGEST_TOKENS = 40


def _fts_query(tokens: list[str], joiner: str) -> str:
    return f" {joiner} ".join('"' + t.replace('"', "") + '"' for t in tokens)


def _restrict(queryset: QuerySet, tokens: list[str], *, every: bool) -> QuerySet:
    if connection.vendor == "postgresql":
        operator = "@>" if every else "&&"
        sql = f"SELECT id FROM knowledge_knowledgeentry WHERE token_array {operator} %s::text[]"  # noqa: S608
        params = [tokens]
    else:
        sql = "SELECT rowid FROM knowledge_search_fts WHERE knowledge_search_fts MATCH %s"
        params = [_fts_query(tokens, "AND" if every else "OR")]
    return queryset.filter(id__in=RawSQL(sql, params))  # noqa: S611


def matching(queryset: QuerySet, text: str) -> QuerySet:
    """Entries whose text holds every token of ``text`` (all of them when it has none)."""
    tokens = query_tokens(text)
    return _restrict(queryset, tokens, every=True) if tokens else queryset


def suggestion_tokens(*texts: str) -> list[str]:
    seen: dict[str, None] = {}
    for text in texts:
        for token in query_tokens(text):
            seen.setdefault(token, None)
    return list(seen)[:MAX_SUGGEST_TOKENS]


def min_relevance(n_tokens: int) -> int:
    """How much an entry must share to be suggested: one common word (客户) is chance."""
    return 1 if n_tokens == 1 else max(2, min(6, math.ceil(n_tokens / 4)))


def ranked(queryset: QuerySet, tokens: list[str], *, product_id=None, category_id=None) -> QuerySet:
    """Entries sharing any of ``tokens``, best first, annotated with ``relevance`` (tokens
    shared with the whole text, again for those in the title) and ``score`` (relevance, +3
    for the same product, +2 for the same category)."""
    if not tokens:
        return queryset.none()
    padded = Concat(Value(" "), F("search_tokens"), Value(" "), output_field=TextField())

    def shared(**lookup):
        return Case(When(**lookup, then=Value(1)), default=Value(0))

    relevance = sum(
        (shared(padded_tokens__contains=f" {t} ") + shared(title__icontains=t) for t in tokens),
        start=Value(0),
    )
    boost = Value(0)
    if product_id:
        boost += Case(When(product_id=product_id, then=Value(3)), default=Value(0))
    if category_id:
        boost += Case(When(category_id=category_id, then=Value(2)), default=Value(0))
    return (
        _restrict(queryset, tokens, every=False)
        .alias(padded_tokens=padded)
        .annotate(relevance=relevance)
        .annotate(score=F("relevance") + boost)
        .filter(relevance__gte=min_relevance(len(tokens)))
        .order_by("-score", "-published_at", "-id")
    )


# ---------------------------------------------------------------- snippets

_LATIN_EDGE = rf"[^\W_{_CJK}]"


def _pattern(tokens: list[str]) -> re.Pattern | None:
    alternatives = []
    for token in sorted(set(tokens), key=len, reverse=True):
        if re.fullmatch(rf"[{_CJK}]+", token):
            alternatives.append(re.escape(token))
        else:
            alternatives.append(rf"(?<!{_LATIN_EDGE}){re.escape(token)}(?!{_LATIN_EDGE})")
    if not alternatives:
        return None
    # A lookahead finds overlapping matches: 外壳 and 壳开 both mark inside 外壳开裂.
    return re.compile(rf"(?=({'|'.join(alternatives)}))", re.IGNORECASE)


def _spans(text: str, tokens: list[str]) -> list[tuple[int, int]]:
    pattern = _pattern(tokens)
    if pattern is None:
        return []
    merged: list[list[int]] = []
    for m in pattern.finditer(text):
        start, end = m.start(1), m.end(1)
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(s, e) for s, e in merged]


def snippet_parts(text: str, tokens=(), *, width: int = 120) -> list[tuple[str, bool]]:
    """Up to ``width`` characters of ``text`` around its first match, as (text, is_match)."""
    text = " ".join((text or "").split())
    spans = _spans(text, list(tokens))
    start = max(0, spans[0][0] - width // 4) if spans else 0
    end = min(len(text), start + width)
    if end - start < width:
        start = max(0, end - width)
    parts: list[tuple[str, bool]] = [("…", False)] if start > 0 else []
    at = start
    for s, e in spans:
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        if s > at:
            parts.append((text[at:s], False))
        parts.append((text[s:e], True))
        at = e
    if end > at:
        parts.append((text[at:end], False))
    if end < len(text):
        parts.append(("…", False))
    return parts


def as_html(parts: list[tuple[str, bool]]) -> SafeString:
    """The snippet with its matches in <mark>; every piece of text is escaped."""
    return mark_safe(  # noqa: S308
        "".join(f"<mark>{escape(t)}</mark>" if hit else str(escape(t)) for t, hit in parts)
    )


def as_text(parts: list[tuple[str, bool]]) -> str:
    return "".join(t for t, _hit in parts)
