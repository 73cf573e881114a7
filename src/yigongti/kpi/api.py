"""/api/v1/indicators/ (the catalog) and /api/v1/indicators/{code}/values/?period=…&by=…&cut=….

``by``: county | tier | township | institution (one row per cut of that level) or month (one row per month
of the period, for ``cut``). Each row: numerator, denominator, value, whether the period is closed, the
revision (live − reported) when data arrived after closing, last year's figure and the year-on-year and
period-on-period changes (relative change of the figure, in percent).
"""
from __future__ import annotations

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from yigongti.rules import indicators as rules
from yigongti.rules.indicators import Period

from . import catalog, present
from .queries import PERIOD_ERRORS, Reader, may_see_aggregates

BY_CHOICES = ("county", "tier", "township", "institution", "month")


class IndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    group = serializers.CharField()
    numerator = serializers.CharField()
    denominator = serializers.CharField()
    computation = serializers.CharField()
    unit = serializers.CharField()
    unit_label = serializers.CharField()
    direction = serializers.CharField()
    source = serializers.CharField()
    source_label = serializers.CharField()
    levels = serializers.ListField(child=serializers.CharField())
    periods = serializers.ListField(child=serializers.CharField())
    period_rule = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    computable = serializers.BooleanField()
    data_needs = serializers.CharField()
    owner = serializers.CharField()


def _check(request):
    if not may_see_aggregates(request.user):
        raise PermissionDenied()


class IndicatorListSerializer(serializers.Serializer):
    results = IndicatorSerializer(many=True)


@extend_schema(responses={200: IndicatorListSerializer}, operation_id="indicators_list")
@api_view(["GET"])
def indicator_list(request):
    """The indicator catalog with every definition."""
    _check(request)
    return Response({"results": [catalog.describe(i) for i in catalog.all_indicators()]})


@extend_schema(
    operation_id="indicator_values",
    parameters=[
        OpenApiParameter("period", OpenApiTypes.STR, description="2025 | 2025-Q1 | 2025-03 | 2025-YTD03"),
        OpenApiParameter("by", OpenApiTypes.STR, enum=list(BY_CHOICES)),
        OpenApiParameter("cut", OpenApiTypes.STR, description="county | tier:township | township:<id> | "
                                                              "institution:<id> (with by=month)"),
    ],
    responses={200: OpenApiTypes.OBJECT},
)
@api_view(["GET"])
def indicator_values(request, code: str):
    _check(request)
    indicator = catalog.catalog().get(code)
    if indicator is None:
        raise NotFound()
    errors: dict[str, list] = {}
    period = present.default_period()
    if request.query_params.get("period"):
        try:
            period = rules.parse_period(request.query_params["period"])
        except rules.RuleError as exc:
            errors["period"] = [PERIOD_ERRORS[exc.code]]
    by = request.query_params.get("by", "county")
    if by not in BY_CHOICES or (by != "month" and by not in indicator.levels):
        errors["by"] = [_("可选：%(choices)s") % {"choices": ", ".join([*indicator.levels, "month"])}]
    cut = rules.COUNTY
    try:
        cut = rules.parse_cut(request.query_params.get("cut"))
        if cut.level not in indicator.levels:
            raise rules.RuleError(rules.CUT_INVALID)
    except rules.RuleError as exc:
        errors["cut"] = [PERIOD_ERRORS[exc.code]]
    if not errors and period.kind not in indicator.periods:
        errors["period"] = [_("该指标不按此类统计期计算。")]
    if errors:
        raise serializers.ValidationError(errors)
    body = {"indicator": catalog.describe(indicator), "period": period.code, "by": by, "results": []}
    if not indicator.computable:
        return Response(body)
    reader = Reader()
    if by == "month":
        for year, month in period.months():
            reading = reader.reading(indicator, Period(year, "month", month), cut)
            body["results"].append({"label": reading.period.code, **reading.as_dict()})
    else:
        for reading in reader.readings(indicator, period, reader.shape.cuts(by)):
            body["results"].append({"label": reader.shape.cut_label(reading.cut), **reading.as_dict()})
    return Response(body)


urlpatterns = [
    path("indicators/", indicator_list, name="kpi-indicators"),
    path("indicators/<str:code>/values/", indicator_values, name="kpi-indicator-values"),
]
ROOT_LINKS = {"indicators": "api:kpi-indicators"}
