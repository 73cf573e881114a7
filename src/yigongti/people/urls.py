from django.urls import include, path

from . import views

app_name = "people"
urlpatterns = [
    path("", views.resident_list, name="list"),
    path("import/", include("yigongti.people.urls_import")),
    path("export.xlsx", views.resident_export, name="export"),
    path("new/", views.resident_new, name="new"),
    path("<int:pk>/", views.resident_detail, name="detail"),
    path("<int:pk>/edit/", views.resident_edit, name="edit"),
    path("<int:pk>/move/", views.resident_move, name="move"),
    path("<int:pk>/death/", views.resident_death, name="death"),
    path("<int:pk>/tags/", views.resident_tag, name="tag"),
    path("<int:pk>/tags/<str:tag>/remove/", views.resident_untag, name="untag"),
    path("<int:pk>/merge/", views.resident_merge, name="merge"),
    path("<int:pk>/household/new/", views.household_new, name="household_new"),
    path("<int:pk>/household/join/", views.household_join, name="household_join"),
    path("<int:pk>/household/leave/", views.household_leave, name="household_leave"),
    path("merges/<int:pk>/undo/", views.merge_undo, name="merge_undo"),
    path("<int:pk>/exams/new/", views.exam_new, name="exam_new"),
    path("<int:pk>/encounters/new/", views.encounter_new, name="encounter_new"),
]
