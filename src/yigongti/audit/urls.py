from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.entry_list, name="list"),
    path("export.xlsx", views.export, name="export"),
    path("break-glass/", views.break_glass, name="break_glass"),
]
