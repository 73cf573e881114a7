"""Screening of every blood pressure and fasting glucose that reaches the platform (the app calls
``screen`` from its VitalsRecorded handler with the resident's readings). Pure: no Django; returns codes.

Source: ../shared/domain/public-health-spec.md §Hypertension "Screening" and "High-risk people" [C],
§Type-2 diabetes "High-risk people: fasting glucose ≥1/year" [C]; cited as "spec §HT/§DM <part>".

How a resident's readings are read (our reading where the text is silent, marked [U]):
- Readings on the same day count once: the day's value is the mean of that day's readings, SBP and DBP
  separately [U] ("non-same-day", spec §HT screening [C]).
- Only days within ``lookback_days`` (365 [U]) up to the latest reading are considered.
- ≥3 raised days → "refer_to_confirm" (spec §HT: "high on 3 readings on different days → preliminary
  diagnosis, refer for confirmation" [C]); the raised days need not be consecutive.
- otherwise, the latest day raised → "recheck" (spec §HT: "first finding … → book a re-check" [C]).
- otherwise, hypertension: the latest day high-normal (130–139 and/or 85–89) or any other high-risk factor
  → "high_risk_6_monthly" (spec §HT high-risk people [C]); diabetes: fasting 6.1–<7.0 (impaired fasting
  glucose, [U]: not in the digest) or caller-named risk factors → "high_risk_yearly_glucose"
  (spec §DM high-risk people [C]).
- otherwise "none". Residents under ``min_age`` (35, spec §HT/§DM population [C]) or already enrolled in
  that programme → "none".
The digest gives the three-day rule for blood pressure only; glucose uses the same count unless
``glucose_confirm_days`` says otherwise [U].
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from yigongti.rules import diabetes, hypertension
from yigongti.rules.chronic import RuleError, add_days, add_months

HYPERTENSION = hypertension.PROGRAMME   # "hypertension"
DIABETES = diabetes.PROGRAMME           # "diabetes"
CONDITIONS = (HYPERTENSION, DIABETES)

NONE = "none"
RECHECK = "recheck"
REFER_TO_CONFIRM = "refer_to_confirm"
HIGH_RISK_6_MONTHLY = "high_risk_6_monthly"
HIGH_RISK_YEARLY_GLUCOSE = "high_risk_yearly_glucose"
ACTIONS = (NONE, RECHECK, REFER_TO_CONFIRM, HIGH_RISK_6_MONTHLY, HIGH_RISK_YEARLY_GLUCOSE)

MIN_AGE = 35               # spec §HT/§DM population, screening: residents ≥35 [C]
CONFIRM_DAYS = 3           # spec §HT screening: high on 3 readings on different days [C]
LOOKBACK_DAYS = 365        # [U]
RECHECK_DAYS = 7           # "book a re-check" on another day; no interval given [U]
CONFIRM_FOLLOWUP_DAYS = 14  # spec §HT screening: "follow up the result within 2 weeks" [C]
HIGH_RISK_BP_MONTHS = 6    # spec §HT high-risk people: BP at least every 6 months [C]
HIGH_RISK_GLUCOSE_MONTHS = 12  # spec §DM high-risk people: fasting glucose ≥1/year [C]
IMPAIRED_FASTING_GLUCOSE = Decimal("6.1")   # 6.1–<7.0 空腹血糖受损 (Chinese T2DM guideline) [U]

R_UNDER_AGE = "under_min_age"
R_ENROLLED = "enrolled"
R_NO_READING = "no_reading"
R_FIRST_RAISED = "raised_latest_day"
R_RAISED_DAYS = "raised_on_{}_days"         # e.g. raised_on_3_days
R_IFG = "impaired_fasting_glucose"


@dataclass(frozen=True)
class Reading:
    """One measurement. Any of the values may be missing (a BP-only or glucose-only reading)."""

    measured_on: dt.date
    sbp: int | None = None
    dbp: int | None = None
    fasting_glucose: Decimal | float | None = None


@dataclass(frozen=True)
class ConditionScreen:
    """The outcome for one condition: the action, the distinct raised days (oldest first), the latest day
    with a value for this condition, and reason codes."""

    condition: str
    action: str
    raised_days: tuple[dt.date, ...] = ()
    latest_on: dt.date | None = None
    reasons: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScreeningResult:
    hypertension: ConditionScreen
    diabetes: ConditionScreen

    def action(self, condition: str) -> str:
        return self.for_condition(condition).action

    def for_condition(self, condition: str) -> ConditionScreen:
        if condition == HYPERTENSION:
            return self.hypertension
        if condition == DIABETES:
            return self.diabetes
        raise RuleError("unknown_condition")

    @property
    def actions(self) -> dict[str, str]:
        return {HYPERTENSION: self.hypertension.action, DIABETES: self.diabetes.action}


def _mean(values: list) -> Decimal:
    return sum((Decimal(str(v)) for v in values), Decimal(0)) / len(values)


def _bp_days(readings: Iterable[Reading]) -> dict[dt.date, tuple[Decimal | None, Decimal | None]]:
    by_day: dict[dt.date, tuple[list, list]] = {}
    for r in readings:
        if r.sbp is None and r.dbp is None:
            continue
        sbps, dbps = by_day.setdefault(r.measured_on, ([], []))
        if r.sbp is not None:
            sbps.append(r.sbp)
        if r.dbp is not None:
            dbps.append(r.dbp)
    return {day: (_mean(s) if s else None, _mean(d) if d else None) for day, (s, d) in by_day.items()}


def _glucose_days(readings: Iterable[Reading]) -> dict[dt.date, Decimal]:
    by_day: dict[dt.date, list] = {}
    for r in readings:
        if r.fasting_glucose is not None:
            by_day.setdefault(r.measured_on, []).append(diabetes.to_decimal(r.fasting_glucose))
    return {day: _mean(values) for day, values in by_day.items()}


def _window(days: Iterable[dt.date], lookback_days: int) -> list[dt.date]:
    ordered = sorted(days)
    if not ordered:
        return []
    start = ordered[-1] - dt.timedelta(days=lookback_days - 1)
    return [d for d in ordered if d >= start]


def _bp_raised(sbp: Decimal | None, dbp: Decimal | None) -> bool:
    # spec §HT screening: SBP ≥140 and/or DBP ≥90 [C] (on the day's mean)
    return (sbp is not None and sbp >= hypertension.SBP_RAISED) or (dbp is not None and dbp >= hypertension.DBP_RAISED)


def _bp_high_normal(sbp: Decimal | None, dbp: Decimal | None) -> bool:
    # spec §HT high-risk people: 130–139 and/or 85–89, not raised [C]
    if _bp_raised(sbp, dbp):
        return False
    return ((sbp is not None and sbp >= hypertension.SBP_HIGH_NORMAL)
            or (dbp is not None and dbp >= hypertension.DBP_HIGH_NORMAL))


def _screen_bp(readings: list[Reading], risk_factors: tuple[str, ...], confirm_days: int,
               lookback_days: int) -> ConditionScreen:
    days = _bp_days(readings)
    window = _window(days, lookback_days)
    if not window:
        if risk_factors:
            return ConditionScreen(HYPERTENSION, HIGH_RISK_6_MONTHLY, reasons=risk_factors)
        return ConditionScreen(HYPERTENSION, NONE, reasons=(R_NO_READING,))
    raised = tuple(d for d in window if _bp_raised(*days[d]))
    latest = window[-1]
    if len(raised) >= confirm_days:
        return ConditionScreen(HYPERTENSION, REFER_TO_CONFIRM, raised, latest,
                               (R_RAISED_DAYS.format(len(raised)),))
    if raised and raised[-1] == latest:
        return ConditionScreen(HYPERTENSION, RECHECK, raised, latest,
                               (R_FIRST_RAISED, R_RAISED_DAYS.format(len(raised))))
    reasons = ((hypertension.R_HIGH_NORMAL,) if _bp_high_normal(*days[latest]) else ()) + tuple(
        r for r in risk_factors if r != hypertension.R_HIGH_NORMAL)
    if reasons:
        return ConditionScreen(HYPERTENSION, HIGH_RISK_6_MONTHLY, raised, latest, reasons)
    return ConditionScreen(HYPERTENSION, NONE, raised, latest)


def _screen_glucose(readings: list[Reading], risk_factors: tuple[str, ...], confirm_days: int,
                    lookback_days: int) -> ConditionScreen:
    days = _glucose_days(readings)
    window = _window(days, lookback_days)
    if not window:
        if risk_factors:
            return ConditionScreen(DIABETES, HIGH_RISK_YEARLY_GLUCOSE, reasons=risk_factors)
        return ConditionScreen(DIABETES, NONE, reasons=(R_NO_READING,))
    raised = tuple(d for d in window if days[d] >= diabetes.GLUCOSE_TARGET)   # ≥7.0, spec §DM [C]
    latest = window[-1]
    if len(raised) >= confirm_days:
        return ConditionScreen(DIABETES, REFER_TO_CONFIRM, raised, latest, (R_RAISED_DAYS.format(len(raised)),))
    if raised and raised[-1] == latest:
        return ConditionScreen(DIABETES, RECHECK, raised, latest,
                               (R_FIRST_RAISED, R_RAISED_DAYS.format(len(raised))))
    reasons = ((R_IFG,) if days[latest] >= IMPAIRED_FASTING_GLUCOSE else ()) + tuple(
        r for r in risk_factors if r != R_IFG)
    if reasons:
        return ConditionScreen(DIABETES, HIGH_RISK_YEARLY_GLUCOSE, raised, latest, reasons)
    return ConditionScreen(DIABETES, NONE, raised, latest)


def screen(readings: Iterable[Reading], *, age: int, enrolled: frozenset[str] | set[str] = frozenset(),
           min_age: int = MIN_AGE, hypertension_risk_factors: Iterable[str] = (),
           diabetes_risk_factors: Iterable[str] = (), confirm_days: int = CONFIRM_DAYS,
           glucose_confirm_days: int | None = None, lookback_days: int = LOOKBACK_DAYS) -> ScreeningResult:
    """Screen a resident's readings (all of them, or at least the last ``lookback_days``).

    ``enrolled``: the programmes the resident is in ("hypertension", "diabetes").
    ``hypertension_risk_factors``: codes from ``hypertension.high_risk_reasons`` (BMI, waist, family
    history, salt, liquor, age ≥55); the BP high-normal factor is computed here from the readings.
    ``diabetes_risk_factors``: codes the app supplies (the digest names none) [U].
    """
    readings = list(readings)
    ht_factors = tuple(dict.fromkeys(hypertension_risk_factors))
    dm_factors = tuple(dict.fromkeys(diabetes_risk_factors))
    if age < min_age:                                      # spec §HT/§DM population ≥35 [C]
        none = (R_UNDER_AGE,)
        return ScreeningResult(ConditionScreen(HYPERTENSION, NONE, reasons=none),
                               ConditionScreen(DIABETES, NONE, reasons=none))
    if HYPERTENSION in enrolled:
        ht = ConditionScreen(HYPERTENSION, NONE, reasons=(R_ENROLLED,))
    else:
        ht = _screen_bp(readings, ht_factors, confirm_days, lookback_days)
    if DIABETES in enrolled:
        dm = ConditionScreen(DIABETES, NONE, reasons=(R_ENROLLED,))
    else:
        dm = _screen_glucose(readings, dm_factors, glucose_confirm_days or confirm_days, lookback_days)
    return ScreeningResult(ht, dm)


def bp_screening_due(last_measured_on: dt.date | None, *, age: int, min_age: int = MIN_AGE,
                     high_risk: bool = False) -> dt.date | None:
    """When the next screening BP is due for a resident not in the hypertension programme: a year after
    the last one (spec §HT screening: "every resident ≥35 has BP measured once a year" [C]), six months
    for a high-risk person [C]; None under ``min_age``; with no BP on record it is due now, returned as
    date.min (sorts first)."""
    if age < min_age:
        return None
    if last_measured_on is None:
        return dt.date.min
    return add_months(last_measured_on, HIGH_RISK_BP_MONTHS if high_risk else 12)


def due_recheck_after(result: ConditionScreen, *, recheck_days: int = RECHECK_DAYS,
                      confirm_followup_days: int = CONFIRM_FOLLOWUP_DAYS,
                      high_risk_bp_months: int = HIGH_RISK_BP_MONTHS,
                      high_risk_glucose_months: int = HIGH_RISK_GLUCOSE_MONTHS) -> dt.date | None:
    """When the next step is due, counted from the latest reading: recheck → +7 days [U]; refer_to_confirm
    → +14 days, to follow up the confirmation's result (spec §HT screening [C]); high_risk_6_monthly → +6
    months [C]; high_risk_yearly_glucose → +12 months [C]; none (or no reading) → None."""
    if result.action == NONE or result.latest_on is None:
        return None
    if result.action == RECHECK:
        return add_days(result.latest_on, recheck_days)
    if result.action == REFER_TO_CONFIRM:
        return add_days(result.latest_on, confirm_followup_days)
    if result.action == HIGH_RISK_6_MONTHLY:
        return add_months(result.latest_on, high_risk_bp_months)
    return add_months(result.latest_on, high_risk_glucose_months)
