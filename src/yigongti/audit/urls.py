from django.urls import path

from . import rights_views, views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("break-glass/", views.break_glass, name="break_glass"),
    path("export-approvals/", rights_views.approvals, name="approvals"),
    path("export-approvals/<int:pk>/decide/", rights_views.approval_decide, name="approval_decide"),
    path("privacy/", rights_views.privacy_list, name="privacy_list"),
    path("privacy/new/", rights_views.privacy_new, name="privacy_new"),
    path("privacy/<int:pk>/", rights_views.privacy_detail, name="privacy_detail"),
]
