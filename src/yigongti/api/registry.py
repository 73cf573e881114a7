"""Each app exposes its API in ``<app>/api.py`` with ``def register(router)``; the routes land under
/api/v1/. Apps with plain views instead list them in ``urlpatterns`` there."""
from importlib import import_module

from django.apps import apps
from rest_framework.reverse import reverse


def api_modules():
    for config in apps.get_app_configs():
        if config.name.startswith("yigongti.") and config.name != "yigongti.api":
            try:
                yield import_module(f"{config.name}.api")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.api":
                    raise


def root_links(request, format=None) -> dict:  # noqa: A002
    links = {}
    for module in api_modules():
        for name, url_name in getattr(module, "ROOT_LINKS", {}).items():
            links[name] = reverse(url_name, request=request, format=format)
    return links
