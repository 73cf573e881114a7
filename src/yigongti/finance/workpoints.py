"""Work-point sources: what the platform recorded, per staff member of an institution in a month.

A source is ``fn(institution_id, start, end) -> iterable of (user_id, kind, count)`` with ``kind`` one of
``rules.workpoints.KINDS``; a quality source ``fn(institution_id, start, end) -> {user_id: {rate name: 0…1}}``.
The built-in sources read chronic follow-ups (face to face: clinic → follow-up, home → home visit), family-
doctor contracts signed, health exams and referrals handled (sent or accepted). Apps built later
(diagnostics: readings reported; experts: outreach activities) register their own from ``AppConfig.ready()``:

    from yigongti.finance.workpoints import register_source
    register_source("diagnostics", lambda inst, start, end: [(user_id, "reading", n), ...])

Each source runs one grouped query; an app that is not installed contributes nothing.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.apps import apps
from django.db.models import Count, Q

from yigongti.rules import workpoints as wp

from . import conf

Source = Callable[[int, dt.date, dt.date], Iterable[tuple[int, str, int]]]
QualitySource = Callable[[int, dt.date, dt.date], dict[int, dict[str, Decimal]]]

_sources: dict[str, Source] = {}
_quality: dict[str, QualitySource] = {}


def register_source(name: str, fn: Source) -> None:
    _sources[name] = fn


def register_quality_source(name: str, fn: QualitySource) -> None:
    _quality[name] = fn


def sources() -> dict[str, Source]:
    return dict(_sources)


def month_range(month: dt.date) -> tuple[dt.date, dt.date]:
    start = month.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def point_values() -> dict[str, Decimal]:
    from .models import PointValue

    values = {k: Decimal(str(v)) for k, v in conf.get("POINT_VALUES").items()}
    values.update({pv.kind: pv.value for pv in PointValue.objects.all()})
    return values


def counts(institution_id: int, start: dt.date, end: dt.date) -> dict[int, dict[str, int]]:
    result: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for fn in _sources.values():
        for user_id, kind, n in fn(institution_id, start, end):
            if user_id is not None and n:
                result[user_id][kind] += n
    return {u: dict(c) for u, c in result.items()}


def rates(institution_id: int, start: dt.date, end: dt.date) -> dict[int, dict[str, Decimal]]:
    result: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for fn in _quality.values():
        for user_id, values in fn(institution_id, start, end).items():
            result[user_id].update(values)
    return dict(result)


def compute(institution_id: int, month: dt.date) -> dict[int, dict]:
    """{user_id: {"counts", "rates", "base", "factor", "total"}} for the month."""
    start, end = month_range(month)
    values = point_values()
    all_rates = rates(institution_id, start, end)
    out = {}
    for user_id, c in counts(institution_id, start, end).items():
        user_rates = all_rates.get(user_id, {})
        factor = wp.quality_factor(user_rates)
        m = wp.month_points(c, values, factor)
        out[user_id] = {"counts": c, "rates": {k: str(v) for k, v in user_rates.items()}, "base": m.base,
                        "factor": m.factor, "total": m.total}
    return out


# --- the built-in sources ---------------------------------------------------------------------------------------

def _model(label: str):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def chronic_source(institution_id, start, end):
    Visit = _model("chronic.Visit")
    if Visit is None:
        return
    rows = (Visit.objects.filter(institution_id=institution_id, visit_date__range=(start, end),
                                 mode__in=("clinic", "home"))
            .values("doctor_id", "mode").annotate(n=Count("id")).values_list("doctor_id", "mode", "n"))
    for user_id, mode, n in rows:
        yield user_id, wp.HOME_VISIT if mode == "home" else wp.FOLLOWUP, n


def chronic_quality(institution_id, start, end) -> dict[int, dict[str, Decimal]]:
    """Control rate: the share of a doctor's face-to-face follow-ups in the month classed as controlled."""
    Visit = _model("chronic.Visit")
    if Visit is None:
        return {}
    rows = (Visit.objects.filter(institution_id=institution_id, visit_date__range=(start, end),
                                 mode__in=("clinic", "home"), controlled__isnull=False)
            .values("doctor_id").annotate(n=Count("id"), ok=Count("id", filter=Q(controlled=True)))
            .values_list("doctor_id", "n", "ok"))
    return {u: {"control_rate": (Decimal(ok) / Decimal(n)).quantize(Decimal("0.0001"))}
            for u, n, ok in rows if u is not None and n}


def contracts_source(institution_id, start, end):
    Contract = _model("familydoctor.Contract")
    if Contract is None:
        return
    rows = (Contract.objects.filter(institution_id=institution_id, start_date__range=(start, end))
            .values("doctor_id").annotate(n=Count("id")).values_list("doctor_id", "n"))
    for user_id, n in rows:
        yield user_id, wp.CONTRACT, n


def exams_source(institution_id, start, end):
    HealthExam = _model("people.HealthExam")
    rows = (HealthExam.objects.filter(institution_id=institution_id, exam_date__range=(start, end))
            .values("doctor_id").annotate(n=Count("id")).values_list("doctor_id", "n"))
    for user_id, n in rows:
        yield user_id, wp.EXAM, n


def referrals_source(institution_id, start, end):
    Referral = _model("referrals.Referral")
    if Referral is None:
        return
    lo = dt.datetime.combine(start, dt.time.min)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min)
    from django.utils import timezone

    lo, hi = timezone.make_aware(lo), timezone.make_aware(hi)
    sent = (Referral.objects.filter(from_institution_id=institution_id, submitted_at__gte=lo, submitted_at__lt=hi)
            .values("referring_doctor_id").annotate(n=Count("id")).values_list("referring_doctor_id", "n"))
    for user_id, n in sent:
        yield user_id, wp.REFERRAL, n
    accepted = (Referral.objects.filter(to_institution_id=institution_id, accepted_at__gte=lo, accepted_at__lt=hi)
                .values("accepted_by_id").annotate(n=Count("id")).values_list("accepted_by_id", "n"))
    for user_id, n in accepted:
        yield user_id, wp.REFERRAL, n


def register_builtin_sources() -> None:
    register_source("chronic", chronic_source)
    register_source("familydoctor", contracts_source)
    register_source("people", exams_source)
    register_source("referrals", referrals_source)
    register_quality_source("chronic", chronic_quality)
