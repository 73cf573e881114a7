"""Indicator pages: the catalog with definitions, one indicator by cut with its trend, the drill-down to the
records, the consortium office dashboard, the printable period report, closing periods. Thin: they read
through kpi.queries and change state through kpi.actions. Every table exports to XLSX (``?export=…``)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yigongti.audit.exports import ExportTicket, export_gate
from yigongti.org.access import OVERSIGHT_ROLES, has_role, role_required
from yigongti.org.models import Role
from yigongti.rules import indicators as rules
from yigongti.rules.indicators import COUNTY, Cut, Period

from . import actions, catalog, present
from .export import xlsx_response
from .models import ClosedPeriod
from .queries import PERIOD_ERRORS, Reader, drill_figure, drilldown, home_cut, require_aggregates

EFFECT_CODES = ["effect.outpatient_visits", "effect.inpatient_stays", "effect.outpatient_avg_cost",
                "effect.inpatient_avg_cost", "effect.drug_share", "effect.service_income_share"]
NATIONAL_LIVE = ["national.primary_visit_share", "national.tcm_visit_share", "experts.seconded_per_10k",
                 "national.insurance_in_county_share", "national.insurance_primary_share",
                 "national.insured_in_county_admission_share", "national.insured_inpatient_cost"]


def _period(request, default: Period | None = None) -> tuple[Period, str]:
    text = request.GET.get("period", "").strip()
    if not text:
        return default or present.default_period(), ""
    try:
        return rules.parse_period(text), ""
    except rules.RuleError as exc:
        return default or present.default_period(), str(PERIOD_ERRORS[exc.code])


def _cut(request, allowed_levels=None) -> tuple[Cut, str]:
    try:
        cut = rules.parse_cut(request.GET.get("cut"))
    except rules.RuleError as exc:
        return COUNTY, str(PERIOD_ERRORS[exc.code])
    if allowed_levels is not None and cut.level not in allowed_levels:
        return COUNTY, str(PERIOD_ERRORS[rules.CUT_INVALID])
    return cut, ""


def _aggregates_required(view):
    @login_required
    def wrapper(request, *args, **kwargs):
        require_aggregates(request.user)
        return view(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _headers_for(indicator) -> list[str]:
    unit = present.unit_suffix(indicator.unit)
    return [_("范围"), f"{_('数值')}{('（' + unit + '）') if unit else ''}", _("分子"), _("分母"),
            _("去年同期"), _("同比"), _("环比"), _("状态")]


def _export_row(r: dict) -> list:
    state = _("已关账") if r["closed"] else ""
    if r["revised"]:
        state += _("；修订为 %(v)s（差 %(d)s）") % {"v": r["revised_value"], "d": r["revision"]}
    return [r["label"], r["value"], r["numerator"], r["denominator"], r["last_year"], r["yoy"], r["pop"], state]


# --- catalog ---------------------------------------------------------------------------------------


@_aggregates_required
def catalog_page(request):
    """Every indicator with what it means: numerator and denominator in words and as computation, unit,
    good direction, source, levels, period rule, status and data needs."""
    entries = [catalog.describe(i) for i in catalog.all_indicators()]
    if request.GET.get("export") == "catalog":
        headers = [_("编码"), _("指标"), _("分组"), _("分子"), _("分母"), _("计算方法"), _("单位"),
                   _("方向"), _("来源"), _("可按"), _("统计期规则"), _("状态"), _("所需数据")]
        rows = [[e["code"], e["name"], e["group"], e["numerator"], e["denominator"], e["computation"],
                 e["unit_label"], e["direction_label"], e["source_label"], "、".join(e["level_labels"]),
                 e["period_rule"], e["status_label"], e["data_needs"]] for e in entries]
        return xlsx_response("indicator-catalog", _("指标目录"), headers, rows)
    return render(request, "kpi/catalog.html", {"entries": entries})


# --- one indicator ---------------------------------------------------------------------------------


@_aggregates_required
def indicator_page(request, code: str):
    indicator = catalog.get(code)
    description = catalog.describe(indicator)
    if not indicator.computable:
        return render(request, "kpi/indicator.html", {"d": description, "indicator": indicator})
    period, period_error = _period(request)
    level = request.GET.get("by", "")
    if level not in indicator.levels:
        level = "institution" if "institution" in indicator.levels else indicator.levels[0]
    reader = Reader()
    cuts = reader.shape.cuts(level)
    readings = reader.readings(indicator, period, cuts) if period.kind in indicator.periods else []
    rows = [present.row(r, reader.shape.cut_label(r.cut)) for r in readings]
    if request.GET.get("export") == "values":
        return xlsx_response(f"{code}-{period.code}-{level}", str(indicator.name), _headers_for(indicator),
                             [_export_row(r) for r in rows],
                             notes=[f"{indicator.name} · {present.period_label(period)}",
                                    f"{_('分子')}：{indicator.numerator}", f"{_('分母')}：{indicator.denominator}"])
    cut, _err = _cut(request, indicator.levels)
    months = present.trailing_months(period, 24)
    trend = reader.trend(indicator, months, cut)
    chart = present.line_option(months, [(reader.shape.cut_label(cut), [present.plain(f.value, indicator.unit)
                                                                      for _p, f in trend])],
                                percent=indicator.unit == rules.UNIT_PERCENT)
    bars = present.bar_option([r["label"] for r in rows], [(str(indicator.name), [r["raw"] for r in rows])])
    return render(request, "kpi/indicator.html", {
        "d": description, "indicator": indicator, "period": period, "period_label": present.period_label(period),
        "period_error": period_error, "period_choices": present.period_choices(), "level": level,
        "levels": [(lvl, catalog.LEVEL_LABELS[lvl]) for lvl in indicator.levels], "rows": rows,
        "trend_option": chart, "bar_option": bars, "cut": cut, "cut_label": reader.shape.cut_label(cut),
        "unit": present.unit_suffix(indicator.unit),
    })


# --- drill-down ------------------------------------------------------------------------------------


def _resident_url(resident_id: int) -> str:
    for name in ("people:resident", "people:resident_detail"):
        try:
            return reverse(name, args=[resident_id])
        except NoReverseMatch:
            continue
    return ""


@_aggregates_required
def drill_page(request, code: str):
    """The records behind one figure, scoped to what the user may see, with their sums recomputed."""
    indicator = catalog.get(code)
    if not indicator.computable:
        raise Http404
    period, period_error = _period(request)
    cut, cut_error = _cut(request, indicator.levels)
    reader = Reader()
    queryset = drilldown(request.user, indicator, period, cut, reader.shape)
    recomputed = drill_figure(indicator, queryset, period, cut, reader.shape)
    reading = reader.reading(indicator, period, cut)
    if indicator.spec is None:
        template, rows_of = indicator.hooks.drill_template, indicator.hooks.drill_rows
    else:
        template, rows_of = "kpi/drill_encounters.html", _encounter_rows
    if request.GET.get("export") == "records":
        headers, rows = rows_of(queryset.order_by("pk"), export=True)
        # The records behind a figure name residents: personal data, through the export gate (issue 16).
        ticket = export_gate(request, f"kpi.drill:{code}", len(rows), filters=f"period={period.code} cut={cut.code}")
        if not isinstance(ticket, ExportTicket):
            return ticket
        return xlsx_response(f"{code}-{period.code}-{cut.code}", str(indicator.name), headers, rows,
                             notes=[f"{indicator.name} · {present.period_label(period)} · "
                                    f"{reader.shape.cut_label(cut)}"], ticket=ticket)
    page = Paginator(queryset.order_by("pk"), 50).get_page(request.GET.get("page"))
    headers, rows = rows_of(page.object_list, export=False)
    return render(request, template, {
        "headers": headers,
        "d": catalog.describe(indicator), "indicator": indicator, "period": period,
        "period_label": present.period_label(period), "cut": cut, "cut_label": reader.shape.cut_label(cut),
        "errors": [e for e in (period_error, cut_error) if e], "page": page, "rows": rows,
        "recomputed": {"numerator": present._part(recomputed.numerator),
                       "denominator": present._part(recomputed.denominator),
                       "value": present.number(recomputed.value, indicator.unit)},
        "figure": present.row(reading), "matches": recomputed == reading.live,
        "unit": present.unit_suffix(indicator.unit),
    })


def _encounter_rows(encounters, export: bool):
    kinds = catalog.KIND_LABELS
    headers = [_("就诊日期"), _("出院日期"), _("机构"), _("类别"), _("居民"), _("诊断"), _("中医"),
               _("总费用"), _("药品费用"), _("医疗服务性收入"), _("医保支付")]
    rows = []
    for e in encounters.select_related("institution", "resident"):
        resident = getattr(e.resident, "name", "") or str(e.resident_id)
        values = [e.visit_date, e.discharge_date or "", e.institution.short_name or e.institution.name,
                  str(kinds.get(e.kind, e.kind)), resident, e.primary_diagnosis or "",
                  _("是") if e.is_tcm else "", e.total_cost, e.drug_cost, e.medical_service_income, e.insurance_paid]
        if export:
            rows.append(values)
        else:
            rows.append({"values": values, "resident_url": _resident_url(e.resident_id)})
    return headers, rows


# --- dashboard -------------------------------------------------------------------------------------


@login_required
@role_required(*OVERSIGHT_ROLES)
def dashboard(request):
    """The consortium office dashboard: county figures with their changes, trends, bars by township and
    institution, league tables. Reads rollups only."""
    period, period_error = _period(request)
    context = dashboard_context(period)
    export = request.GET.get("export")
    if export in context["tables"]:
        table = context["tables"][export]
        return xlsx_response(f"dashboard-{export}-{period.code}", table["title"], table["headers"],
                             table["rows"], notes=[f"{table['title']} · {present.period_label(period)}"])
    context.update(period_error=period_error, period_choices=present.period_choices())
    return render(request, "kpi/dashboard.html", context)


def dashboard_context(period: Period, reader: Reader | None = None) -> dict:
    reader = reader or Reader()
    shape = reader.shape
    get = catalog.catalog()
    cards = []
    for code in NATIONAL_LIVE + EFFECT_CODES:
        indicator = get[code]
        reading = reader.reading(indicator, period, COUNTY)
        cards.append({"d": catalog.describe(indicator), **present.row(reading, str(indicator.name))})

    months = present.trailing_months(period, 24)
    trend = {code: reader.trend(get[code], months) for code in
             ("effect.outpatient_visits", "effect.inpatient_stays", "effect.drug_share",
              "effect.service_income_share", "national.primary_visit_share", "national.tcm_visit_share")}

    def series(code):
        return [present.plain(f.value, get[code].unit) for _p, f in trend[code]]

    charts = {
        "volume": present.line_option(months, [(str(get["effect.outpatient_visits"].name), series("effect.outpatient_visits")),
                                               (str(get["effect.inpatient_stays"].name), series("effect.inpatient_stays"))]),
        "shares": present.line_option(months, [(str(get[c].name), series(c)) for c in
                                               ("effect.drug_share", "effect.service_income_share",
                                                "national.primary_visit_share", "national.tcm_visit_share")],
                                      percent=True),
    }

    tables = {}
    # by township: every 成效分析 figure with its change
    township_cuts = shape.cuts("township")
    institution_cuts = [c for c in shape.cuts("institution")
                        if shape.institutions[int(c.key)].tier in ("county", "township")]
    for name, cuts, title in (("townships", township_cuts, _("按乡镇（卫生院及村卫生室）")),
                              ("institutions", institution_cuts, _("按机构（县级医院、乡镇卫生院）"))):
        by_code = {code: reader.readings(get[code], period, cuts) for code in EFFECT_CODES}
        headers = [_("范围")]
        for code in EFFECT_CODES:
            headers += [str(get[code].name), _("同比")]
        rows, html_rows = [], []
        for i, cut in enumerate(cuts):
            label = shape.cut_label(cut)
            cells = [present.row(by_code[code][i], label) for code in EFFECT_CODES]
            rows.append([label] + [v for c in cells for v in (c["value"], c["yoy"])])
            html_rows.append({"label": label, "cut": cut.code, "cells": cells})
        tables[name] = {"title": title, "headers": headers, "rows": rows, "html_rows": html_rows,
                        "codes": EFFECT_CODES}
    # league table: township centres ranked by 药占比 (lowest first)
    centres = [c for c in institution_cuts if shape.institutions[int(c.key)].tier == "township"]
    drug = reader.readings(get["effect.drug_share"], period, centres)
    ranked = sorted(drug, key=lambda r: (r.value is None, r.value if r.value is not None else 0))
    league_rows, league_html = [], []
    for rank, reading in enumerate(ranked, start=1):
        label = shape.cut_label(reading.cut)
        row = present.row(reading, label)
        league_rows.append([rank, label, row["value"], row["last_year"], row["yoy"]])
        league_html.append({"rank": rank, **row})
    tables["league"] = {"title": _("乡镇卫生院药占比排名（低者在前）"),
                        "headers": [_("名次"), _("机构"), _("药占比"), _("去年同期"), _("同比")],
                        "rows": league_rows, "html_rows": league_html}
    charts["township_visits"] = present.bar_option(
        [r["label"] for r in tables["townships"]["html_rows"]],
        [(_("本期"), [r["cells"][0]["raw"] for r in tables["townships"]["html_rows"]]),
         (_("去年同期"), [r["cells"][0]["raw_last_year"] for r in tables["townships"]["html_rows"]])])
    charts["institution_drug"] = present.bar_option(
        [r["label"] for r in tables["institutions"]["html_rows"]],
        [(str(get["effect.drug_share"].name), [r["cells"][4]["raw"] for r in tables["institutions"]["html_rows"]]),
         (str(get["effect.service_income_share"].name),
          [r["cells"][5]["raw"] for r in tables["institutions"]["html_rows"]])], horizontal=True)
    return {"period": period, "period_label": present.period_label(period), "cards": cards, "charts": charts,
            "tables": tables, "effect_names": [get[c].name for c in EFFECT_CODES]}


# --- the printable period report -------------------------------------------------------------------


@_aggregates_required
def report(request):
    """医共体建设成效: each figure with its year-on-year change and a small chart, printable."""
    default = Period(present.default_period().year - 1, "year")
    period, period_error = _period(request, default)
    cut, cut_error = _cut(request, ("county", "tier", "township", "institution"))
    if cut == COUNTY and not has_role(request.user, *OVERSIGHT_ROLES) and "cut" not in request.GET:
        cut = home_cut(request.user)
    reader = Reader()
    figures = []
    last = rules.same_period_last_year(period)
    for code in NATIONAL_LIVE + EFFECT_CODES:
        indicator = catalog.get(code)
        if cut.level not in indicator.levels:
            continue
        reading = reader.reading(indicator, period, cut)
        row = present.row(reading, str(indicator.name))
        row["chart"] = present.small_bar_option([present.period_label(last), present.period_label(period)],
                                                [row["raw_last_year"], row["raw"]])
        row["chart_id"] = f"chart-{code.replace('.', '-')}"
        row["d"] = catalog.describe(indicator)
        figures.append(row)
    if request.GET.get("export") == "report":
        headers = [_("指标"), _("本期"), _("去年同期"), _("同比"), _("状态")]
        rows = [[f["label"], f["value"], f["last_year"], f["yoy"], _export_row(f)[-1]] for f in figures]
        return xlsx_response(f"report-{period.code}-{cut.code}", _("医共体建设成效"), headers, rows,
                             notes=[f"{_('医共体建设成效')} · {present.period_label(period)} · "
                                    f"{reader.shape.cut_label(cut)}"])
    cut_choices = [(COUNTY.code, reader.shape.cut_label(COUNTY))] + [
        (c.code, reader.shape.cut_label(c)) for level in ("township", "institution") for c in reader.shape.cuts(level)]
    return render(request, "kpi/report.html", {
        "period": period, "period_label": present.period_label(period), "last_label": present.period_label(last),
        "cut": cut, "cut_label": reader.shape.cut_label(cut), "figures": figures,
        "errors": [e for e in (period_error, cut_error) if e], "period_choices": present.period_choices(),
        "cut_choices": cut_choices,
    })


# --- closing periods -------------------------------------------------------------------------------


@login_required
@role_required(*OVERSIGHT_ROLES)
def periods(request):
    closed = ClosedPeriod.objects.select_related("closed_by").annotate(figure_count=Count("figures"))
    return render(request, "kpi/periods.html", {
        "closed": closed, "may_close": has_role(request.user, Role.CONSORTIUM_OFFICE),
        "period_choices": [c for c in present.period_choices() if "YTD" not in c[0]],
    })


@require_POST
@login_required
def close(request):
    if not has_role(request.user, Role.CONSORTIUM_OFFICE):
        raise PermissionDenied
    try:
        with transaction.atomic(durable=True):
            closed = actions.close_period(request.user, request.POST.get("period", ""))
    except ValidationError as exc:
        for message in exc.message_dict.get("period", exc.messages):
            messages.error(request, message)
        return redirect("kpi:periods")
    messages.success(request, _("%(period)s 已关账，数据已冻结。") % {"period": closed.period})
    return redirect("kpi:periods")
