"""Text search that works for Chinese without a word segmenter.

Chinese has no spaces, so a complaint's text is indexed as CJK unigrams and bigrams (the
scheme of Lucene's CJK analyser) plus lower-cased Latin words and numbers. A query is cut the
same way and every token must be present. The index is FTS5 on SQLite and a GIN index over
the token array on PostgreSQL (migration 0002); both find a complaint among a million rows
without reading the table.
"""

import re

from django.db import connection
from django.db.models import BigIntegerField, QuerySet
from django.db.models.expressions import RawSQL

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PIECE = re.compile(rf"[{_CJK}]+|[^\W_{_CJK}]+", re.UNICODE)
_CJK_RUN = re.compile(rf"[{_CJK}]+")
MAX_QUERY_TOKENS = 24


def _cjk_tokens(run: str, *, unigrams: bool) -> list[str]:
    bigrams = [run[i : i + 2] for i in range(len(run) - 1)]
    if unigrams or len(run) == 1:
        return list(run) + bigrams
    return bigrams


def document_tokens(*texts: str) -> str:
    seen: dict[str, None] = {}
    for text in texts:
        for piece in _PIECE.findall((text or "").lower()):
            if _CJK_RUN.fullmatch(piece):
                for token in _cjk_tokens(piece, unigrams=True):
                    seen.setdefault(token, None)
            else:
                seen.setdefault(piece, None)
    return " ".join(seen)


def query_tokens(query: str) -> list[str]:
    tokens: dict[str, None] = {}
    for piece in _PIECE.findall((query or "").lower()):
        if _CJK_RUN.fullmatch(piece):
            for token in _cjk_tokens(piece, unigrams=False):
                tokens.setdefault(token, None)
        else:
            tokens.setdefault(piece, None)
    return list(tokens)[:MAX_QUERY_TOKENS]


def matching(queryset: QuerySet, query: str, *, many: bool = False) -> QuerySet:
    """Narrow a complaint queryset to those whose text contains every token of ``query``.

    ``many`` says the caller knows the query matches more rows than a page needs. SQLite
    would then still fetch and sort every match; hiding ``id`` from its planner (``+id``)
    makes it walk the list's own index in order and stop once the page is full.
    """
    tokens = query_tokens(query)
    if not tokens:
        return queryset
    if connection.vendor == "postgresql":
        sql = "SELECT complaint_id FROM complaints_complaintsearch WHERE token_array @> %s::text[]"
        params = [tokens]
    else:
        sql = "SELECT rowid FROM complaints_search_fts WHERE complaints_search_fts MATCH %s"
        params = [" AND ".join('"' + t.replace('"', "") + '"' for t in tokens)]
    if many and connection.vendor == "sqlite":
        walked = RawSQL('+"complaints_complaint"."id"', (), output_field=BigIntegerField())
        return queryset.alias(walked_id=walked).filter(walked_id__in=RawSQL(sql, params))  # noqa: S611
    return queryset.filter(id__in=RawSQL(sql, params))  # noqa: S611
