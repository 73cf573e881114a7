"""The national indicators that wait for settlement data (consortium-indicators.md, 2024 set), computed from the
imported insurance settlements (finance.Settlement, by settlement month; county level):
医保基金县域内支出占比（不含药店）, 县域内基层医疗卫生机构医保基金支出占比, 参保人县域内住院人次占比 and
参保人县域内住院人均费用. The arithmetic is rules/budget.py (settlement_measure); the live value sums the same
measures in the database; the drill-down lists the settlement lines counted.

kpi declares the same codes as "needs data" until its entries are removed: an entry kpi still declares is left
out here, so the catalog never holds a code twice."""
from __future__ import annotations

from django.db.models import Q, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yigongti.rules import budget as rules
from yigongti.rules import indicators as ind
from yigongti.rules.indicators import UNIT_PERCENT, UNIT_YUAN, Indicator

NATIONAL_PROMOTE = _("国家监测指标·促分工")
NATIONAL_EFFICIENCY = _("国家监测指标·提效能")
PERIOD_RULE = _("按医保结算月份归入统计期（医保结算系统导入的数据）；不含定点药店。")
STAY_RULE = _("按医保结算月份归入统计期；住院结算人次、人数与费用。")

_MEASURE_Q = {
    rules.FUND_TOTAL: (~Q(care="pharmacy"), "fund_paid"),
    rules.FUND_IN_COUNTY: (~Q(care="pharmacy") & Q(in_county=True), "fund_paid"),
    rules.FUND_PRIMARY: (~Q(care="pharmacy") & Q(in_county=True, institution__tier__in=("township", "village")),
                         "fund_paid"),
    rules.STAYS_TOTAL: (Q(care="inpatient"), "cases"),
    rules.STAYS_IN_COUNTY: (Q(care="inpatient", in_county=True), "cases"),
    rules.COST_IN_COUNTY: (Q(care="inpatient", in_county=True), "total_cost"),
    rules.PERSONS_IN_COUNTY: (Q(care="inpatient", in_county=True), "persons"),
}


def record_of(s) -> dict:
    return {"month": s.month, "in_county": s.in_county, "care": s.care,
            "tier": s.institution.tier if s.institution_id else None, "fund_paid": s.fund_paid,
            "total_cost": s.total_cost, "cases": s.cases, "persons": s.persons}


def _in_period(period):
    return Q(month__gte=period.start.replace(day=1), month__lte=period.end)


class SettlementFigure:
    drill_template = "finance/drill.html"

    def __init__(self, numerator: str, denominator: str, unit: str):
        self.numerator, self.denominator, self.unit = numerator, denominator, unit

    def _sum(self, measure, period):
        from .models import Settlement

        cond, field = _MEASURE_Q[measure]
        value = Settlement.objects.filter(_in_period(period)).filter(cond).aggregate(s=Sum(field))["s"]
        return ind_decimal(value)

    def live(self, period, cut, shape) -> ind.Figure:
        return ind.make_figure(self._sum(self.numerator, period), self._sum(self.denominator, period), self.unit)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        rows = records["settlements"]
        return ind.make_figure(rules.settlement_measure(self.numerator, rows, period.start, period.end),
                               rules.settlement_measure(self.denominator, rows, period.start, period.end), self.unit)

    def drilldown(self, user, period, cut, shape):
        from .models import Settlement
        from .queries import may_see_budget

        if not may_see_budget(user):
            return Settlement.objects.none()
        cond = _MEASURE_Q[self.numerator][0] | _MEASURE_Q[self.denominator][0]
        return Settlement.objects.filter(_in_period(period)).filter(cond).select_related("institution").order_by(
            "month", "provider_code", "scheme", "care")

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self.pure({"settlements": [record_of(s) for s in queryset]}, period, cut, shape)

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("结算月份"), gt("险种"), gt("类别"), gt("县域内"), gt("定点机构"), gt("结算人次"), gt("结算人数"),
                   gt("医疗总费用"), gt("基金支付")]
        rows = []
        for s in queryset:
            values = [s.month.strftime("%Y-%m"), s.get_scheme_display(), s.get_care_display(),
                      gt("是") if s.in_county else gt("否"), s.provider_name or s.provider_code, s.cases, s.persons,
                      s.total_cost, s.fund_paid]
            rows.append(values if export else {"values": values, "url": reverse("finance:settlements")})
        return headers, rows


def ind_decimal(value):
    from decimal import Decimal

    return Decimal(str(value)) if value is not None else Decimal(0)


_ALL = [
    Indicator(
        code="national.insurance_in_county_share", order=40, group=NATIONAL_PROMOTE, source="national_2024",
        name=_("医保基金县域内支出占比（不含药店）"),
        numerator=_("医保基金在县域内医疗机构的支出"),
        denominator=_("本县参保人医保基金总支出（不含药店）"),
        hooks=SettlementFigure(rules.FUND_IN_COUNTY, rules.FUND_TOTAL, UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=("county",), period_rule=PERIOD_RULE, fixture="settlements",
    ),
    Indicator(
        code="national.insurance_primary_share", order=50, group=NATIONAL_PROMOTE, source="national_2024",
        name=_("县域内基层医疗卫生机构医保基金支出占比"),
        numerator=_("医保基金在县域内基层医疗卫生机构的支出"),
        denominator=_("医保基金在县域内的支出"),
        hooks=SettlementFigure(rules.FUND_PRIMARY, rules.FUND_IN_COUNTY, UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=("county",), period_rule=PERIOD_RULE, fixture="settlements",
    ),
    Indicator(
        code="national.insured_in_county_admission_share", order=60, group=NATIONAL_EFFICIENCY,
        source="national_2024",
        name=_("参保人县域内住院人次占比"),
        numerator=_("本县参保人在县域内住院人次"),
        denominator=_("本县参保人住院总人次（含县外）"),
        hooks=SettlementFigure(rules.STAYS_IN_COUNTY, rules.STAYS_TOTAL, UNIT_PERCENT),
        unit=UNIT_PERCENT, direction="up", levels=("county",), period_rule=STAY_RULE, fixture="settlements",
    ),
    Indicator(
        code="national.insured_inpatient_cost", order=70, group=NATIONAL_EFFICIENCY, source="national_2024",
        name=_("参保人县域内住院人均费用及增长率"),
        numerator=_("本县参保人县域内住院总费用"),
        denominator=_("本县参保人县域内住院人数"),
        hooks=SettlementFigure(rules.COST_IN_COUNTY, rules.PERSONS_IN_COUNTY, UNIT_YUAN),
        unit=UNIT_YUAN, direction="down", levels=("county",), period_rule=STAY_RULE, fixture="settlements",
    ),
]


ALL_SETTLEMENT_INDICATORS = _ALL
INDICATORS = _ALL
