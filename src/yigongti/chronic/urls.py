from django.urls import path

from . import views, views_import, views_programmes

app_name = "chronic"
urlpatterns = [
    path("", views.due, name="due"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrolments/<int:pk>/", views.enrolment, name="enrolment"),
    path("enrolments/<int:pk>/followup/", views.followup_new, name="followup_new"),
    path("enrolments/<int:pk>/preview/", views.followup_preview, name="followup_preview"),
    path("enrolments/<int:pk>/leave/", views.leave, name="leave"),
    path("enrolments/<int:pk>/call/", views.call, name="call"),
    path("visits/<int:pk>/", views.visit, name="visit"),
    path("screening/", views.screening, name="screening"),
    path("screening/<int:pk>/<str:decision>/", views.screening_decide, name="screening_decide"),
    path("tb/", views.tb_list, name="tb"),
    path("tb/<int:pk>/attempt/", views.tb_attempt, name="tb_attempt"),
    path("programmes/<str:code>/", views.programme_page, name="programme"),
    path("import/", views_import.upload, name="import"),
    path("education/", views_programmes.education_page, name="education"),
    path("population/<str:code>/enrol/", views_programmes.enrol_population, name="enrol_population"),
]
