"""Pages of the import (included by people/urls.py under "import/")."""
from django.urls import path

from . import views_import

urlpatterns = [
    path("", views_import.upload, name="import_upload"),
    path("template/<slug:kind>.xlsx", views_import.template, name="import_template"),
    path("<int:batch>/", views_import.status, name="import_status"),
    path("<int:batch>/progress/", views_import.progress, name="import_progress"),
    path("<int:batch>/errors.xlsx", views_import.errors, name="import_errors"),
]
