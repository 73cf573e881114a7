"""The pharmacy figures in the indicator catalog (kpi discovers ``INDICATORS``): the online purchasing rate,
the savings rate of centrally procured drugs and the loss (报损) rate, by institution, tier, township and month,
each drillable to its rows. The arithmetic is rules/prescribing.py ("figures"); the rows are few enough to be
counted at query time (orders and stock moves are indexed by institution and date) — no rollup rows to keep.
Stock value is a point-in-time figure and shows on the pharmacy pages (queries.stock_value)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import DecimalField, ExpressionWrapper, F, Sum
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yigongti.rules import indicators as ind
from yigongti.rules import prescribing as rules
from yigongti.rules.indicators import UNIT_PERCENT, UNIT_TIMES, Indicator

LEVELS = ("county", "tier", "township", "institution")
GROUP = _("药械统一")


def _scope(qs, ids, field="institution_id"):
    return qs if ids is None else qs.filter(**{f"{field}__in": ids})


class OrderLineFigure:
    """ONLINE and SAVINGS: purchase-order lines by the order's date and institution."""

    drill_template = "pharmacy/drill_records.html"

    def __init__(self, measure: str):
        self.measure = measure

    def _qs(self, period, ids):
        from .models import PurchaseOrderLine

        qs = PurchaseOrderLine.objects.filter(order__ordered_on__gte=period.start, order__ordered_on__lte=period.end)
        if self.measure == rules.SAVINGS:
            qs = qs.filter(drug__centrally_procured=True, drug__reference_price__isnull=False)
        return _scope(qs, ids, "order__institution_id")

    @staticmethod
    def records(qs) -> list[dict]:
        rows = qs.values_list("order__institution_id", "order__ordered_on", "quantity", "unit_price",
                              "order__on_platform", "drug__reference_price", "drug__centrally_procured")
        return [{"institution_id": i, "on": on, "quantity": q, "unit_price": Decimal(p),
                 "value": Decimal(p) * q, "on_platform": online, "reference_price": ref,
                 "centrally_procured": cp} for i, on, q, p, online, ref, cp in rows]

    def pure(self, records, period, cut, shape) -> ind.Figure:
        num, den = rules.figure_parts(self.measure, records["order_lines"], period.start, period.end,
                                      shape.institution_ids(cut))
        return ind.make_figure(num, den, UNIT_PERCENT)

    def live(self, period, cut, shape) -> ind.Figure:
        ids = shape.institution_ids(cut)
        return self.pure({"order_lines": self.records(self._qs(period, ids))}, period, cut, shape)

    def drilldown(self, user, period, cut, shape):
        from .queries import purchase_orders

        return self._qs(period, shape.institution_ids(cut)).filter(
            order__in=purchase_orders(user).values("pk")).select_related("order", "drug", "order__institution")

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self.pure({"order_lines": self.records(queryset)}, period, cut, shape)

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("订单号"), gt("机构"), gt("下单日期"), gt("药品"), gt("数量"), gt("单价"), gt("集采前参考价"),
                   gt("网上采购")]
        rows = []
        for ln in queryset:
            values = [ln.order.number, ln.order.institution.name, ln.order.ordered_on, str(ln.drug), ln.quantity,
                      ln.unit_price, ln.drug.reference_price or "", gt("是") if ln.order.on_platform else gt("否")]
            rows.append(values if export else {"values": values,
                                               "url": reverse("pharmacy:order", args=[ln.order_id])})
        return headers, rows


class LossFigure:
    """LOSS: scrap and dispense moves by date and institution, valued at the batch's cost."""

    drill_template = "pharmacy/drill_records.html"
    sign = -1  # scrap and dispense rows are negative in the ledger; the drill shows what went out

    @staticmethod
    def _qs(period, ids):
        from .models import MoveKind, StockMove

        qs = StockMove.objects.filter(kind__in=[MoveKind.SCRAP, MoveKind.DISPENSE], occurred_on__gte=period.start,
                                      occurred_on__lte=period.end)
        return _scope(qs, ids)

    @staticmethod
    def records(qs) -> list[dict]:
        value = ExpressionWrapper(-F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=18,
                                                                                            decimal_places=4))
        return [{"institution_id": i, "on": on, "kind": kind, "value": Decimal(v)}
                for i, on, kind, v in qs.annotate(v=value).values_list("institution_id", "occurred_on", "kind", "v")]

    def pure(self, records, period, cut, shape) -> ind.Figure:
        num, den = rules.figure_parts(rules.LOSS, records["moves"], period.start, period.end,
                                      shape.institution_ids(cut))
        return ind.make_figure(num, den, UNIT_PERCENT)

    def live(self, period, cut, shape) -> ind.Figure:
        return self.pure({"moves": self.records(self._qs(period, shape.institution_ids(cut)))}, period, cut, shape)

    def drilldown(self, user, period, cut, shape):
        from .queries import stock_institution_ids

        qs = self._qs(period, shape.institution_ids(cut))
        visible = stock_institution_ids(user)
        return (qs if visible is None else qs.filter(institution_id__in=visible)).select_related(
            "drug", "batch", "institution")

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self.pure({"moves": self.records(queryset)}, period, cut, shape)

    @classmethod
    def drill_rows(cls, queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("日期"), gt("机构"), gt("类型"), gt("药品"), gt("批号"), gt("数量"), gt("进价"), gt("原因")]
        rows = []
        for m in queryset:
            values = [m.occurred_on, m.institution.name, m.get_kind_display(), str(m.drug), m.batch.batch_no,
                      cls.sign * m.quantity, m.unit_cost, m.reason]
            rows.append(values if export else {"values": values,
                                               "url": reverse("pharmacy:moves", args=[m.institution_id])})
        return headers, rows


class TurnoverFigure(LossFigure):
    """TURNOVER: every ledger row up to the period's end, valued at its batch cost (signed)."""

    sign = 1  # the whole ledger, signed: receipts in, dispensing out

    @staticmethod
    def _qs(period, ids):
        from .models import StockMove

        return _scope(StockMove.objects.filter(occurred_on__lte=period.end), ids)

    @staticmethod
    def records(qs) -> list[dict]:
        value = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=18,
                                                                                           decimal_places=4))
        return [{"institution_id": i, "on": on, "kind": kind, "value": Decimal(v)}
                for i, on, kind, v in qs.annotate(v=value).values_list("institution_id", "occurred_on", "kind", "v")]

    def pure(self, records, period, cut, shape) -> ind.Figure:
        num, den = rules.turnover_parts(records["ledger"], period.start, period.end, shape.institution_ids(cut))
        return ind.make_figure(num, den, UNIT_TIMES)

    def live(self, period, cut, shape) -> ind.Figure:
        """The ledger summed in the database per (institution, kind) before and within the period — two
        grouped sums, whatever the ledger's length — handed to the same pure function."""
        value = ExpressionWrapper(F("quantity") * F("unit_cost"), output_field=DecimalField(max_digits=18,
                                                                                           decimal_places=4))
        qs = self._qs(period, shape.institution_ids(cut))
        ledger = []
        for on, part in ((period.start - dt.timedelta(days=1), qs.filter(occurred_on__lt=period.start)),
                         (period.start, qs.filter(occurred_on__gte=period.start))):
            for i, kind, v in part.values("institution_id", "kind").annotate(v=Sum(value)).values_list(
                    "institution_id", "kind", "v"):
                ledger.append({"institution_id": i, "on": on, "kind": kind, "value": Decimal(v)})
        return self.pure({"ledger": ledger}, period, cut, shape)

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self.pure({"ledger": self.records(queryset)}, period, cut, shape)


ORDER_RULE = _("按订单下单日期归入统计期；按采购机构统计。")
INDICATORS = [
    Indicator(
        code="pharmacy.online_purchase_rate", order=610, group=GROUP, source="seed",
        name=_("药品网上采购率"), numerator=_("在省药品集中采购平台下单的采购金额"),
        denominator=_("全部药品采购金额"), hooks=OrderLineFigure(rules.ONLINE), unit=UNIT_PERCENT, direction="up",
        levels=LEVELS, period_rule=ORDER_RULE, fixture="pharmacy",
    ),
    Indicator(
        code="pharmacy.procurement_savings_rate", order=620, group=GROUP, source="seed",
        name=_("集采中选药品节约率"), numerator=_("集采中选药品按集采前参考价计算的节约金额"),
        denominator=_("集采中选药品按集采前参考价计算的采购金额"), hooks=OrderLineFigure(rules.SAVINGS),
        unit=UNIT_PERCENT, direction="up", levels=LEVELS, period_rule=ORDER_RULE, fixture="pharmacy",
    ),
    Indicator(
        code="pharmacy.loss_rate", order=630, group=GROUP, source="seed",
        name=_("药品报损率（近效期、过期、破损）"), numerator=_("报损药品金额（按进价）"),
        denominator=_("处方发药与报损药品金额之和（按进价）"), hooks=LossFigure(), unit=UNIT_PERCENT,
        direction="down", levels=LEVELS, period_rule=_("按出库日期归入统计期；按发生机构统计。"), fixture="pharmacy",
    ),
    Indicator(
        code="pharmacy.stock_turnover", order=640, group=GROUP, source="seed",
        name=_("药品库存周转次数"), numerator=_("统计期内处方发药金额（按进价）"),
        denominator=_("平均库存金额（期初与期末库存金额之和 ÷ 2，按进价）"), hooks=TurnoverFigure(), unit=UNIT_TIMES,
        direction="up", levels=LEVELS, period_rule=_("发药按出库日期归入统计期；库存金额取期初、期末的台账结存。"),
        fixture="pharmacy",
    ),
]
