"""/api/v1/budget/years/, /api/v1/settlements/, /api/v1/workpoints/, /api/v1/expenses/ (approve/reject).
Scoped like the pages (queries.py), writes through actions.py. Django's ValidationError / PermissionDenied
become 400 with field errors / 403 (api.errors)."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from yigongti.org.models import Institution
from yigongti.people.import_files import FileProblem

from . import actions, queries
from .models import BudgetYear, Care, Expense, PointSheet, Scheme, Settlement

ROOT_LINKS = {"budget-years": "api:budget-year-list", "settlements": "api:settlement-list",
              "workpoints": "api:workpoint-list", "expenses": "api:expense-list"}


def _money(value) -> str | None:
    return None if value is None else str(value)


class BudgetYearSerializer(serializers.ModelSerializer):
    class Meta:
        model = BudgetYear
        fields = ["year", "gross_fund", "insured", "rule", "status", "spent", "settlement", "settled_at"]
        read_only_fields = fields


class BudgetYearWriteSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    gross_fund = serializers.CharField()
    insured = serializers.IntegerField(required=False, allow_null=True, min_value=0)
    rule = serializers.JSONField(required=False)


def _overview(by: BudgetYear) -> dict:
    v = queries.overview(by)
    spend = v["spend"]
    return {
        **BudgetYearSerializer(by).data,
        "deductions": [{"code": c, "amount": _money(a)} for c, a in v["fund"].deductions],
        "paid": _money(v["fund"].paid),
        "schedule": [{"date": d.isoformat(), "amount": _money(a)} for d, a in v["schedule"]],
        "due_now": _money(v["due_now"]),
        "spend": {"members": _money(spend["members"]), "in_county": _money(spend["in_county"]),
                  "out_county": _money(spend["out_county"]), "in_county_share": _money(spend["in_county_share"]),
                  "by_tier": {k: _money(a) for k, a in spend["by_tier"].items()},
                  "by_institution": [{"institution": r["institution_id"], "name": r["name"], "tier": r["tier"],
                                      "fund_paid": _money(r["fund_paid"]), "cases": r["cases"]}
                                     for r in spend["by_institution"]]},
        "forecast": _money(v["forecast"]), "forecast_balance": _money(v["forecast_balance"]),
    }


class BudgetYearViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """The years' global budgets (consortium office and health bureau read; the office writes)."""

    lookup_field = "year"
    serializer_class = BudgetYearSerializer

    def _check(self):
        if not queries.may_see_budget(self.request.user):
            raise PermissionDenied

    def get_queryset(self):
        self._check()
        return BudgetYear.objects.order_by("-year")

    def retrieve(self, request, year=None):
        self._check()
        return Response(_overview(get_object_or_404(BudgetYear, year=year)))

    @extend_schema(request=BudgetYearWriteSerializer, responses=BudgetYearSerializer)
    def create(self, request):
        s = BudgetYearWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        by = actions.set_budget_year(request.user, year=d["year"], gross_fund=d["gross_fund"],
                                     insured=d.get("insured"), rule=d.get("rule"))
        return Response(_overview(by), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=BudgetYearSerializer)
    @action(detail=True, methods=["post"])
    def settle(self, request, year=None):
        self._check()
        by = actions.settle_year(request.user, get_object_or_404(BudgetYear, year=year))
        return Response(_overview(by))


class SettlementSerializer(serializers.ModelSerializer):
    class Meta:
        model = Settlement
        fields = ["id", "month", "scheme", "care", "in_county", "institution", "provider_code", "provider_name",
                  "cases", "persons", "total_cost", "fund_paid", "updated_at"]
        read_only_fields = ["id", "institution", "updated_at"]


class SettlementWriteSerializer(serializers.Serializer):
    month = serializers.DateField()
    scheme = serializers.ChoiceField(choices=Scheme.choices)
    care = serializers.ChoiceField(choices=Care.choices)
    in_county = serializers.BooleanField()
    provider_code = serializers.CharField(max_length=32)
    provider_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    cases = serializers.IntegerField(min_value=0)
    persons = serializers.IntegerField(min_value=0, required=False)
    total_cost = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)
    fund_paid = serializers.DecimalField(max_digits=14, decimal_places=2, min_value=0)


class SettlementViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Settlement lines (``?year=2026``); POST one line (created or updated), or ``import/`` a file."""

    serializer_class = SettlementSerializer
    parser_classes = [JSONParser, MultiPartParser, FormParser]

    def get_queryset(self):
        if not queries.may_see_budget(self.request.user):
            raise PermissionDenied
        qs = Settlement.objects.order_by("month", "provider_code", "scheme", "care", "pk")
        year = self.request.query_params.get("year")
        if year and year.isdigit():
            qs = queries.year_settlements(int(year)).order_by("month", "provider_code", "scheme", "care", "pk")
        return qs

    @extend_schema(request=SettlementWriteSerializer, responses=SettlementSerializer)
    def create(self, request):
        s = SettlementWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        d.setdefault("persons", d["cases"])
        outcome = actions.save_settlement(request.user, **d)
        line = Settlement.objects.get(month=d["month"].replace(day=1), scheme=d["scheme"], care=d["care"],
                                      provider_code=d["provider_code"].strip())
        return Response({"outcome": outcome, **SettlementSerializer(line).data},
                        status=status.HTTP_201_CREATED if outcome == "created" else status.HTTP_200_OK)

    @extend_schema(request=None, responses=None)
    @action(detail=False, methods=["post"], url_path="import")
    def import_file(self, request):
        from .importing import import_settlements

        upload = request.FILES.get("file")
        if upload is None:
            actions.require_finance(request.user)
            raise ValidationError({"file": [_("请上传结算文件（XLSX 或 CSV）")]})
        try:
            counts = import_settlements(request.user, upload.read(), upload.name)
        except FileProblem as exc:
            raise ValidationError({"file": [str(getattr(exc, "message", exc))]}) from None
        return Response(counts.as_dict())


class PointLineSerializer(serializers.Serializer):
    user = serializers.IntegerField(source="user_id")
    name = serializers.CharField(source="user.display_name")
    counts = serializers.JSONField()
    rates = serializers.JSONField()
    base = serializers.DecimalField(max_digits=10, decimal_places=2)
    factor = serializers.DecimalField(max_digits=5, decimal_places=2)
    adjustment = serializers.DecimalField(max_digits=10, decimal_places=2)
    adjustment_note = serializers.CharField()
    total = serializers.DecimalField(max_digits=10, decimal_places=2)


class PointSheetSerializer(serializers.ModelSerializer):
    lines = serializers.SerializerMethodField()
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = PointSheet
        fields = ["id", "institution", "institution_name", "month", "status", "computed_at", "reviewed_by", "reviewed_at",
                  "approved_by", "approved_at", "lines"]
        read_only_fields = fields

    def get_lines(self, obj) -> list[dict]:
        if not self.context.get("detail"):
            return []
        return PointLineSerializer(obj.lines.select_related("user").order_by("-total", "user_id"), many=True).data


class ComputeSerializer(serializers.Serializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    month = serializers.DateField(help_text="any day of the month")


class PointSheetViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Monthly work-point sheets of the user's institutions; POST computes one, then review/approve."""

    serializer_class = PointSheetSerializer

    def get_queryset(self):
        return queries.visible_sheets(self.request.user).order_by("-month", "institution_id")

    def retrieve(self, request, pk=None):
        return Response(PointSheetSerializer(self.get_object(), context={"detail": True}).data)

    @extend_schema(request=ComputeSerializer, responses=PointSheetSerializer)
    def create(self, request):
        s = ComputeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        sheet = actions.compute_point_sheet(request.user, institution=s.validated_data["institution"],
                                            month=s.validated_data["month"])
        return Response(PointSheetSerializer(sheet, context={"detail": True}).data, status=status.HTTP_201_CREATED)

    def _step(self, fn):
        sheet = fn(self.request.user, self.get_object())
        return Response(PointSheetSerializer(sheet, context={"detail": True}).data)

    @extend_schema(request=None, responses=PointSheetSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        return self._step(actions.review_point_sheet)

    @extend_schema(request=None, responses=PointSheetSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._step(actions.approve_point_sheet)


class ExpenseSerializer(serializers.ModelSerializer):
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta:
        model = Expense
        fields = ["id", "institution", "spent_on", "category", "description", "amount", "status", "created_by",
                  "created_at", "decided_by", "decided_at", "decision_note"]
        read_only_fields = ["id", "status", "created_by", "created_at", "decided_by", "decided_at", "decision_note"]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ExpenseViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Expenses of the user's institutions (all for the oversight roles); ``?status=pending`` for the queue."""

    serializer_class = ExpenseSerializer

    def get_queryset(self):
        qs = queries.visible_expenses(self.request.user).order_by("-spent_on", "-id")
        wanted = self.request.query_params.get("status")
        return qs.filter(status=wanted) if wanted else qs

    def create(self, request):
        s = ExpenseSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        e = actions.record_expense(request.user, institution=d["institution"], spent_on=d["spent_on"],
                                   category=d["category"], description=d["description"], amount=d["amount"])
        return Response(ExpenseSerializer(e).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, approve: bool):
        s = DecisionSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        e = actions.decide_expense(request.user, self.get_object(), approve=approve,
                                   note=s.validated_data.get("note", ""))
        return Response(ExpenseSerializer(e).data)

    @extend_schema(request=DecisionSerializer, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        return self._decide(request, True)

    @extend_schema(request=DecisionSerializer, responses=ExpenseSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, False)


def register(router):
    router.register("budget/years", BudgetYearViewSet, basename="budget-year")
    router.register("settlements", SettlementViewSet, basename="settlement")
    router.register("workpoints", PointSheetViewSet, basename="workpoint")
    router.register("expenses", ExpenseViewSet, basename="expense")


