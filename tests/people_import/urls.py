"""The root URLs with the import pages mounted as people/urls.py will mount them (``path("import/",
include("yigongti.people.urls_import"))``). Used until people/urls.py includes them; then it is the root."""
from django.urls import include, path

from yigongti import urls as root
from yigongti.people import urls as people_urls
from yigongti.people import urls_import


def _already_included() -> bool:
    return any(getattr(p, "name", None) == "import_upload" or
               (getattr(p, "urlconf_name", None) is urls_import) for p in people_urls.urlpatterns)


if _already_included():
    urlpatterns = root.urlpatterns
else:
    people = path("people/", include((people_urls.urlpatterns + [path("import/", include(urls_import))], "people"),
                                     namespace="people"))
    urlpatterns = [people if getattr(p, "namespace", None) == "people" else p for p in root.urlpatterns]
