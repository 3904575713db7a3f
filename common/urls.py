"""Addresses of one object's page, built from a pattern worked out once per process: a list
of a hundred rows links each row, and reverse() is slow enough to show on such a page."""

import functools

from django.urls import get_script_prefix, reverse

# A pk no row has, that stands for the row's own in the address reversed once.
_STAND_IN = 918273645546372819


@functools.cache
def _pattern(name: str, script_prefix: str) -> tuple[str, str]:
    before, stand_in, after = reverse(name, args=[_STAND_IN]).partition(str(_STAND_IN))
    if not stand_in:
        raise ValueError(f"{name} does not take its pk in the path")
    return before, after


def pk_reverse(name: str, pk) -> str:
    """What reverse(name, args=[pk]) gives, for a view that takes one int pk."""
    before, after = _pattern(name, get_script_prefix())
    return f"{before}{int(pk)}{after}"
