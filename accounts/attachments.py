"""What may carry files, and who sees and adds them: each app registers the kinds of its
objects that take attachments when it loads, so that one upload view and one download view
serve them all, each scoped exactly like the object's own page."""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Attachable:
    model: type
    # The objects `user` may open, and those they may attach files to (querysets).
    visible: Callable
    editable: Callable
    # The object's client and the page it is shown on.
    client: Callable
    url: Callable


_kinds: dict[str, Attachable] = {}


def register(name: str, model, *, visible, editable, client, url) -> None:
    _kinds[name] = Attachable(model, visible, editable, client, url)


def kind(name: str) -> Attachable | None:
    return _kinds.get(name)


def kind_of(model) -> str:
    return next(name for name, kind in _kinds.items() if kind.model is model)
