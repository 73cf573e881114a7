"""The landing page is assembled from sections that apps contribute (the inbox first).

An app adds a section by listing a callable in ``<app>/landing.py`` as ``SECTIONS = [func]``; the
callable takes the request and returns ``None`` (nothing to show) or ``{"title", "template", "context",
"order"}``.
"""
from importlib import import_module

from django.apps import apps


def _providers():
    for config in apps.get_app_configs():
        if config.name.startswith("yigongti.") and config.name != "yigongti.web":
            try:
                module = import_module(f"{config.name}.landing")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.landing":
                    raise
                continue
            yield from getattr(module, "SECTIONS", [])


def landing_sections(request) -> list[dict]:
    sections = [s for s in (provider(request) for provider in _providers()) if s]
    return sorted(sections, key=lambda s: s.get("order", 100))
