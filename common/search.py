"""Finding rows by a few words, in English and in Chinese.

PostgreSQL has no Chinese parser here, and pg_trgm cannot narrow a search of two Chinese
characters (it keeps words of three). So the portal indexes its own terms: the SQL function
portal_search_terms (common/migrations/0001_search_terms.py) cuts text into runs of Chinese
(or Japanese, Korean) characters and runs of Latin letters and digits, lower-cased, and
keeps every two characters of a Chinese run and every three of a Latin one; a run shorter
than that is kept whole. A GIN index on those terms of a model's searched columns finds the
rows holding every term of the words typed, and a case-insensitive LIKE of each word then
keeps the rows that hold the words themselves.

So "奶业" finds 清河奶业, "qinghe" or "2026-001" finds the job QINGHE-2026-001, and a
word of two Latin letters ("Li") finds the whole word. A single Chinese character finds
nothing: there is no term that short to look it up by.
"""

import json
import re
from dataclasses import dataclass

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.core.exceptions import EmptyResultSet
from django.db import connection, models
from django.db.models import Func, QuerySet
from django.utils.html import escape
from django.utils.safestring import mark_safe

# The same runs as the SQL function: Chinese, Japanese and Korean characters, two by two;
# Latin letters and digits, three by three.
CJK = "\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff\uac00-\ud7af"
LATIN = "a-z0-9\u00df-\u024f"
RUNS = re.compile(f"[{CJK}]+|[{LATIN}]+")

# What a search reads of the box: the first words, not a page of text.
MAX_WORDS = 6
MAX_LENGTH = 100


class SearchTerms(Func):
    """The index terms of some text columns, joined by spaces (portal_search_terms)."""

    function = "portal_search_terms"
    arg_joiner = " || ' ' || "
    output_field = ArrayField(models.TextField())


def words(query: str) -> list[str]:
    """The words typed that can be looked up: a lone Chinese character has no term of its
    own, and a word of punctuation none at all."""
    found = []
    for word in query[:MAX_LENGTH].split()[:MAX_WORDS]:
        runs = RUNS.findall(word.lower())
        if runs and all(len(run) >= 2 or not re.match(f"[{CJK}]", run) for run in runs):
            found.append(word)
    return found


def terms(text: str) -> list[str]:
    """The terms portal_search_terms keeps of `text`, cut here: the SQL function, folded
    into a constant while the query is planned, costs a millisecond a query."""
    found = set()
    for run in RUNS.findall(text.lower()):
        size = 2 if re.match(f"[{CJK}]", run) else 3
        if len(run) <= size:
            found.add(run)
        else:
            found.update(run[start : start + size] for start in range(len(run) - size + 1))
    return sorted(found)


# How many of the newest rows, then of the newest holding the terms, are checked for the words
# themselves before every row is.
CHECKED_FIRST = 100


@dataclass(frozen=True)
class Source:
    """One kind of row a search reads.

    `rows`: the rows the user may see, as the kind's pages scope them, with their id, the
    columns a hit shows and `columns` (a values() queryset); `columns`: those the words are
    looked for in, the columns of the kind's search index; `order`: how rows rank within a
    rank, "-" for descending;
    `title`: the column whose value is the words typed (ranked first) or begins with them
    (second), or None for rows with no title (notes), ranked by `order` alone."""

    rows: QuerySet
    columns: tuple
    order: tuple
    title: str | None = None


def first_found(
    sources: list[Source], query_words, wanted: int, *, clients: QuerySet | None = None
) -> list[list[dict]]:
    """Each source's first `wanted` rows holding every word, best first, as dicts of the
    columns of its `rows`: in one query, the same whatever is found. With `clients`, the
    values("id", "name") of the clients, a row's "client_name" is its client_id's name.

    The terms of common words are in thousands of notes, and the index hands them all back
    before the newest few are kept. So a source with no title, read newest first, is read
    in steps, each only when the one before found fewer than `wanted`: its newest
    CHECKED_FIRST rows, checked for the words; its newest CHECKED_FIRST rows holding the
    terms, checked for the words; every row. Any row holding the words holds their terms,
    so the rows found are the newest.

    The scoped querysets are compiled, not built up into six ORM queries: composing them
    costs the search most of its time otherwise."""
    found = [[] for _ in sources]
    sql, params = query(sources, query_words, wanted, clients=clients)
    if sql:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for number, row in cursor.fetchall():
                found[number].append(json.loads(row))  # Django reads jsonb as text
    return found


def query(
    sources: list[Source], query_words, wanted: int, *, clients: QuerySet | None = None
) -> tuple[str, list]:
    """The SQL of first_found, and its parameters; no SQL when there is nothing to read."""
    branches = []
    params = []
    for number, source in enumerate(sources):
        try:
            sql, branch_params = _first_of(source, query_words, wanted)
        except EmptyResultSet:  # rows the user may not see at all
            continue
        branches.append(f"(SELECT {number} AS source, * FROM ({sql}) AS branch)")
        params.extend(branch_params)
    if not query_words or not branches:
        return "", []
    union = " UNION ALL ".join(branches)
    if clients is None:
        return f"SELECT source, row FROM ({union}) AS found ORDER BY source, place", params
    clients_sql, clients_params = clients.order_by().query.sql_with_params()
    sql = f"""
        SELECT found.source, found.row || jsonb_build_object('client_name', client.name)
        FROM ({union}) AS found
        LEFT JOIN ({clients_sql}) AS client ON client.id = (found.row ->> 'client_id')::bigint
        ORDER BY found.source, found.place
    """
    return sql, [*params, *clients_params]


def _first_of(source: Source, query_words, wanted: int):
    rows_sql, rows_params = source.rows.order_by().query.sql_with_params()
    quote = connection.ops.quote_name
    text = " || ' ' || ".join(f"found.{quote(column)}" for column in source.columns)
    like = connection.ops.prep_for_like_query
    query = " ".join(query_words)
    if source.title is None:
        rank, rank_params = "0", []
    else:
        title = f"UPPER(found.{quote(source.title)}::text)"
        rank = f"CASE WHEN {title} = UPPER(%s) THEN 0 WHEN {title} LIKE UPPER(%s) THEN 1 ELSE 2 END"
        rank_params = [query, f"{like(query)}%"]
    plain_order = ", ".join(
        f"{quote(column.lstrip('-'))} {'DESC' if column.startswith('-') else 'ASC'}"
        for column in source.order
    )
    order = ", ".join(filter(None, ["search_rank", plain_order]))
    holding_terms = f"portal_search_terms({text}) @> %s::text[]"
    terms_params = [terms(query)]
    checked = [word for word in query_words if not _is_its_own_term(word)]
    holding_words = " AND ".join([f"UPPER({text}) LIKE UPPER(%s)" for _ in checked] or ["TRUE"])
    words_params = [f"%{like(word)}%" for word in checked]

    def first(
        where, where_params, limit, *, ids_only=False, rows=rows_sql, rows_params=rows_params
    ):
        columns, columns_params = (
            ("found.id, 0 AS search_rank", [])
            if ids_only
            else (f"found.*, {rank} AS search_rank", rank_params)
        )
        sql = f"""
            SELECT {columns} FROM ({rows}) AS found
            WHERE {where} ORDER BY {order} LIMIT %s
        """
        return sql, [*columns_params, *rows_params, *where_params, limit]

    found_sql, found_params = first(
        f"{holding_terms} AND {holding_words}", [*terms_params, *words_params], wanted
    )
    if source.title is None and checked:
        # Newest first, in three steps, each only when the one before found too few: the
        # newest rows (words common in them are found at once); the newest rows holding the
        # terms (by id: the rows themselves are wide); every row.
        recent_sql, recent_params = first(
            holding_words,
            words_params,
            wanted,
            rows=f"SELECT * FROM ({rows_sql}) AS found ORDER BY {plain_order} LIMIT %s",
            rows_params=[*rows_params, CHECKED_FIRST],
        )
        candidates_sql, candidates_params = first(
            holding_terms, terms_params, CHECKED_FIRST, ids_only=True
        )
        checked_sql, checked_params = first(
            f"found.id IN (SELECT id FROM candidates) AND {holding_words}", words_params, wanted
        )
        recent = "(SELECT count(*) FROM recent) = %s"
        enough = "((SELECT count(*) FROM checked) = %s OR (SELECT count(*) FROM candidates) < %s)"
        found_sql = f"""
            WITH recent AS MATERIALIZED ({recent_sql}),
            candidates AS MATERIALIZED ({candidates_sql}),
            checked AS MATERIALIZED ({checked_sql})
            SELECT * FROM recent WHERE {recent}
            UNION ALL
            SELECT * FROM checked WHERE NOT {recent} AND {enough}
            UNION ALL
            SELECT * FROM ({found_sql}) AS everything WHERE NOT {recent} AND NOT {enough}
        """
        found_params = [
            *recent_params,
            *candidates_params,
            *checked_params,
            wanted,
            wanted,
            wanted,
            CHECKED_FIRST,
            *found_params,
            wanted,
            wanted,
            CHECKED_FIRST,
        ]
    sql = f"""
        SELECT row_number() OVER (ORDER BY {order}) AS place,
               to_jsonb(first) - 'search_rank' AS row
        FROM ({found_sql}) AS first
    """
    return sql, found_params


def _is_its_own_term(word: str) -> bool:
    """Whether the index finds exactly the rows holding the word: two Chinese characters,
    or up to three letters or digits, are one term, the word itself."""
    runs = RUNS.findall(word.lower())
    if len(runs) != 1 or runs[0] != word.lower():
        return False
    return len(word) == 2 if re.match(f"[{CJK}]", word) else len(word) <= 3


def index(name, *columns):
    """The GIN index a model keeps for its search, on the terms of `columns`."""
    return GinIndex(SearchTerms(*columns), name=name)


def highlight(text: str, query_words, *, around: int | None = None):
    """The text, escaped, with each word found in it marked; with `around`, only the part
    about the first word found, `around` characters either side."""
    text = text or ""
    pattern = re.compile("|".join(re.escape(word) for word in query_words), re.IGNORECASE)
    if around is not None:
        first = pattern.search(text) if query_words else None
        if first is None:
            shown = text[: 2 * around]
            return mark_safe(escape(shown) + ("…" if len(text) > len(shown) else ""))
        start = max(0, first.start() - around)
        end = min(len(text), first.end() + around)
        prefix = "…" if start else ""
        suffix = "…" if end < len(text) else ""
        text = text[start:end]
    else:
        prefix = suffix = ""
    if not query_words:
        return mark_safe(escape(text))
    marked = []
    last = 0
    for match in pattern.finditer(text):
        marked.append(escape(text[last : match.start()]))
        marked.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    marked.append(escape(text[last:]))
    return mark_safe(escape(prefix) + "".join(marked) + escape(suffix))
