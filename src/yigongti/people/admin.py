"""Admin for the reference data (ICD-10) and a read-only look at records; changes to residents go through
the pages and actions (validation, audit, events), never the admin."""
from django.contrib import admin

from .models import Icd10Code, Resident, ResidentMerge


@admin.register(Icd10Code)
class Icd10CodeAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "version", "chapter", "active"]
    list_filter = ["version", "active"]
    search_fields = ["code", "name"]


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(ReadOnlyAdmin):
    list_display = ["record_number", "name", "sex", "birth_date", "area", "status"]
    list_filter = ["status", "sex"]
    search_fields = ["record_number"]
    exclude = ["document_number_enc", "phone_enc", "address_enc", "contact_phone_enc"]


@admin.register(ResidentMerge)
class ResidentMergeAdmin(ReadOnlyAdmin):
    list_display = ["kept", "merged", "merged_by", "merged_at", "undone_at"]
