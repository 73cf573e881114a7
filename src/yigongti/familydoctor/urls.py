from django.urls import path

from . import views, views_edit

app_name = "familydoctor"
urlpatterns = [
    path("", views.team_list, name="teams"),
    path("teams/<int:pk>/", views.team_detail, name="team"),
    path("teams/<int:pk>/sign/", views.sign, name="sign"),
    path("teams/new/", views_edit.team_new, name="team_new"),
    path("teams/<int:pk>/edit/", views_edit.team_edit, name="team_edit"),
    path("teams/<int:pk>/members/", views_edit.member_add, name="member_add"),
    path("teams/<int:pk>/members/<int:member_pk>/remove/", views_edit.member_remove, name="member_remove"),
    path("teams/<int:pk>/renew/", views_edit.bulk_renew, name="bulk_renew"),
    path("packages/", views_edit.package_list, name="packages"),
    path("packages/new/", views_edit.package_edit, name="package_new"),
    path("packages/<str:code>/", views_edit.package_edit, name="package_edit"),
    path("contracts/<int:pk>/", views.contract_detail, name="contract"),
    path("contracts/<int:pk>/terminate/", views.terminate, name="terminate"),
    path("contracts/<int:pk>/renew/", views.renew, name="renew"),
    path("contracts/<int:pk>/card/", views.card, name="card"),
    path("contracts/<int:pk>/card/revoke/", views.card_revoke, name="card_revoke"),
    path("c/<str:token>/", views.public_card, name="public_card"),
]
