"""Django admin for the system administrator: read-only. Every change goes through pharmacy/actions.py
(audited, checked against the acting institution); the ledger and balances never change by hand."""
from django.contrib import admin

from .models import Drug, Prescription, PurchaseOrder, StockBatch, StockMove


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Drug)
class DrugAdmin(ReadOnly):
    list_display = ("code", "generic_name", "strength", "essential", "centrally_procured", "antibiotic_level",
                    "controlled_class", "list_price", "active")
    search_fields = ("code", "generic_name", "insurance_code")


@admin.register(StockBatch)
class BatchAdmin(ReadOnly):
    list_display = ("institution", "drug", "batch_no", "expiry", "quantity", "unit_cost")
    list_filter = ("institution__tier",)


@admin.register(StockMove)
class MoveAdmin(ReadOnly):
    list_display = ("occurred_on", "institution", "kind", "drug", "batch", "quantity", "balance_after", "reference")
    list_filter = ("kind",)


@admin.register(Prescription)
class PrescriptionAdmin(ReadOnly):
    list_display = ("number", "institution", "issued_on", "status", "long_term", "days", "amount")
    list_filter = ("status",)


@admin.register(PurchaseOrder)
class OrderAdmin(ReadOnly):
    list_display = ("number", "institution", "supplier", "ordered_on", "on_platform", "status")
