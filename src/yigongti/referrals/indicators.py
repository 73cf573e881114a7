"""The referral figures in the indicator catalog (kpi discovers ``INDICATORS``): up- and down-referrals and
their ratio, acceptance within the 24-hour green channel, rejected, expired, questionable up-referrals and
out-of-consortium filings, by institution and month, each drillable to its referrals.

The arithmetic is rules/referral.py ("figures"); a referral counts for an institution (or a tier, a township)
when it sent or received it, so a township's up-referrals are those it sent and the county hospital's those
it received, and the county counts each once. Referrals are few (a county writes thousands a year, not
millions): the figures are counted from the referral rows at query time (indexed by date), one grouped query
per figure and period for all the cuts of a request, with no rollup rows to keep and nothing for ``yigongti
kpi rebuild`` to recompute."""
from __future__ import annotations

import datetime as dt
import weakref

from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.rules import indicators as ind
from yigongti.rules import referral as rules
from yigongti.rules.indicators import UNIT_COUNT, UNIT_HOURS, UNIT_PERCENT, Indicator

LEVELS = ("county", "tier", "township", "institution")

# Grouped counts memoised per kpi Shape object (one per request / Reader), so a page of every institution
# reads each figure once, not once per cut; the entry goes with the shape.
_per_shape: dict[int, tuple[weakref.ref, dict]] = {}


def _cache_for(shape) -> dict:
    key = id(shape)
    entry = _per_shape.get(key)
    if entry is not None and entry[0]() is shape:
        return entry[1]
    cache: dict = {}
    _per_shape[key] = (weakref.ref(shape, lambda _ref, k=key: _per_shape.pop(k, None)), cache)
    return cache
GROUP = _("双向转诊")


def _bounds(period: ind.Period) -> tuple[dt.datetime, dt.datetime]:
    """The period as China-time instants [start, end)."""
    tz = timezone.get_default_timezone()
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time()), tz)
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time()), tz)
    return start, end


def _local_date(value: dt.datetime | None) -> dt.date | None:
    return timezone.localtime(value).date() if value else None


def record_of(r) -> dict:
    """A Referral row as the pure functions' record (dates in China time)."""
    return {"direction": r.direction, "status": r.status, "from_id": r.from_institution_id,
            "to_id": r.to_institution_id, "submitted_at": r.submitted_at, "submitted_on": _local_date(r.submitted_at),
            "accepted_at": r.accepted_at, "accepted_on": _local_date(r.accepted_at),
            "received_on": _local_date(r.received_at), "closed_on": _local_date(r.closed_at),
            "valid_until": r.valid_until, "questionable": r.questionable}


def filing_record_of(f) -> dict:
    return {"from_id": f.institution_id, "to_id": None, "filed_on": f.filed_on}


def _involving(ids) -> Q:
    return Q() if ids is None else Q(from_institution_id__in=ids) | Q(to_institution_id__in=ids)


def _measure_q(measure: str, period: ind.Period, today: dt.date) -> Q:
    start, end = _bounds(period)
    if measure == rules.UP_COUNT:
        return Q(direction=rules.UP, received_at__gte=start, received_at__lt=end)
    if measure == rules.DOWN_COUNT:
        return Q(direction=rules.DOWN, received_at__gte=start, received_at__lt=end)
    if measure == rules.ACCEPTED_IN_24H:
        return Q(accepted_at__gte=start, accepted_at__lt=end,
                 accepted_at__lte=F("submitted_at") + dt.timedelta(hours=rules.GREEN_CHANNEL_HOURS))
    if measure == "accepted":
        return Q(accepted_at__gte=start, accepted_at__lt=end)
    if measure == rules.REJECTED_COUNT:
        return Q(status=rules.REJECTED, closed_at__gte=start, closed_at__lt=end)
    if measure == rules.EXPIRED_COUNT:
        return Q(status__in=sorted(rules.OPEN_STATES), valid_until__gte=period.start, valid_until__lte=period.end,
                 valid_until__lt=today)
    if measure == rules.QUESTIONABLE_COUNT:
        return Q(questionable=True, submitted_at__gte=start, submitted_at__lt=end)
    raise ValueError(measure)


class ReferralFigure:
    """Hooks of one referral indicator (rules.indicators.Indicator.hooks): ``numerator`` and ``denominator``
    are measure codes of rules/referral.py ("accepted": accepted in the period)."""

    drill_template = "referrals/drill.html"

    def __init__(self, numerator: str, denominator: str | None = None, unit: str = UNIT_COUNT):
        self.numerator, self.denominator, self.unit = numerator, denominator, unit

    @staticmethod
    def _today() -> dt.date:
        return timezone.localdate()

    def _pairs(self, measure: str, period, shape) -> list[tuple[int, int, int]]:
        """(sender, receiver, count) of the measure in the period: one grouped query per measure and period
        for all the cuts a page reads with the same ``shape`` (kpi makes one per request)."""
        from .models import Referral

        cache = _cache_for(shape)
        key = (measure, period.code, self._today())
        if key not in cache:
            cache[key] = list(Referral.objects.filter(_measure_q(measure, period, self._today()))
                              .values("from_institution_id", "to_institution_id").annotate(n=Count("id"))
                              .values_list("from_institution_id", "to_institution_id", "n").order_by())
        return cache[key]

    def _count(self, measure: str, period, ids, shape) -> int:
        return sum(n for sender, receiver, n in self._pairs(measure, period, shape)
                   if ids is None or sender in ids or receiver in ids)

    def live(self, period, cut, shape) -> ind.Figure:
        ids = shape.institution_ids(cut)
        num = self._count(self.numerator, period, ids, shape)
        den = self._count(self.denominator, period, ids, shape) if self.denominator else None
        return ind.make_figure(num, den, self.unit)

    def _pure_count(self, measure, records, period, ids, today) -> int:
        if measure == "accepted":
            return rules.accepted_count(records, period.start, period.end, ids)
        return rules.count(measure, records, period.start, period.end, today, ids)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"referrals": [record], "today": date} (rules/referral.py's record shape)."""
        ids = shape.institution_ids(cut)
        rows, today = records["referrals"], records.get("today") or self._today()
        num = self._pure_count(self.numerator, rows, period, ids, today)
        den = self._pure_count(self.denominator, rows, period, ids, today) if self.denominator else None
        return ind.make_figure(num, den, self.unit)

    def drilldown(self, user, period, cut, shape):
        from .queries import visible_referrals

        cond = _measure_q(self.numerator, period, self._today())
        if self.denominator:
            cond |= _measure_q(self.denominator, period, self._today())
        return visible_referrals(user).filter(_involving(shape.institution_ids(cut))).filter(cond)

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        records = {"referrals": [record_of(r) for r in queryset], "today": self._today()}
        return self.pure(records, period, cut, shape)

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("转诊编号"), gt("方向"), gt("患者"), gt("转诊机构"), gt("接诊机构"), gt("诊断"), gt("状态"),
                   gt("提交时间"), gt("接收时间"), gt("接诊时间")]
        rows = []
        for r in queryset.select_related("resident", "from_institution", "to_institution"):
            state = rules.effective_state(r.status, r.valid_until, timezone.localdate())
            values = [r.number, r.get_direction_display(), r.resident.name,
                      r.from_institution.short_name or r.from_institution.name,
                      r.to_institution.short_name or r.to_institution.name, r.primary_diagnosis,
                      gt("已过期") if state == rules.EXPIRED else r.get_status_display(),
                      _stamp(r.submitted_at), _stamp(r.accepted_at), _stamp(r.received_at)]
            rows.append(values if export else {"values": values, "url": reverse("referrals:detail", args=[r.pk])})
        return headers, rows


class AcceptanceHoursFigure(ReferralFigure):
    """转诊平均接收时长 (hours): Σ(accepted − submitted) / number accepted, over the referrals accepted in the
    period. Live reads the two timestamps of those referrals only (bounded by a period's acceptances)."""

    def __init__(self):
        super().__init__("accepted", "accepted", UNIT_HOURS)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        hours, n = rules.acceptance_hours(records["referrals"], period.start, period.end,
                                          shape.institution_ids(cut))
        return ind.make_figure(hours, n, UNIT_HOURS)

    def live(self, period, cut, shape) -> ind.Figure:
        from .models import Referral

        ids = shape.institution_ids(cut)
        rows = (Referral.objects.filter(_measure_q("accepted", period, self._today())).filter(_involving(ids))
                .values_list("from_institution_id", "to_institution_id", "submitted_at", "accepted_at"))
        records = [{"from_id": f, "to_id": t, "submitted_at": s, "accepted_at": a, "accepted_on": _local_date(a)}
                   for f, t, s, a in rows]
        return self.pure({"referrals": records}, period, cut, shape)


def _stamp(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


class FilingFigure:
    """转外就医备案: filings of the cut's institutions in the period."""

    drill_template = "referrals/drill_filings.html"

    def live(self, period, cut, shape) -> ind.Figure:
        from .models import OutsideFiling

        ids = shape.institution_ids(cut)
        qs = OutsideFiling.objects.filter(filed_on__gte=period.start, filed_on__lte=period.end)
        if ids is not None:
            qs = qs.filter(institution_id__in=ids)
        return ind.make_figure(qs.count(), None, UNIT_COUNT)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        n = rules.count(rules.FILING_COUNT, records["filings"], period.start, period.end, period.end,
                        shape.institution_ids(cut))
        return ind.make_figure(n, None, UNIT_COUNT)

    def drilldown(self, user, period, cut, shape):
        from .queries import visible_filings

        ids = shape.institution_ids(cut)
        qs = visible_filings(user).filter(filed_on__gte=period.start, filed_on__lte=period.end)
        return qs if ids is None else qs.filter(institution_id__in=ids)

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self.pure({"filings": [filing_record_of(f) for f in queryset]}, period, cut, shape)

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("备案编号"), gt("备案日期"), gt("患者"), gt("转出机构"), gt("转往医院"), gt("诊断"), gt("原因")]
        rows = []
        for f in queryset.select_related("resident", "institution"):
            values = [f.number, f.filed_on, f.resident.name, f.institution.short_name or f.institution.name,
                      f.destination, f.primary_diagnosis, f"{f.get_reason_display()}：{f.reason_detail}"]
            rows.append(values if export else {"values": values, "url": ""})
        return headers, rows


RECEIVED_RULE = _("按接诊（患者到达接诊机构）日期归入统计期，中国时间。转出或接收机构属于统计范围即计入，全县每例只计一次。")

INDICATORS = [
    Indicator(
        code="referrals.up_count", order=410, group=GROUP, source="seed",
        name=_("上转人次"), numerator=_("统计期内接诊的上转转诊单数（乡→县、村→乡/县）"),
        hooks=ReferralFigure(rules.UP_COUNT), unit=UNIT_COUNT, direction="neutral", levels=LEVELS,
        period_rule=RECEIVED_RULE, fixture="referrals",
    ),
    Indicator(
        code="referrals.down_count", order=420, group=GROUP, source="seed",
        name=_("下转人次"), numerator=_("统计期内接诊的下转转诊单数（县→乡/村，康复期或慢病稳定期）"),
        hooks=ReferralFigure(rules.DOWN_COUNT), unit=UNIT_COUNT, direction="up", levels=LEVELS,
        period_rule=RECEIVED_RULE, fixture="referrals",
    ),
    Indicator(
        code="referrals.down_up_ratio", order=430, group=GROUP, source="seed",
        name=_("下转与上转人次比"), numerator=_("下转人次"), denominator=_("上转人次"),
        hooks=ReferralFigure(rules.DOWN_COUNT, rules.UP_COUNT, UNIT_PERCENT), unit=UNIT_PERCENT, direction="up",
        levels=LEVELS, period_rule=RECEIVED_RULE, fixture="referrals",
    ),
    Indicator(
        code="referrals.accepted_in_24h", order=440, group=GROUP, source="seed",
        name=_("转诊24小时内接收率"), numerator=_("提交后24小时内被接收的转诊单数"),
        denominator=_("统计期内被接收的转诊单数"),
        hooks=ReferralFigure(rules.ACCEPTED_IN_24H, "accepted", UNIT_PERCENT), unit=UNIT_PERCENT, direction="up",
        levels=LEVELS, period_rule=_("按接收日期（中国时间）归入统计期；提交到接收的时长不超过24小时计入分子（000：24小时绿色通道）。"),
        fixture="referrals",
    ),
    Indicator(
        code="referrals.mean_acceptance_hours", order=445, group=GROUP, source="seed",
        name=_("转诊平均接收时长"), numerator=_("被接收转诊单从提交到接收的小时数之和"),
        denominator=_("统计期内被接收的转诊单数"), hooks=AcceptanceHoursFigure(), unit=UNIT_HOURS, direction="down",
        levels=LEVELS, period_rule=_("按接收日期（中国时间）归入统计期；转出或接收机构属于统计范围即计入。"),
        fixture="referrals",
    ),
    Indicator(
        code="referrals.rejected_count", order=450, group=GROUP, source="seed",
        name=_("被拒绝的转诊"), numerator=_("统计期内被接诊机构拒绝的转诊单数"),
        hooks=ReferralFigure(rules.REJECTED_COUNT), unit=UNIT_COUNT, direction="down", levels=LEVELS,
        period_rule=_("按拒绝日期（中国时间）归入统计期。"), fixture="referrals",
    ),
    Indicator(
        code="referrals.expired_count", order=460, group=GROUP, source="seed",
        name=_("过期未使用的转诊"), numerator=_("有效期在统计期内结束、到期仍未接诊的转诊单数"),
        hooks=ReferralFigure(rules.EXPIRED_COUNT), unit=UNIT_COUNT, direction="down", levels=LEVELS,
        period_rule=_("按有效期截止日归入统计期；过期按查询当日推算，不单独存储。"), fixture="referrals",
    ),
    Indicator(
        code="referrals.questionable_count", order=470, group=GROUP, source="seed",
        name=_("疑似不合理上转"), numerator=_("诊断属于转出机构本级首诊病种目录的上转单数"),
        hooks=ReferralFigure(rules.QUESTIONABLE_COUNT), unit=UNIT_COUNT, direction="down", levels=LEVELS,
        period_rule=_("按提交日期（中国时间）归入统计期。"), fixture="referrals",
    ),
    Indicator(
        code="referrals.outside_filings", order=480, group=GROUP, source="seed",
        name=_("转外就医备案"), numerator=_("统计期内登记的转往医共体外（县外）医院的备案数"),
        hooks=FilingFigure(), unit=UNIT_COUNT, direction="down", levels=LEVELS,
        period_rule=_("按备案日期归入统计期；按办理备案的机构统计。"), fixture="referrals",
    ),
]
