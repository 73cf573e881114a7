"""Django admin for the system administrator: the test catalog (LOINC codes, recognition windows), analytes with
their reference ranges and critical limits, report templates and centres are edited here. Requests, reports,
critical values and the roster change only through their actions (audited) and are read-only here."""
from django.contrib import admin

from .models import Analyte, Centre, CriticalValue, DutyShift, Request, Template, Test


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AnalyteInline(admin.TabularInline):
    model = Analyte
    extra = 0


@admin.register(Test)
class TestAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "modality", "loinc", "recognition_days", "active")
    list_filter = ("modality", "active")
    inlines = [AnalyteInline]


@admin.register(Template)
class TemplateAdmin(admin.ModelAdmin):
    list_display = ("name", "modality", "active")
    list_filter = ("modality",)


@admin.register(Centre)
class CentreAdmin(admin.ModelAdmin):
    list_display = ("name", "institution", "modalities", "active")


@admin.register(Request)
class RequestAdmin(ReadOnly):
    list_display = ("number", "modality", "priority", "status", "requested_at", "published_at")
    list_filter = ("modality", "status", "priority")
    raw_id_fields = ("resident",)


@admin.register(CriticalValue)
class CriticalValueAdmin(ReadOnly):
    list_display = ("description", "marked_at", "phoned_at", "acknowledged_at", "escalated_at")


@admin.register(DutyShift)
class DutyShiftAdmin(ReadOnly):
    list_display = ("institution", "doctor", "starts_at", "ends_at")
