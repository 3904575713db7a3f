"""What a client's answer through a document's link means, for each kind of document sent
for approval. The app that sends a kind registers it when it loads, so that the client's
page, which knows only the sending, applies the app's rules without importing the app."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Approvable:
    # Whether the version sent is out of date (a later version, or settled some other way):
    # its links then say so and change nothing.
    superseded: Callable
    # What the decision does to the document (an approved change order raises the working
    # budget), run in the transaction that records it, under the document's lock.
    decided: Callable


_kinds: dict[type, Approvable] = {}


def register(model, *, superseded, decided) -> None:
    _kinds[model] = Approvable(superseded=superseded, decided=decided)


def of(document) -> Approvable:
    return _kinds[type(document)]
