"""The sign-off workflow that strategy briefs, estimates and spend plans share. The author
submits a draft, which then waits, locked; an account director who had no hand in it signs it
off (or, for a brief, returns it with comments). Nobody signs off their own work."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from common.errors import Refused

from . import permissions


@dataclass(frozen=True)
class Wording:
    """What a kind of document says when a sign-off is refused, in the reader's language."""

    director_only: str
    not_own: str


def submit(document, *, by) -> None:
    """Hands a draft to the directors. The caller checks that it is complete and saves it."""
    if document.status != document.Status.DRAFT:
        raise Refused(_("Only a draft can be submitted."))
    document.status = document.Status.SUBMITTED
    document.submitted_by = by


def check_decision(document, *, by, waiting: str, makers, wording: Wording) -> None:
    """Refuses unless `by` may decide on `document` now: an account director, while the
    document is `waiting`, who is none of its `makers` (the ids of who wrote or submitted it).
    Call it with the document locked."""
    if not permissions.can_sign_off(by):
        raise Refused(wording.director_only)
    if document.status != waiting:
        raise Refused(_("Only a submitted version can be signed off or returned."))
    if by.pk in set(makers):
        raise Refused(wording.not_own)
