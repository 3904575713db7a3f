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

import re

from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Func
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


class SearchText(Func):
    """The searched columns as one text, for the LIKE that checks each word."""

    template = "(%(expressions)s)"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()


def words(query: str) -> list[str]:
    """The words typed that can be looked up: a lone Chinese character has no term of its
    own, and a word of punctuation none at all."""
    found = []
    for word in query[:MAX_LENGTH].split()[:MAX_WORDS]:
        runs = RUNS.findall(word.lower())
        if runs and all(len(run) >= 2 or not re.match(f"[{CJK}]", run) for run in runs):
            found.append(word)
    return found


# How many rows holding the terms a newest-first search checks for the words themselves
# before it checks them all.
CHECKED_FIRST = 100


def matching(queryset, columns, query_words):
    """The rows whose `columns` hold every word, through the index on their terms."""
    if not query_words:
        return queryset.none()
    return _holding_words(_holding_terms(queryset, columns, query_words), columns, query_words)


def newest_matching(queryset, columns, query_words, order, *, wanted: int) -> list:
    """The first `wanted` rows in `order` (newest first) whose `columns` hold every word.

    The terms of common words are in thousands of rows, and checking the words themselves in
    each costs far more than the index does: so the newest CHECKED_FIRST rows holding the
    terms are checked first, and every row only when those hold fewer than `wanted`. Any
    row holding the words holds their terms, so the rows found first are the newest ones."""
    if not query_words:
        return []
    candidates = list(
        _holding_terms(queryset, columns, query_words)
        .order_by(*order)
        .values_list("pk", flat=True)[:CHECKED_FIRST]
    )
    found = list(
        _holding_words(queryset.filter(pk__in=candidates), columns, query_words).order_by(*order)[
            :wanted
        ]
    )
    if len(found) < wanted and len(candidates) == CHECKED_FIRST:
        found = list(matching(queryset, columns, query_words).order_by(*order)[:wanted])
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


def _holding_terms(queryset, columns, query_words):
    return queryset.alias(search_terms=SearchTerms(*columns)).filter(
        search_terms__contains=terms(" ".join(query_words))
    )


def _holding_words(queryset, columns, query_words):
    queryset = queryset.alias(search_text=SearchText(*columns))
    for word in query_words:
        if not _is_its_own_term(word):
            # The terms are found; are they the word, in this order?
            queryset = queryset.filter(search_text__icontains=word)
    return queryset


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


def ranked(queryset, title, query, recency):
    """Best first: the title that is the words typed, then one that begins with them, then
    the rest; the most recent first within each."""
    return queryset.annotate(
        search_rank=models.Case(
            models.When(**{f"{title}__iexact": query}, then=0),
            models.When(**{f"{title}__istartswith": query}, then=1),
            default=2,
        )
    ).order_by("search_rank", recency)
