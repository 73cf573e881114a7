"""Each app exposes its API in ``<app>/api.py`` with ``def register(router)``; the routes land under
/api/v1/. Apps with plain views instead list them in ``urlpatterns`` there."""
from rest_framework.reverse import reverse

from yigongti.discovery import app_modules


def api_modules():
    for _config, module in app_modules("api", exclude=("yigongti.api",)):
        yield module


def root_links(request, format=None) -> dict:  # noqa: A002
    links = {}
    for module in api_modules():
        for name, url_name in getattr(module, "ROOT_LINKS", {}).items():
            links[name] = reverse(url_name, request=request, format=format)
    return links
