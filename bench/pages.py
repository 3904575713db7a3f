"""The pages the benchmark drives, and who is signed in for each (None: signed out)."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None


AE = "chen.jing@agency.example"

PAGES = [
    Page("healthz", "/healthz", None),
    Page("my desk (AE)", "/", AE),
]
