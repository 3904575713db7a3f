"""The pages the benchmark drives, and who is signed in for each (None: signed out)."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    user: str | None

    def resolve(self) -> str:
        """The path with each {client name} replaced by that demo client's id."""
        from accounts.models import Client

        return re.sub(
            r"\{([^}]+)\}", lambda m: str(Client.objects.get(name=m.group(1)).pk), self.path
        )


AE = "chen.jing@agency.example"
DIRECTOR = "zhang.wei@agency.example"

PAGES = [
    Page("healthz", "/healthz", None),
    Page("my desk (AE)", "/", AE),
    Page("client list (AE)", "/clients/", AE),
    Page("client list (director)", "/clients/", DIRECTOR),
    Page("client page (AE)", "/clients/{Qinghe Dairy}/", AE),
    Page("my action items (AE)", "/action-items/", AE),
]
