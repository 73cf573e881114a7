from django.urls import path

from . import views

app_name = "kpi"
urlpatterns = [
    path("", views.catalog_page, name="catalog"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("report/", views.report, name="report"),
    path("periods/", views.periods, name="periods"),
    path("periods/close/", views.close, name="close"),
    path("i/<str:code>/", views.indicator_page, name="indicator"),
    path("i/<str:code>/records/", views.drill_page, name="drill"),
]
