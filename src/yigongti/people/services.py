"""Services delivered to residents, counted at query time (design: "Derive at query time wherever
possible: … contract fulfilment counts").

Every app that records a service a family-doctor contract or an indicator may count (a health exam, a
face-to-face follow-up, a fasting-glucose test, a home visit, a child check, …) declares its service
kinds and one *source*: a function that counts, for a set of residents and a date range, how many of
each kind were delivered. Readers (family-doctor fulfilment, work points) call ``delivered()`` and never
import the recording app's models. The registry sits in ``people`` (layer 3) so that every service app
(layer 4) can register here and read from here without importing one another.

A source is ``fn(resident_ids, start, end) -> iterable of (resident_id, kind_code, day, count)``: how many
services of a kind each resident had on each day; ``resident_ids`` is a list or a QuerySet of ids,
``start``/``end`` are inclusive dates. Sources run one grouped query each, so the cost of ``delivered()`` grows
with the number of sources, not residents. The day lets ``delivered_in_terms()`` count, in one pass over the
sources, many contract terms that each start on their own date (family-doctor fulfilment of a county's
contracts) instead of one pass per distinct start date.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

Source = Callable[[object, dt.date, dt.date], Iterable[tuple[int, str, dt.date, int]]]
# ids per query of delivered_in_terms: well under SQLite's bound-parameter limit, few round trips at 1M residents
TERM_CHUNK = 20_000


@dataclass(frozen=True)
class ServiceKind:
    code: str
    label: str  # gettext_lazy
    app: str


_kinds: dict[str, ServiceKind] = {}
_sources: dict[str, Source] = {}


def register_kind(code: str, label, *, app: str) -> ServiceKind:
    kind = ServiceKind(code, label, app)
    existing = _kinds.get(code)
    if existing is not None and existing.app != app:
        raise ValueError(f"service kind {code!r} already registered by {existing.app}")
    _kinds[code] = kind
    return kind


def register_source(name: str, fn: Source) -> None:
    """Register the counting function of app ``name`` (call from ``AppConfig.ready()``)."""
    _sources[name] = fn


def kinds() -> dict[str, ServiceKind]:
    return dict(_kinds)


def label_of(code: str) -> str:
    kind = _kinds.get(code)
    return str(kind.label) if kind else code


def delivered(resident_ids, start: dt.date, end: dt.date) -> dict[int, Counter]:
    """For each resident, how many services of each kind were delivered between start and end (inclusive)."""
    result: dict[int, Counter] = defaultdict(Counter)
    for fn in _sources.values():
        for resident_id, code, _day, count in fn(resident_ids, start, end):
            result[resident_id][code] += count
    return dict(result)


def delivered_in_terms(terms: Iterable[tuple[object, int, dt.date, dt.date]]) -> dict[object, Counter]:
    """For each term ``(key, resident_id, start, end)`` (inclusive dates), the services of each kind the resident
    had within it: ``{key: Counter}``. One query per source and per chunk of ``TERM_CHUNK`` residents, whatever
    the number of distinct start dates; a resident may have several terms (an ended contract and its renewal)."""
    by_resident: dict[int, list[tuple[object, dt.date, dt.date]]] = defaultdict(list)
    for key, resident_id, start, end in terms:
        if start <= end:
            by_resident[resident_id].append((key, start, end))
    result: dict[object, Counter] = {key: Counter() for spans in by_resident.values() for key, _s, _e in spans}
    ids = sorted(by_resident)
    for i in range(0, len(ids), TERM_CHUNK):
        chunk = ids[i:i + TERM_CHUNK]
        first = min(s for rid in chunk for _k, s, _e in by_resident[rid])
        last = max(e for rid in chunk for _k, _s, e in by_resident[rid])
        for fn in _sources.values():
            for resident_id, code, day, count in fn(chunk, first, last):
                for key, start, end in by_resident.get(resident_id, ()):
                    if start <= day <= end:
                        result[key][code] += count
    return result


# --- the resident record's own services ---------------------------------------------------------

HEALTH_EXAM = "health_exam"
ENCOUNTER_OUTPATIENT = "encounter_outpatient"


def register_people_services() -> None:
    register_kind(HEALTH_EXAM, _("健康体检"), app="people")
    register_kind(ENCOUNTER_OUTPATIENT, _("门诊就诊"), app="people")
    register_source("people", _people_source)


def _people_source(resident_ids, start: dt.date, end: dt.date):
    from .models import Encounter, HealthExam

    exams = (HealthExam.objects.filter(resident_id__in=resident_ids, exam_date__range=(start, end))
             .values("resident_id", "exam_date").annotate(n=Count("id")).values_list("resident_id", "exam_date", "n")
             .order_by())
    for resident_id, day, n in exams:
        yield resident_id, HEALTH_EXAM, day, n
    visits = (Encounter.objects.filter(resident_id__in=resident_ids, visit_date__range=(start, end),
                                       kind="outpatient")
              .values("resident_id", "visit_date").annotate(n=Count("id"))
              .values_list("resident_id", "visit_date", "n").order_by())
    for resident_id, day, n in visits:
        yield resident_id, ENCOUNTER_OUTPATIENT, day, n
