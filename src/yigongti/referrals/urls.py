from django.urls import path

from . import views

app_name = "referrals"
urlpatterns = [
    path("", views.referral_list, name="list"),
    path("find/", views.find, name="find"),
    path("new/", views.referral_new, name="new"),
    path("beds/", views.beds, name="beds"),
    path("filings/", views.filings, name="filings"),
    path("suggestions/", views.suggestions, name="suggestions"),
    path("catalogs/", views.catalogs, name="catalogs"),
    path("<int:pk>/", views.referral_detail, name="detail"),
    path("<int:pk>/edit/", views.referral_edit, name="edit"),
    path("<int:pk>/print/", views.referral_print, name="print"),
    path("<int:pk>/attach/", views.attach, name="attach"),
    path("<int:pk>/submit/", views.submit, name="submit"),
    path("<int:pk>/approve/", views.approve, name="approve"),
    path("<int:pk>/accept/", views.accept, name="accept"),
    path("<int:pk>/reject/", views.reject, name="reject"),
    path("<int:pk>/receive/", views.receive, name="receive"),
    path("<int:pk>/complete/", views.complete, name="complete"),
    path("<int:pk>/cancel/", views.cancel, name="cancel"),
]
