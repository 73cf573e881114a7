"""Django admin for the system administrator. Day-to-day edits of catalogs and deductibles go through the
referral actions (audited): the catalogs page for the consortium office, ``set_deductible`` and ``set_policy``.
Referrals and filings are read-only here: they change only through their actions."""
from django.contrib import admin

from .models import CatalogEntry, DeductibleRate, OutsideFiling, Policy, Referral


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Referral)
class ReferralAdmin(ReadOnly):
    list_display = ("number", "direction", "status", "from_institution", "to_institution", "submitted_at")
    list_filter = ("direction", "status")
    search_fields = ("number",)


@admin.register(OutsideFiling)
class OutsideFilingAdmin(ReadOnly):
    list_display = ("number", "institution", "destination", "reason", "filed_on")


@admin.register(CatalogEntry)
class CatalogEntryAdmin(ReadOnly):
    list_display = ("kind", "grade_level", "code", "name", "active")
    list_filter = ("kind", "grade_level", "active")


@admin.register(DeductibleRate)
class DeductibleRateAdmin(ReadOnly):
    list_display = ("scheme", "grade_level", "amount")


@admin.register(Policy)
class PolicyAdmin(ReadOnly):
    list_display = ("institution", "requires_head_approval")
