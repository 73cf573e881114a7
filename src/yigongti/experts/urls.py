from django.urls import path

from . import views

app_name = "experts"
urlpatterns = [
    path("", views.index, name="index"),
    path("timetable/<int:pk>/", views.timetable, name="timetable"),
    path("timetable/<int:pk>/manage/", views.timetable_manage, name="timetable_manage"),
    path("sessions/<int:pk>/", views.session_detail, name="session"),
    path("sessions/<int:pk>/book/", views.book, name="book"),
    path("bookings/<int:pk>/<str:step>/", views.booking_step, name="booking_step"),
    path("consultations/", views.consultations, name="consultations"),
    path("consultations/new/", views.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", views.consultation_detail, name="consultation"),
    path("consultations/<int:pk>/answer/", views.consultation_answer, name="consultation_answer"),
    path("outreach/", views.outreach, name="outreach"),
    path("secondments/", views.secondments, name="secondments"),
]
