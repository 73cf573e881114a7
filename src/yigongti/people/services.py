"""Services delivered to residents, counted at query time (design: "Derive at query time wherever
possible: … contract fulfilment counts").

Every app that records a service a family-doctor contract or an indicator may count (a health exam, a
face-to-face follow-up, a fasting-glucose test, a home visit, a child check, …) declares its service
kinds and one *source*: a function that counts, for a set of residents and a date range, how many of
each kind were delivered. Readers (family-doctor fulfilment, work points) call ``delivered()`` and never
import the recording app's models. The registry sits in ``people`` (layer 3) so that every service app
(layer 4) can register here and read from here without importing one another.

A source is ``fn(resident_ids, start, end) -> iterable of (resident_id, kind_code, count)``;
``resident_ids`` is a list or a QuerySet of ids, ``start``/``end`` are inclusive dates. Sources run
one grouped query each, so the cost of ``delivered()`` grows with the number of sources, not residents.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

Source = Callable[[object, dt.date, dt.date], Iterable[tuple[int, str, int]]]


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
        for resident_id, code, count in fn(resident_ids, start, end):
            result[resident_id][code] += count
    return dict(result)


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
             .values("resident_id").annotate(n=Count("id")).values_list("resident_id", "n"))
    for resident_id, n in exams:
        yield resident_id, HEALTH_EXAM, n
    visits = (Encounter.objects.filter(resident_id__in=resident_ids, visit_date__range=(start, end),
                                       kind="outpatient")
              .values("resident_id").annotate(n=Count("id")).values_list("resident_id", "n"))
    for resident_id, n in visits:
        yield resident_id, ENCOUNTER_OUTPATIENT, n
