"""The diagnostic-centre figures in the indicator catalog (kpi discovers ``INDICATORS``): readings per centre,
modality, township and month; turnaround p50/p90 and the share within target; critical values, the share
acknowledged before escalation and the median time to acknowledge; avoided repeats (结果互认).

The arithmetic is rules/diagnostics.py (``measure``); a reading counts for the centre that read it and for the
institution that requested it, so a township's figure is its clinics' requests, the county centre's its
readings, and the county counts each once. Readings are tens of thousands a year: the figures are read from
the rows at query time (indexed by date), one query per figure kind and period for all the cuts of a request,
with no rollup rows and nothing for ``yigongti kpi rebuild`` to recompute. Medians and percentiles are in
minutes (the catalog's minutes unit)."""
from __future__ import annotations

import datetime as dt
import weakref

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.rules import diagnostics as rules
from yigongti.rules import indicators as ind
from yigongti.rules.indicators import UNIT_COUNT, UNIT_MINUTES, UNIT_PERCENT, Indicator

from . import conf

LEVELS = ("county", "tier", "township", "institution")
GROUP = _("共享诊断中心")
_per_shape: dict[int, tuple[weakref.ref, dict]] = {}


def _cache_for(shape) -> dict:
    key = id(shape)
    entry = _per_shape.get(key)
    if entry is not None and entry[0]() is shape:
        return entry[1]
    cache: dict = {}
    _per_shape[key] = (weakref.ref(shape, lambda _ref, k=key: _per_shape.pop(k, None)), cache)
    return cache


def _bounds(period: ind.Period) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_default_timezone()
    return (timezone.make_aware(dt.datetime.combine(period.start, dt.time()), tz),
            timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()), tz))


def reading_record(r) -> dict:
    return {"centre_id": r.centre.institution_id, "from_id": r.requesting_institution_id, "modality": r.modality,
            "priority": r.priority, "requested_at": r.requested_at, "published_at": r.published_at,
            "day": timezone.localdate(r.published_at)}


def critical_record(cv) -> dict:
    return {"centre_id": cv.request.centre.institution_id, "from_id": cv.request.requesting_institution_id,
            "marked_at": cv.marked_at, "acknowledged_at": cv.acknowledged_at, "day": timezone.localdate(cv.marked_at)}


def recognition_record(x) -> dict:
    return {"from_id": x.institution_id, "avoided": x.avoided, "day": timezone.localdate(x.decided_at)}


def _querysets(kind: str, period):
    from .models import CriticalValue, Recognition, Request

    start, end = _bounds(period)
    if kind == "reading":
        return (Request.objects.filter(status="published", published_at__gte=start, published_at__lt=end)
                .select_related("centre"), reading_record)
    if kind == "critical":
        return (CriticalValue.objects.filter(marked_at__gte=start, marked_at__lt=end)
                .select_related("request", "request__centre"), critical_record)
    return Recognition.objects.filter(decided_at__gte=start, decided_at__lt=end), recognition_record


def _pure(code, records, period, ids):
    return rules.measure(code, records, period.start, period.end, ids,
                         escalation_minutes=int(conf.get("ESCALATION_MINUTES")),
                         targets=conf.get("TURNAROUND_TARGET_MINUTES"))


class DiagnosticsFigure:
    """Hooks of one diagnostics indicator: ``code`` is a measure of rules/diagnostics.py."""

    def __init__(self, code: str, unit: str = UNIT_COUNT):
        self.code, self.unit = code, unit
        self.kind = rules.RECORD_KIND[code]
        self.drill_template = {"reading": "diagnostics/drill_readings.html", "critical": "diagnostics/drill_critical.html",
                               "recognition": "diagnostics/drill_recognition.html"}[self.kind]

    def _records(self, period, shape) -> list[dict]:
        cache = _cache_for(shape)
        key = (self.kind, period.code)
        if key not in cache:
            qs, to_record = _querysets(self.kind, period)
            cache[key] = [to_record(x) for x in qs.order_by("pk").iterator(chunk_size=2000)]
        return cache[key]

    def _figure(self, records, period, ids) -> ind.Figure:
        num, den = _pure(self.code, records, period, ids)
        return ind.make_figure(num, den, self.unit)

    def live(self, period, cut, shape) -> ind.Figure:
        return self._figure(self._records(period, shape), period, shape.institution_ids(cut))

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"reading": [...], "critical": [...], "recognition": [...]} (rules' record shapes)."""
        return self._figure(records[self.kind], period, shape.institution_ids(cut))

    def drilldown(self, user, period, cut, shape):
        from django.db.models import Q

        from .models import Recognition
        from .queries import visible_criticals, visible_requests

        ids = shape.institution_ids(cut)
        start, end = _bounds(period)
        if self.kind == "reading":
            qs = visible_requests(user).filter(status="published", published_at__gte=start, published_at__lt=end)
            return qs if ids is None else qs.filter(Q(centre__institution_id__in=ids)
                                                    | Q(requesting_institution_id__in=ids))
        if self.kind == "critical":
            qs = visible_criticals(user).filter(marked_at__gte=start, marked_at__lt=end)
            return qs if ids is None else qs.filter(Q(request__centre__institution_id__in=ids)
                                                    | Q(request__requesting_institution_id__in=ids))
        qs = Recognition.objects.filter(earlier_result__in=visible_requests(user).values("pk"),
                                        decided_at__gte=start, decided_at__lt=end)
        return qs if ids is None else qs.filter(institution_id__in=ids)

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        _qs, to_record = _querysets(self.kind, period)
        related = {"reading": ("centre",), "critical": ("request", "request__centre"), "recognition": ()}[self.kind]
        rows = [to_record(x) for x in queryset.select_related(*related)]
        return self._figure(rows, period, shape.institution_ids(cut))

    def drill_rows(self, queryset, export: bool):
        from django.utils.translation import gettext as gt

        def stamp(value):
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""

        rows = []
        if self.kind == "reading":
            headers = [gt("单号"), gt("项目"), gt("患者"), gt("申请机构"), gt("诊断中心"), gt("申请时间"), gt("发布时间"),
                       gt("周转（分钟）")]
            for r in queryset.select_related("resident", "test", "requesting_institution", "centre"):
                values = [r.number, r.test.name, r.resident.name, r.requesting_institution.name, r.centre.name,
                          stamp(r.requested_at), stamp(r.published_at),
                          rules.minutes_between(r.requested_at, r.published_at)]
                rows.append(values if export else {"values": values, "url": reverse("diagnostics:detail",
                                                                                    args=[r.pk])})
        elif self.kind == "critical":
            headers = [gt("单号"), gt("危急值内容"), gt("患者"), gt("发现时间"), gt("电话通知"), gt("确认时间"), gt("升级时间")]
            for cv in queryset.select_related("request", "request__resident"):
                values = [cv.request.number, cv.description, cv.request.resident.name, stamp(cv.marked_at),
                          stamp(cv.phoned_at), stamp(cv.acknowledged_at), stamp(cv.escalated_at)]
                rows.append(values if export else {"values": values, "url": reverse("diagnostics:critical",
                                                                                    args=[cv.pk])})
        else:
            headers = [gt("时间"), gt("项目"), gt("患者"), gt("申请机构"), gt("采用既往结果"), gt("理由")]
            for x in queryset.select_related("test", "resident", "institution"):
                values = [stamp(x.decided_at), x.test.name, x.resident.name, x.institution.name,
                          gt("是") if x.avoided else gt("否"), x.reason]
                rows.append(values if export else {"values": values, "url": reverse(
                    "diagnostics:detail", args=[x.earlier_result_id])})
        return headers, rows


PUBLISHED_RULE = _("按报告发布日期（中国时间）归入统计期；诊断中心与申请机构属于统计范围即计入，全县每份只计一次。")
CRITICAL_RULE = _("按危急值发现日期（中国时间）归入统计期；按诊断中心与申请机构统计。")


def _reading(code, order, name, numerator, hooks_code=None, unit=UNIT_COUNT, denominator="", direction="neutral",
             rule=PUBLISHED_RULE):
    return Indicator(code=f"diagnostics.{code}", order=order, group=GROUP, source="seed", name=name,
                     numerator=numerator, denominator=denominator,
                     hooks=DiagnosticsFigure(hooks_code or code, unit), unit=unit,
                     direction=direction, levels=LEVELS, period_rule=rule, fixture="diagnostics")


INDICATORS = [
    _reading(rules.READINGS, 510, _("远程诊断报告数"), _("统计期内发布的检查检验报告数（心电、影像、检验）"), direction="up"),
    _reading(rules.READINGS_ECG, 511, _("心电诊断报告数"), _("统计期内发布的心电报告数"), direction="up"),
    _reading(rules.READINGS_IMAGING, 512, _("影像诊断报告数"), _("统计期内发布的 DR、超声、CT 报告数"), direction="up"),
    _reading(rules.READINGS_LAB, 513, _("检验报告数"), _("统计期内发布的检验报告数"), direction="up"),
    _reading(rules.TURNAROUND_P50, 520, _("报告周转时间中位数（分钟）"),
             _("申请至报告发布的分钟数的中位数（最近秩法）"), unit=UNIT_MINUTES, direction="down"),
    _reading(rules.TURNAROUND_P90, 521, _("报告周转时间第90百分位（分钟）"),
             _("申请至报告发布的分钟数的第90百分位（最近秩法）"), unit=UNIT_MINUTES, direction="down"),
    _reading(rules.ON_TIME, 522, _("报告及时率"), _("在时限内发布的报告数（急诊30分钟、加急2小时、常规24小时）"),
             unit=UNIT_PERCENT, denominator=_("统计期内发布的报告数"), direction="up"),
    _reading(rules.CRITICAL_COUNT, 530, _("危急值例数"), _("统计期内报告的危急值例数"), rule=CRITICAL_RULE),
    _reading(rules.ACK_IN_TIME, 531, _("危急值及时确认率"), _("在升级时限内被申请医生确认的危急值例数"),
             unit=UNIT_PERCENT, denominator=_("统计期内报告的危急值例数"), direction="up", rule=CRITICAL_RULE),
    _reading(rules.ACK_P50, 532, _("危急值确认时间中位数（分钟）"), _("发现至确认的分钟数的中位数（已确认者）"),
             unit=UNIT_MINUTES, direction="down", rule=CRITICAL_RULE),
    _reading(rules.AVOIDED_REPEATS, 540, _("结果互认避免重复检查次数"),
             _("互认期内已有结果、医生采用既往结果而未重复检查的次数"), direction="up",
             rule=_("按医生决定的日期（中国时间）归入统计期；按申请机构统计。")),
    _reading(rules.REPEATS_WITH_REASON, 541, _("互认期内说明理由的重复检查"),
             _("互认期内已有结果、医生说明理由后仍重复申请的次数"), direction="down",
             rule=_("按申请日期（中国时间）归入统计期；按申请机构统计。")),
]
