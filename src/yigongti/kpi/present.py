"""Figures as people read them: units, signs, the good direction, revisions; period choices; charts."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from yigongti.rules import indicators as rules
from yigongti.rules.indicators import Period

from .queries import Reading


def number(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == rules.UNIT_COUNT:
        return f"{int(value):,}"
    if unit == rules.UNIT_PERCENT:
        return f"{Decimal(value):.2f}%"
    return f"{Decimal(value):,.2f}"


def unit_suffix(unit: str) -> str:
    return {rules.UNIT_COUNT: _("人次"), rules.UNIT_YUAN: _("元"), rules.UNIT_TIMES: _("次"),
            rules.UNIT_HOURS: _("小时"), rules.UNIT_MINUTES: _("分钟"),
            rules.UNIT_PER_10K: _("人/万常住人口")}.get(unit, "")


def change(value) -> str:
    if value is None:
        return "—"
    return f"{'+' if value > 0 else ''}{value:.2f}%"


def plain(value, unit: str):
    """A number for charts and exports (float for decimals)."""
    if value is None:
        return None
    return int(value) if unit == rules.UNIT_COUNT else float(value)


def row(reading: Reading, label: str = "") -> dict:
    unit = reading.indicator.unit
    good = reading.good
    return {
        "label": label,
        "code": reading.indicator.code,
        "cut": reading.cut.code,
        "value": number(reading.value, unit),
        "unit": unit_suffix(unit),
        "numerator": _part(reading.figure.numerator),
        "denominator": _part(reading.figure.denominator),
        "last_year": number(reading.last_year.value, unit) if reading.last_year else "—",
        "yoy": change(reading.yoy),
        "pop": change(reading.pop),
        "trend_class": "" if good is None else ("ok" if good else "danger"),
        "closed": reading.closed,
        "revised": reading.revised,
        "revised_value": number(reading.live.value, unit) if reading.revised else "",
        "revision": (("+" if reading.revision and reading.revision > 0 else "") + number(reading.revision, unit))
        if reading.revised and reading.revision is not None else "",
        "raw": plain(reading.value, unit),
        "raw_last_year": plain(reading.last_year.value, unit) if reading.last_year else None,
        "raw_yoy": float(reading.yoy) if reading.yoy is not None else None,
    }


def _part(value) -> str:
    if value is None:
        return "—"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def default_period(today: dt.date | None = None) -> Period:
    """Year to date through the last finished month."""
    today = today or timezone.localdate()
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return Period(year, "ytd", month)


def period_choices(today: dt.date | None = None) -> list[tuple[str, str]]:
    """Recent periods for a select box (the field also accepts any period code)."""
    current = default_period(today)
    out = [(current.code, _("%(year)s年1–%(month)s月") % {"year": current.year, "month": current.number})]
    for year in (current.year, current.year - 1, current.year - 2):
        out.append((str(year), _("%(year)s年") % {"year": year}))
        for q in range(4, 0, -1):
            p = Period(year, "quarter", q)
            if p.end <= current.end:
                out.append((p.code, _("%(year)s年第%(q)s季度") % {"year": year, "q": q}))
    for back in range(0, 24):
        y, m = current.year, current.number - back
        while m <= 0:
            y, m = y - 1, m + 12
        out.append((Period(y, "month", m).code, _("%(year)s年%(month)s月") % {"year": y, "month": m}))
    seen, unique = set(), []
    for code, label in out:
        if code not in seen:
            seen.add(code)
            unique.append((code, label))
    return unique


def period_label(period: Period) -> str:
    if period.kind == "year":
        return _("%(year)s年") % {"year": period.year}
    if period.kind == "quarter":
        return _("%(year)s年第%(q)s季度") % {"year": period.year, "q": period.number}
    if period.kind == "month":
        return _("%(year)s年%(month)s月") % {"year": period.year, "month": period.number}
    return _("%(year)s年1–%(month)s月") % {"year": period.year, "month": period.number}


def trailing_months(period: Period, count: int = 24) -> list[tuple[int, int]]:
    last = period.months()[-1]
    y, m = last
    out = []
    for _i in range(count):
        out.append((y, m))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


# --- ECharts options (drawn by web/app.js from a json_script block) --------------------------------

COLOURS = ["#0f766e", "#2563eb", "#b45309", "#7c3aed", "#be123c", "#0891b2"]


def line_option(months: list[tuple[int, int]], series: list[tuple[str, list]], percent: bool = False) -> dict:
    return {
        "color": COLOURS,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 50, "right": 16, "top": 36, "bottom": 30},
        "xAxis": {"type": "category", "data": [f"{y}-{m:02d}" for y, m in months]},
        "yAxis": {"type": "value", "axisLabel": {"formatter": "{value}%" if percent else "{value}"}},
        "series": [{"name": name, "type": "line", "smooth": True, "data": data} for name, data in series],
    }


def bar_option(labels: list[str], series: list[tuple[str, list]], horizontal: bool = False) -> dict:
    category = {"type": "category", "data": labels, "axisLabel": {"interval": 0, "rotate": 0 if horizontal else 30}}
    value = {"type": "value"}
    return {
        "color": COLOURS,
        "tooltip": {"trigger": "axis"},
        "legend": {"top": 0},
        "grid": {"left": 90 if horizontal else 50, "right": 16, "top": 36, "bottom": 60 if not horizontal else 20},
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": [{"name": name, "type": "bar", "data": data} for name, data in series],
    }


def small_bar_option(labels: list[str], values: list) -> dict:
    return {
        "color": ["#94a3b8", "#0f766e"],
        "grid": {"left": 8, "right": 8, "top": 8, "bottom": 22},
        "xAxis": {"type": "category", "data": labels},
        "yAxis": {"type": "value", "show": False},
        "series": [{"type": "bar", "data": [{"value": v, "itemStyle": {"color": c}}
                                            for v, c in zip(values, ["#94a3b8", "#0f766e"], strict=False)],
                    "label": {"show": True, "position": "top"}}],
    }
