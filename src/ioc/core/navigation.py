"""The sidebar: each app registers its entries in its AppConfig.ready(); roles filter them."""

from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    key: str
    label: Any  # a lazy translation
    url_name: str
    icon: str  # a Bootstrap Icons name, without the "bi-" prefix
    roles: frozenset[str]
    order: int = 100
    section: Any = ""
    description: Any = ""

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_registry: dict[str, NavItem] = {}


def register(item: NavItem) -> None:
    _registry[item.key] = item


def items_for(user: Any) -> list[NavItem]:
    """The entries the user's role may use, in menu order."""
    if not getattr(user, "is_authenticated", False):
        return []
    role = getattr(user, "role", "")
    everything = getattr(user, "is_superuser", False)
    items = [item for item in _registry.values() if everything or role in item.roles]
    return sorted(items, key=lambda item: (item.order, item.key))
