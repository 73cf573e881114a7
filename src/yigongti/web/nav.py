"""Navigation by role. Each app declares its entries in ``<app>/nav.py`` as ``NAV = [NavItem(...)]``;
the frame shows an entry when the user holds one of its roles (or any role when ``roles`` is empty)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import NoReverseMatch, reverse

from yigongti.discovery import app_modules


@dataclass(frozen=True)
class NavItem:
    label: str  # a gettext_lazy string
    url_name: str
    roles: frozenset[str] = field(default_factory=frozenset)
    order: int = 100
    section: str = ""


_items: list[NavItem] | None = None


def all_items() -> list[NavItem]:
    global _items
    if _items is None:
        found: list[NavItem] = []
        for _config, module in app_modules("nav"):
            found.extend(getattr(module, "NAV", []))
        _items = sorted(found, key=lambda i: (i.order, str(i.label)))
    return _items


def items_for(user, held_roles: set[str]) -> list[dict]:
    entries = []
    for item in all_items():
        if item.roles and not (item.roles & held_roles):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        entries.append({"label": item.label, "url": url, "url_name": item.url_name})
    return entries
