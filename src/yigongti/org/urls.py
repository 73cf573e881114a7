from django.urls import path

from . import views

app_name = "org"
urlpatterns = [
    path("", views.tree, name="tree"),
    path("areas/new/", views.area_new, name="area_new"),
    path("institutions/new/", views.institution_edit, name="institution_new"),
    path("institutions/<int:pk>/", views.institution_detail, name="institution"),
    path("institutions/<int:pk>/edit/", views.institution_edit, name="institution_edit"),
    path("institutions/<int:pk>/departments/new/", views.department_new, name="department_new"),
    path("institutions/<int:pk>/beds/new/", views.bed_new, name="bed_new"),
    path("institutions/<int:pk>/staff/new/", views.staff_new, name="staff_new"),
    path("memberships/<int:pk>/roles/", views.membership_roles, name="membership_roles"),
    path("memberships/<int:pk>/password/", views.membership_password, name="membership_password"),
    path("denominators/", views.denominators, name="denominators"),
    path("denominators/<int:area_id>/<int:year>/", views.denominator_edit, name="denominator_edit"),
    path("denominators/import/", views.denominator_import, name="denominator_import"),
    path("denominators/template.xlsx", views.denominator_template, name="denominator_template"),
    path("denominators/errors.xlsx", views.denominator_errors, name="denominator_errors"),
]
