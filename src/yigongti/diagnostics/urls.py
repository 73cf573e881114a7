from django.urls import path

from . import views

app_name = "diagnostics"
urlpatterns = [
    path("", views.request_list, name="list"),
    path("worklist/", views.worklist, name="worklist"),
    path("new/", views.request_new, name="new"),
    path("critical/", views.critical_list, name="critical_list"),
    path("critical/<int:pk>/", views.critical_detail, name="critical"),
    path("critical/<int:pk>/call/", views.critical_call, name="critical_call"),
    path("critical/<int:pk>/ack/", views.critical_ack, name="critical_ack"),
    path("duty/", views.duty, name="duty"),
    path("specimen/", views.specimen_scan, name="specimen_scan"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/print/", views.request_print, name="print"),
    path("<int:pk>/label/", views.specimen_label, name="label"),
    path("<int:pk>/upload/", views.upload, name="upload"),
    path("<int:pk>/files/<int:file_id>/", views.study_file, name="file"),
    path("<int:pk>/files/<int:file_id>/preview.png", views.study_preview, name="preview"),
    path("<int:pk>/collect/", views.collect, name="collect"),
    path("<int:pk>/claim/", views.claim, name="claim"),
    path("<int:pk>/release/", views.release, name="release"),
    path("<int:pk>/report/", views.report_edit, name="report"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/revise/", views.revise, name="revise"),
    path("<int:pk>/critical/", views.critical_new, name="critical_new"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
