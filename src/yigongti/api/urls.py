from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views
from .registry import api_modules

app_name = "api"

class Router(SimpleRouter):
    """Record ids are integers: a path like ``/residents/abc/`` is a 404 from the resolver, never a
    ValueError deep in a view (the fuzz suite found those). A viewset may set its own lookup_value_regex."""

    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if not hasattr(viewset, "lookup_value_regex"):
            viewset.lookup_value_regex = "[0-9]+"
        return super().get_lookup_regex(viewset, lookup_prefix)


router = Router()
extra = []
for module in api_modules():
    if hasattr(module, "register"):
        module.register(router)
    extra.extend(getattr(module, "urlpatterns", []))

urlpatterns = [
    path("", views.api_root, name="root"),
    path("me/", views.me, name="me"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    *router.urls,
    *extra,
]
