from django.urls import path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from . import views
from .registry import api_modules

app_name = "api"

router = SimpleRouter()
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
