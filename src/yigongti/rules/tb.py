"""Tuberculosis (肺结核患者健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Tuberculosis, cited as "spec §TB <part>".
Times are timezone-aware datetimes (a naive one is refused: RuleError "naive_datetime"); the 72 hours run
on the absolute clock, so the result is the same whatever zone the inputs are written in.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass

from yigongti.rules.chronic import REFERRAL_NONE, Decision, RuleError, add_days, add_months

PROGRAMME = "tb"

FIRST_VISIT_HOURS = 72          # spec §TB: first home visit within 72 hours of notification [C]
MAX_FAILED_ATTEMPTS = 2         # spec §TB: two failed attempts → report back [C]
SUSPECT_DAYS = 14               # spec §TB: cough or sputum ≥2 weeks [C]
STAFF_INTERVAL_MONTHS = 1       # spec §TB follow-up: staff-supervised ≥1 a month [U]
FAMILY_INTENSIVE_DAYS = 10      # spec §TB follow-up: family-supervised every 10 days, intensive phase [U]
FAMILY_CONTINUATION_MONTHS = 1  # spec §TB follow-up: family-supervised monthly, continuation phase [U]

# the visit "classification" of a TB follow-up is the treatment phase on the visit's day
CLASSIFICATIONS = ("not_started", "intensive", "continuation", "finished")
# first-visit status codes
DUE, DONE, OVERDUE, REPORT_BACK = "due", "done", "overdue", "report_back"
# phases
NOT_STARTED, INTENSIVE, CONTINUATION, FINISHED = "not_started", "intensive", "continuation", "finished"
# supervision (督导) kinds
STAFF, FAMILY = "staff", "family"
SUPERVISION = (STAFF, FAMILY)


def _aware(moment: dt.datetime) -> dt.datetime:
    if not isinstance(moment, dt.datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise RuleError("naive_datetime")
    return moment


def first_visit_deadline(notified_at: dt.datetime) -> dt.datetime:
    """The notification's arrival + 72 hours (spec §TB [C]); aware in, aware out (same zone as given)."""
    return _aware(notified_at) + dt.timedelta(hours=FIRST_VISIT_HOURS)


def first_visit_status(notified_at: dt.datetime, attempts: Iterable[tuple[dt.datetime, bool]],
                       now: dt.datetime) -> str:
    """"done" once an attempt succeeded (whenever); else "report_back" after two failed attempts
    (spec §TB [C]); else "overdue" when ``now`` is past the deadline (the 72nd hour itself is still "due");
    else "due". Attempts after ``now`` have not happened yet and are ignored."""
    deadline = first_visit_deadline(notified_at)
    _aware(now)
    happened = [(_aware(at), ok) for at, ok in attempts if _aware(at) <= now]
    if any(ok for _, ok in happened):
        return DONE
    if sum(1 for _, ok in happened if not ok) >= MAX_FAILED_ATTEMPTS:
        return REPORT_BACK
    return OVERDUE if now > deadline else DUE


def first_visit_on_time(notified_at: dt.datetime, visited_at: dt.datetime) -> bool:
    """Whether a first visit at ``visited_at`` was within 72 hours (inclusive) of the notification."""
    return _aware(visited_at) <= first_visit_deadline(notified_at)


# --- regimens ("2HRZE/4HR": intensive 2 months, continuation 4 months, spec §TB [C]) ----------------

@dataclass(frozen=True)
class Phase:
    months: int
    drugs: tuple[str, ...]        # e.g. ("H", "R", "Z", "E"); an intermittent dose keeps its suffix: "H3"


@dataclass(frozen=True)
class Regimen:
    """A parsed regimen. The last phase is the continuation phase, every phase before it intensive
    (2HRZE/4HR: 2 + 4; retreatment 2HRZES/1HRZE/5HRE: intensive 3, continuation 5). A one-phase regimen
    is all intensive."""

    text: str
    phases: tuple[Phase, ...]

    @property
    def intensive_months(self) -> int:
        if len(self.phases) == 1:
            return self.phases[0].months
        return sum(p.months for p in self.phases[:-1])

    @property
    def continuation_months(self) -> int:
        return 0 if len(self.phases) == 1 else self.phases[-1].months

    @property
    def total_months(self) -> int:
        return sum(p.months for p in self.phases)


_PHASE_RE = re.compile(r"^(?P<months>[1-9]\d?)(?P<drugs>(?:[A-Z][a-z]{0,3}\d?)+)$")
_DRUG_RE = re.compile(r"[A-Z][a-z]{0,3}\d?")
_SLASHES = str.maketrans({"／": "/", "\\": "/"})


def parse_regimen(text: str) -> Regimen:
    """Parse "<n><drugs>/<m><drugs>[/…]" — e.g. "2HRZE/4HR", "2H3R3Z3E3/4H3R3", "2HRZES/1HRZE/5HRE",
    "6Lfx…" — into phases of whole months. Blanks and a full-width slash are accepted; anything else
    raises RuleError "regimen_unparseable"."""
    if not isinstance(text, str):
        raise RuleError("regimen_unparseable")
    compact = re.sub(r"\s+", "", text.translate(_SLASHES))
    parts = compact.split("/") if compact else []
    if not parts or len(parts) > 4:
        raise RuleError("regimen_unparseable")
    phases = []
    for part in parts:
        match = _PHASE_RE.match(part)
        if not match:
            raise RuleError("regimen_unparseable")
        phases.append(Phase(int(match["months"]), tuple(_DRUG_RE.findall(match["drugs"]))))
    return Regimen(compact, tuple(phases))


def _regimen(regimen: str | Regimen) -> Regimen:
    return regimen if isinstance(regimen, Regimen) else parse_regimen(regimen)


def phase_end_dates(treatment_start: dt.date, regimen: str | Regimen) -> tuple[dt.date, dt.date]:
    """(first day of the continuation phase, first day after treatment) — calendar months from the start."""
    parsed = _regimen(regimen)
    return (add_months(treatment_start, parsed.intensive_months),
            add_months(treatment_start, parsed.total_months))


def phase_on(treatment_start: dt.date, regimen: str | Regimen, on: dt.date) -> str:
    """"intensive" from the start for the intensive months, then "continuation", then "finished" (from
    start + total months); "not_started" before the start."""
    if on < treatment_start:
        return NOT_STARTED
    continuation_from, finished_from = phase_end_dates(treatment_start, regimen)
    if on >= finished_from:
        return FINISHED
    return INTENSIVE if on < continuation_from else CONTINUATION


def next_due(last_visit: dt.date, treatment_start: dt.date, regimen: str | Regimen, supervision: str, *,
             staff_interval_months: int = STAFF_INTERVAL_MONTHS,
             family_intensive_days: int = FAMILY_INTENSIVE_DAYS,
             family_continuation_months: int = FAMILY_CONTINUATION_MONTHS) -> dt.date | None:
    """The next follow-up after ``last_visit`` (spec §TB follow-up [U]): staff-supervised one month later;
    family-supervised 10 days later in the intensive phase, one month later in the continuation phase (the
    phase on the day of the last visit). Never later than the end of treatment (the last follow-up is on
    the day treatment ends); None once treatment has finished."""
    if supervision not in SUPERVISION:
        raise RuleError("unknown_supervision")
    phase = phase_on(treatment_start, regimen, last_visit)
    if phase == FINISHED:
        return None
    if supervision == STAFF:
        due = add_months(last_visit, staff_interval_months)
    elif phase in (INTENSIVE, NOT_STARTED):
        due = add_days(last_visit, family_intensive_days)
    else:
        due = add_months(last_visit, family_continuation_months)
    return min(due, phase_end_dates(treatment_start, regimen)[1])


def is_suspected(cough_days: int | None, sputum_days: int | None, blood_in_sputum: bool) -> bool:
    """Suspected TB: cough or sputum for ≥2 weeks, or blood in sputum (spec §TB [C])."""
    return ((cough_days or 0) >= SUSPECT_DAYS or (sputum_days or 0) >= SUSPECT_DAYS
            or bool(blood_in_sputum))


@dataclass(frozen=True)
class TbVisit:
    """One TB follow-up: the day, the treatment's start, the notified regimen and who supervises."""

    visit_date: dt.date
    treatment_start: dt.date
    regimen: str
    supervision: str


def classify(visit: TbVisit, previous_classification: str | None = None, *,
             staff_interval_months: int = STAFF_INTERVAL_MONTHS,
             family_intensive_days: int = FAMILY_INTENSIVE_DAYS,
             family_continuation_months: int = FAMILY_CONTINUATION_MONTHS) -> Decision:
    """The programmes' common shape for TB: classification = the phase on the visit day, next_due from
    ``next_due`` (None once treatment has finished), no referral rule (the digest gives none), reasons =
    (phase, supervision). ``previous_classification`` is accepted for the common signature and unused."""
    phase = phase_on(visit.treatment_start, visit.regimen, visit.visit_date)
    due = next_due(visit.visit_date, visit.treatment_start, visit.regimen, visit.supervision,
                   staff_interval_months=staff_interval_months, family_intensive_days=family_intensive_days,
                   family_continuation_months=family_continuation_months)
    return Decision(phase, due, REFERRAL_NONE, (phase, f"supervision_{visit.supervision}"))
