"""/api/v1/drugs/ (the formulary), /api/v1/stock/ (batch balances; POST a receipt), /api/v1/purchase-orders/
(with ``deliveries/`` and ``invoices/``), /api/v1/prescriptions/ (with ``review/``, ``dispense/``, ``cancel/``).
Scoped like the pages (queries.py), every write through actions.py (which checks the acting institution)."""
from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yigongti.org.models import Institution
from yigongti.people.models import Encounter
from yigongti.people.queries import visible_encounters

from . import actions, queries
from .models import (
    Drug,
    InvoiceKind,
    Prescription,
    PrescriptionLine,
    PurchaseOrder,
    PurchaseOrderLine,
    ReviewResult,
    StockBatch,
)

ROOT_LINKS = {"drugs": "api:drug-list", "stock": "api:stock-list", "purchase-orders": "api:purchase-order-list",
              "prescriptions": "api:prescription-list"}


class DrugSerializer(serializers.ModelSerializer):
    tiers = serializers.SerializerMethodField(help_text="可配备的层级")

    class Meta:
        model = Drug
        fields = ["id", *actions.DRUG_FIELDS, "tiers", "version"]
        read_only_fields = ["id", "tiers", "version"]

    def get_tiers(self, obj) -> list[str]:
        return sorted(e.tier for e in obj.tiers.all() if e.may_stock)


class DrugViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                  mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """The consortium formulary: every signed-in user reads it (``?q=``, ``?tier=``); the consortium office
    writes it. An update carries ``version`` (409 when stale)."""

    serializer_class = DrugSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        p = self.request.query_params
        return queries.drugs(p.get("q", ""), tier=p.get("tier", ""), active_only=False).prefetch_related("tiers")

    def perform_create(self, serializer):
        serializer.instance = actions.save_drug(self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        version = self.request.data.get("version")
        serializer.instance = actions.save_drug(self.request.user, serializer.instance,
                                                int(version) if str(version or "").isdigit() else None,
                                                **serializer.validated_data)


class BatchSerializer(serializers.ModelSerializer):
    drug_name = serializers.CharField(source="drug.__str__", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = StockBatch
        fields = ["id", "institution", "institution_name", "drug", "drug_name", "batch_no", "expiry", "quantity",
                  "unit_cost"]
        read_only_fields = fields


class ReceiptSerializer(serializers.Serializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    drug = serializers.PrimaryKeyRelatedField(queryset=Drug.objects.all())
    batch_no = serializers.CharField(max_length=40)
    expiry = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)
    unit_cost = serializers.DecimalField(max_digits=10, decimal_places=4, required=False, allow_null=True)
    reference = serializers.CharField(max_length=60, required=False, allow_blank=True)


class StockViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Batch balances of the institutions the user may see (``?institution=``, ``?drug=``, ``?empty=1``).
    POST records a receipt on one batch at an institution the user acts for."""

    serializer_class = BatchSerializer

    def get_queryset(self):
        p = self.request.query_params
        inst = p.get("institution")
        qs = queries.batches(self.request.user, int(inst) if str(inst or "").isdigit() else None,
                             include_empty=p.get("empty") == "1")
        if str(p.get("drug") or "").isdigit():
            qs = qs.filter(drug_id=int(p["drug"]))
        return qs

    @extend_schema(request=ReceiptSerializer, responses=BatchSerializer)
    def create(self, request, *args, **kwargs):
        s = ReceiptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        batch = actions.receive_stock(request.user, **s.validated_data)
        return Response(BatchSerializer(batch).data, status=status.HTTP_201_CREATED)


class OrderLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PurchaseOrderLine
        fields = ["id", "drug", "quantity", "unit_price", "received"]
        read_only_fields = ["id", "received"]
        extra_kwargs = {"unit_price": {"required": False}}


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True)
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta:
        model = PurchaseOrder
        fields = ["id", "number", "institution", "supplier", "on_platform", "ordered_on", "status", "period", "lines"]
        read_only_fields = ["id", "status"]
        extra_kwargs = {"period": {"required": False}}

    def create(self, validated_data):
        lines = [(ln["drug"], ln["quantity"], ln.get("unit_price")) for ln in validated_data.pop("lines")]
        return actions.record_order(self.context["request"].user, lines=lines, **validated_data)


class DeliveryLineInput(serializers.Serializer):
    order_line = serializers.IntegerField()
    batch_no = serializers.CharField(max_length=40)
    expiry = serializers.DateField()
    quantity = serializers.IntegerField(min_value=1, max_value=10_000_000)


class DeliveryInput(serializers.Serializer):
    """``lines``; or, for a one-line delivery (a plain form post), the line's fields at the top level."""

    delivered_on = serializers.DateField()
    lines = DeliveryLineInput(many=True)

    def to_internal_value(self, data):
        if "lines" not in data and "order_line" in data:
            data = {"delivered_on": data.get("delivered_on"),
                    "lines": [{k: data.get(k) for k in ("order_line", "batch_no", "expiry", "quantity")}]}
        return super().to_internal_value(data)


class InvoiceInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=InvoiceKind.choices)
    number = serializers.CharField(max_length=40)
    issuer = serializers.CharField(max_length=100)
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    issued_on = serializers.DateField()


class PurchaseOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    """Orders placed on the provincial platform, recorded here; ``deliveries/`` receives by batch into
    stock, ``invoices/`` keeps the 两票制 invoices."""

    serializer_class = OrderSerializer

    def get_queryset(self):
        return queries.purchase_orders(self.request.user).prefetch_related("lines").order_by("-ordered_on", "-id")

    @extend_schema(request=DeliveryInput, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def deliveries(self, request, pk=None):
        order = self.get_object()
        s = DeliveryInput(data=request.data)
        s.is_valid(raise_exception=True)
        by_id = {ln.pk: ln for ln in order.lines.all()}
        lines = []
        for i, ln in enumerate(s.validated_data["lines"]):
            if ln["order_line"] not in by_id:
                raise serializers.ValidationError({f"lines.{i}.order_line": [_("不是该订单的明细。")]})
            lines.append({**ln, "order_line": by_id[ln["order_line"]]})
        actions.receive_delivery(request.user, order, delivered_on=s.validated_data["delivered_on"], lines=lines)
        order.refresh_from_db()
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=InvoiceInput, responses=OrderSerializer)
    @action(detail=True, methods=["post"])
    def invoices(self, request, pk=None):
        order = self.get_object()
        s = InvoiceInput(data=request.data)
        s.is_valid(raise_exception=True)
        actions.record_invoice(request.user, order, **s.validated_data)
        return Response(OrderSerializer(order).data, status=status.HTTP_201_CREATED)


class RxLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = PrescriptionLine
        fields = ["drug", "dosage", "quantity", "unit_price", "amount"]
        read_only_fields = ["unit_price", "amount"]


class PrescriptionSerializer(serializers.ModelSerializer):
    lines = RxLineSerializer(many=True)
    encounter = serializers.PrimaryKeyRelatedField(queryset=Encounter.objects.none())
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = Prescription
        fields = ["id", "number", "institution", "encounter", "resident", "resident_name", "prescriber",
                  "long_term", "days", "diagnosis", "status", "review", "review_note", "sampled", "amount",
                  "issued_on", "dispensed_at", "lines", "version"]
        read_only_fields = ["id", "number", "institution", "resident", "prescriber", "status", "review",
                            "review_note", "sampled", "amount", "issued_on", "dispensed_at", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["encounter"].queryset = visible_encounters(request.user)

    def create(self, validated_data):
        lines = [dict(ln) for ln in validated_data.pop("lines")]
        return actions.issue_prescription(self.context["request"].user, lines=lines, **validated_data)


class ReviewInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=[ReviewResult.PASS, ReviewResult.FAIL])
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class PrescriptionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """Prescriptions of the user's institutions (``?status=``, ``?institution=``); a retrieve is audited."""

    serializer_class = PrescriptionSerializer

    def get_queryset(self):
        p = self.request.query_params
        inst = p.get("institution")
        return queries.prescriptions(self.request.user, institution_id=int(inst) if str(inst or "").isdigit() else None,
                                     status=p.get("status", "")).prefetch_related("lines")

    def retrieve(self, request, *args, **kwargs):
        rx = queries.get_prescription_for(request.user, kwargs["pk"])
        return Response(PrescriptionSerializer(rx, context={"request": request}).data)

    def _out(self, rx):
        rx = Prescription.objects.prefetch_related("lines").select_related("resident").get(pk=rx.pk)
        return Response(PrescriptionSerializer(rx, context={"request": self.request}).data)

    @extend_schema(request=ReviewInput, responses=PrescriptionSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        rx = queries.get_prescription_for(request.user, pk)
        s = ReviewInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.review_prescription(request.user, rx, **s.validated_data))

    @extend_schema(request=None, responses=PrescriptionSerializer)
    @action(detail=True, methods=["post"])
    def dispense(self, request, pk=None):
        rx = queries.get_prescription_for(request.user, pk)
        return self._out(actions.dispense_prescription(request.user, rx))

    @extend_schema(request=ReasonInput, responses=PrescriptionSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        rx = queries.get_prescription_for(request.user, pk)
        s = ReasonInput(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(actions.cancel_prescription(request.user, rx, s.validated_data["reason"]))


def register(router):
    router.register("drugs", DrugViewSet, basename="drug")
    router.register("stock", StockViewSet, basename="stock")
    router.register("purchase-orders", PurchaseOrderViewSet, basename="purchase-order")
    router.register("prescriptions", PrescriptionViewSet, basename="prescription")
