"""The indicator catalog: every app's ``indicators.py`` declares ``INDICATORS = [Indicator(...)]``
(rules.indicators.Indicator); kpi discovers them here. kpi imports the apps, never the reverse."""
from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from yigongti.discovery import app_modules
from yigongti.rules import indicators as rules
from yigongti.rules.indicators import Indicator

_catalog: dict[str, Indicator] | None = None
_owners: dict[str, str] = {}

UNIT_LABELS = {rules.UNIT_COUNT: _("人次"), rules.UNIT_PERCENT: "%", rules.UNIT_YUAN: _("元"), rules.UNIT_TIMES: _("次"),
               rules.UNIT_HOURS: _("小时"), rules.UNIT_MINUTES: _("分钟"),
               rules.UNIT_PER_10K: _("人/万常住人口")}
DIRECTION_LABELS = {"up": _("越高越好"), "down": _("越低越好"), "neutral": _("无好坏方向")}
SOURCE_LABELS = {
    "national_2024": _("国家紧密型县域医共体监测指标（2024版）"),
    "seed": _("医共体建设成效分析"),
    "programme": _("项目指标"),
}
STATUS_LABELS = {
    rules.STATUS_LIVE: _("实时计算"),
    rules.STATUS_AWAITING: _("待相关模块上线"),
    rules.STATUS_NEEDS_DATA: _("暂不可计算：缺少数据"),
}
LEVEL_LABELS = {"county": _("全县"), "tier": _("层级"), "township": _("乡镇"), "institution": _("机构"),
                "area": _("行政区划")}
PERIOD_LABELS = {"month": _("月"), "quarter": _("季度"), "year": _("年"), "ytd": _("年初至今")}
FIELD_LABELS = {"visits": _("人次"), "total_cost": _("总费用"), "drug_cost": _("药品费用"),
                "consumables_cost": _("耗材费用"), "medical_service_income": _("医疗服务性收入"),
                "insurance_paid": _("医保支付")}
KIND_LABELS = {"outpatient": _("门诊"), "emergency": _("急诊"), "inpatient": _("住院")}
TIER_LABELS = {"county": _("县级"), "township": _("乡级"), "village": _("村级")}


def _discover() -> dict[str, Indicator]:
    found: dict[str, Indicator] = {}
    for config, module in app_modules("indicators"):
        for indicator in getattr(module, "INDICATORS", []):
            problems = rules.declaration_problems(indicator)
            if problems:
                raise ImproperlyConfigured(f"indicator {indicator.code} in {config.name}: {problems}")
            if indicator.code in found:
                raise ImproperlyConfigured(f"indicator {indicator.code} declared twice")
            found[indicator.code] = indicator
            _owners[indicator.code] = config.label
    return dict(sorted(found.items(), key=lambda item: (item[1].order, item[0])))


def catalog() -> dict[str, Indicator]:
    global _catalog
    if _catalog is None:
        _catalog = _discover()
    return _catalog


def all_indicators() -> list[Indicator]:
    return list(catalog().values())


def computable() -> list[Indicator]:
    return [i for i in all_indicators() if i.computable]


def get(code: str) -> Indicator:
    try:
        return catalog()[code]
    except KeyError:
        raise Http404(code) from None


def owner(code: str) -> str:
    catalog()
    return _owners[code]


def measure_words(measure: rules.Measure) -> str:
    """The computation of a measure in words, e.g. "Σ 总费用（门诊、急诊；乡级、村级）"."""
    parts = ["、".join(str(KIND_LABELS[k]) for k in ("outpatient", "emergency", "inpatient") if k in measure.kinds)]
    if measure.tiers is not None:
        parts.append("、".join(str(TIER_LABELS[t]) for t in rules.TIERS if t in measure.tiers))
    if measure.tcm is not None:
        parts.append(str(_("中医类")) if measure.tcm else str(_("非中医类")))
    return f"Σ {FIELD_LABELS[measure.field]}（{'；'.join(parts)}）"


def computation_words(indicator: Indicator) -> str:
    if indicator.spec is None:
        return ""
    num = measure_words(indicator.spec.numerator)
    if indicator.spec.denominator is None:
        return num
    den = measure_words(indicator.spec.denominator)
    factor = " × 100" if indicator.unit == rules.UNIT_PERCENT else ""
    return f"{num} ÷ {den}{factor}"


def describe(indicator: Indicator) -> dict:
    """Everything a user needs to know what the number means (catalog page and API)."""
    return {
        "code": indicator.code,
        "name": str(indicator.name),
        "group": str(indicator.group),
        "numerator": str(indicator.numerator),
        "denominator": str(indicator.denominator),
        "computation": computation_words(indicator),
        "unit": indicator.unit,
        "unit_label": str(UNIT_LABELS[indicator.unit]),
        "direction": indicator.direction,
        "direction_label": str(DIRECTION_LABELS[indicator.direction]),
        "source": indicator.source,
        "source_label": str(SOURCE_LABELS[indicator.source]),
        "levels": list(indicator.levels),
        "level_labels": [str(LEVEL_LABELS[level]) for level in indicator.levels],
        "periods": list(indicator.periods),
        "period_rule": str(indicator.period_rule),
        "status": indicator.status,
        "status_label": str(STATUS_LABELS[indicator.status]),
        "computable": indicator.computable,
        "data_needs": str(indicator.data_needs),
        "owner": owner(indicator.code),
    }
