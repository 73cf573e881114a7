from django.contrib import admin

from .models import Enrolment, Notification, ScreeningFlag


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("pk", "programme", "status", "enrolled_on", "next_due", "managing_institution")
    list_filter = ("programme", "status")
    raw_id_fields = ("resident", "managing_doctor", "icd10", "diagnosing_institution", "managing_institution",
                     "created_by")

    def has_change_permission(self, request, obj=None):
        return False  # changes go through chronic.actions (audited)


@admin.register(ScreeningFlag)
class ScreeningFlagAdmin(admin.ModelAdmin):
    list_display = ("pk", "condition", "action", "status", "due_on")
    raw_id_fields = ("resident", "institution", "closed_by")

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("external_id", "arrived_at", "regimen", "supervision")
    raw_id_fields = ("resident", "managing_institution", "enrolment")

    def has_change_permission(self, request, obj=None):
        return False
