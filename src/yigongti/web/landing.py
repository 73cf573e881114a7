"""The landing page is assembled from sections that apps contribute (the inbox first).

An app adds a section by listing a callable in ``<app>/landing.py`` as ``SECTIONS = [func]``; the
callable takes the request and returns ``None`` (nothing to show) or ``{"title", "template", "context",
"order"}``.
"""
from yigongti.discovery import app_modules


def _providers():
    for _config, module in app_modules("landing", exclude=("yigongti.web",)):
        yield from getattr(module, "SECTIONS", [])


def landing_sections(request) -> list[dict]:
    sections = [s for s in (provider(request) for provider in _providers()) if s]
    return sorted(sections, key=lambda s: s.get("order", 100))
