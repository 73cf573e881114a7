"""/fhir/: generated from the registry of implemented kinds (fhir/registry.py), so that every route the
CapabilityStatement advertises exists and nothing else does."""
from django.urls import path, re_path

from . import registry, views

app_name = "fhir"

urlpatterns = [
    path("", views.RootView.as_view(), name="root"),
    path("metadata", views.MetadataView.as_view(), name="metadata"),
    path("$export", views.ExportView.as_view(level="system"), name="export"),
    path("Patient/$export", views.ExportView.as_view(level="patient"), name="patient-export"),
    path("$export-status/<int:job_id>", views.ExportStatusView.as_view(), name="export-status"),
    re_path(r"^\$export-file/(?P<job_id>[0-9]+)/(?P<name>[A-Za-z]+)\.ndjson$", views.ExportFileView.as_view(),
            name="export-file"),
]
for _kind in registry.kinds():
    urlpatterns += [
        path(_kind.type, views.TypeView.as_view(resource_type=_kind.type), name=f"{_kind.type}-type"),
        re_path(rf"^{_kind.type}/(?P<resource_id>[A-Za-z0-9\-.]{{1,64}})$",
                views.InstanceView.as_view(resource_type=_kind.type), name=f"{_kind.type}-instance"),
    ]
