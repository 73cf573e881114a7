"""Shared diagnostic centres (基层检查、上级诊断、结果互认) rules, pure: no Django. They return codes, never text.

Sources: ../shared/domain/function-guide.md (一)1 imaging centre [C] — request management, report revision,
publish, critical-value (危急值) management, report printing, duty rota, report templates; (一)2 ECG centre and
(一)3 laboratory centre [S] (order → barcode → collection → receipt → test → verify and publish [U]); (三)1
mutual recognition of results (which items, rules, reasons for not recognising, statistics [U]).
The numbers below (turnaround targets, escalation minutes, recognition windows) are not in the domain notes:
they are defaults marked [U], each overridable in settings (diagnostics/conf.py) or the test catalog.
"""
from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal

# --- modalities, priorities ---------------------------------------------------------------------------

ECG = "ecg"
DR = "dr"
US = "us"
CT = "ct"
LAB = "lab"
MODALITIES = (ECG, DR, US, CT, LAB)
# Which modalities carry DICOM images (ECG arrives as PDF or image, the common case in townships; lab has none).
DICOM_MODALITIES = frozenset({DR, US, CT})

STAT = "stat"        # 急诊
URGENT = "urgent"    # 加急
ROUTINE = "routine"  # 常规
PRIORITIES = (STAT, URGENT, ROUTINE)
PRIORITY_RANK = {STAT: 0, URGENT: 1, ROUTINE: 2}

# Turnaround targets from request to published report, minutes, by priority [U] (overridable in settings).
TURNAROUND_TARGET_MINUTES = {STAT: 30, URGENT: 120, ROUTINE: 24 * 60}
DUE_SOON_SHARE = Decimal("0.8")  # the timer turns amber at 80 % of the target [U]

# --- request workflow (function guide (一)1: request → read → report → revise → publish) --------------

REQUESTED = "requested"
CLAIMED = "claimed"
REPORTED = "reported"     # signed by the reader, not yet published
PUBLISHED = "published"
CANCELLED = "cancelled"
STATES = (REQUESTED, CLAIMED, REPORTED, PUBLISHED, CANCELLED)

CLAIM = "claim"
RELEASE = "release"
SIGN = "sign"
PUBLISH = "publish"
REVISE = "revise"
CANCEL = "cancel"

TRANSITIONS = {
    (REQUESTED, CLAIM): CLAIMED,
    (CLAIMED, RELEASE): REQUESTED,
    (CLAIMED, SIGN): REPORTED,
    (REPORTED, PUBLISH): PUBLISHED,
    (PUBLISHED, REVISE): PUBLISHED,   # a revision keeps the earlier one in the history
    (REQUESTED, CANCEL): CANCELLED,
}

ILLEGAL = "illegal_transition"


class TransitionError(ValueError):
    def __init__(self, code: str, state: str, action: str):
        super().__init__(code)
        self.code, self.state, self.action = code, state, action


def next_state(state: str, action: str) -> str:
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise TransitionError(ILLEGAL, state, action) from None


# --- laboratory specimens (function guide (一)3: barcode → collection → receipt → test → verify) -------

COLLECTED = "collected"
RECEIVED = "received"
TESTED = "tested"
VERIFIED = "verified"
SPECIMEN_STATES = (COLLECTED, RECEIVED, TESTED, VERIFIED)


def next_specimen_state(state: str) -> str | None:
    """The one state a specimen may move to next, or None once verified."""
    i = SPECIMEN_STATES.index(state)
    return SPECIMEN_STATES[i + 1] if i + 1 < len(SPECIMEN_STATES) else None


def specimen_barcode(centre_code: str, year: int, serial: int) -> str:
    """The label's barcode: centre code, year, 6-digit serial and a mod-10 check digit (Luhn), so a
    mistyped or misread label is refused at receipt."""
    body = f"{centre_code}{year:04d}{serial:06d}"
    return body + str(luhn_digit(body))


def luhn_digit(body: str) -> int:
    digits = [int(c) if c.isdigit() else ord(c.upper()) - 55 for c in body]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 0:
            d *= 2
        total += d // 10 + d % 10
    return (10 - total % 10) % 10


def barcode_is_valid(code: str) -> bool:
    code = (code or "").strip()
    return len(code) > 1 and code[-1].isdigit() and code[:-1].isalnum() and luhn_digit(code[:-1]) == int(code[-1])


# --- reference ranges and abnormal flags ---------------------------------------------------------------

NORMAL = "N"
LOW = "L"
HIGH = "H"
CRITICAL_LOW = "LL"
CRITICAL_HIGH = "HH"
CRITICAL_FLAGS = frozenset({CRITICAL_LOW, CRITICAL_HIGH})


def flag(value: Decimal | None, *, low: Decimal | None = None, high: Decimal | None = None,
         critical_low: Decimal | None = None, critical_high: Decimal | None = None) -> str:
    """The abnormal flag of a numeric result (HL7 v2 table 0078 codes): at or beyond a critical limit LL/HH,
    outside the reference range L/H (the limits themselves are in range), else N; no value → ""."""
    if value is None:
        return ""
    if critical_low is not None and value <= critical_low:
        return CRITICAL_LOW
    if critical_high is not None and value >= critical_high:
        return CRITICAL_HIGH
    if low is not None and value < low:
        return LOW
    if high is not None and value > high:
        return HIGH
    return NORMAL


def is_critical(code: str) -> bool:
    return code in CRITICAL_FLAGS


# --- critical values: escalation (function guide (一)1 危急值管理) --------------------------------------

DEFAULT_ESCALATION_MINUTES = 15  # unacknowledged after this long → the duty doctor [U] (setting)


def escalation_due_at(marked_at: dt.datetime, minutes: int) -> dt.datetime:
    return marked_at + dt.timedelta(minutes=minutes)


def must_escalate(*, marked_at: dt.datetime, acknowledged_at: dt.datetime | None, escalated_at: dt.datetime | None,
                  now: dt.datetime, minutes: int) -> bool:
    """Escalate once, when the alert is still unacknowledged ``minutes`` after it was raised (the edge itself
    escalates: at exactly ``minutes`` the time is up)."""
    return acknowledged_at is None and escalated_at is None and now >= escalation_due_at(marked_at, minutes)


def minutes_between(start: dt.datetime | None, end: dt.datetime | None) -> int | None:
    if start is None or end is None:
        return None
    return max(0, int((end - start).total_seconds() // 60))


# --- result recognition (结果互认, function guide (三)1) ---------------------------------------------------

# Days a result stays recognised in the consortium, by modality [U]; a test in the catalog may set its own.
DEFAULT_RECOGNITION_DAYS = {ECG: 7, DR: 30, US: 30, CT: 90, LAB: 7}
RECOGNISED = "recognised"
EXPIRED_RESULT = "expired"
FUTURE_RESULT = "future"


def recognition(result_day: dt.date, request_day: dt.date, window_days: int) -> str:
    """Is a result of ``result_day`` recognised for a request on ``request_day``? A window of N days covers
    the day of the result and the N days after it (both edges included); day N+1 is outside. A window of
    0 recognises the same day only; a negative window turns recognition off."""
    if window_days < 0:
        return EXPIRED_RESULT
    age = (request_day - result_day).days
    if age < 0:
        return FUTURE_RESULT
    return RECOGNISED if age <= window_days else EXPIRED_RESULT


# --- worklists and turnaround -------------------------------------------------------------------------

def worklist_key(priority: str, requested_at: dt.datetime) -> tuple:
    """Urgent first, then oldest first."""
    return (PRIORITY_RANK.get(priority, len(PRIORITY_RANK)), requested_at)


def order_worklist(items: Iterable, priority=lambda x: x.priority, requested_at=lambda x: x.requested_at) -> list:
    return sorted(items, key=lambda x: worklist_key(priority(x), requested_at(x)))


ON_TIME = "on_time"
DUE_SOON = "due_soon"
OVERDUE = "overdue"


def timer_state(priority: str, elapsed_minutes: int, targets: dict[str, int] | None = None) -> str:
    target = (targets or TURNAROUND_TARGET_MINUTES)[priority]
    if elapsed_minutes > target:
        return OVERDUE
    if elapsed_minutes >= target * DUE_SOON_SHARE:
        return DUE_SOON
    return ON_TIME


def percentile(values: Sequence[int | float], p: int) -> int | float | None:
    """Nearest-rank percentile (p in 1..100): the smallest value with at least p % of the values at or
    below it. p50 of 1..10 is 5, p90 is 9. No values → None."""
    if not values:
        return None
    if not 0 < p <= 100:
        raise ValueError(p)
    ordered = sorted(values)
    rank = math.ceil(p / 100 * len(ordered))
    return ordered[max(rank, 1) - 1]


# --- figures (the indicator catalog) ------------------------------------------------------------------
# Records (dicts made by diagnostics/indicators.py, dates already in China time):
#   reading:     {"centre_id", "from_id", "modality", "priority", "requested_at", "published_at", "day"}
#   critical:    {"centre_id", "from_id", "marked_at", "acknowledged_at", "day"}
#   recognition: {"from_id", "avoided", "day"}
# A reading counts for the centre that read it and the institution that requested it (so a township's
# figure is its clinics' requests, the county centre's its readings, and the county counts each once).

READINGS = "readings"
READINGS_ECG = "readings_ecg"
READINGS_IMAGING = "readings_imaging"
READINGS_LAB = "readings_lab"
TURNAROUND_P50 = "turnaround_p50"
TURNAROUND_P90 = "turnaround_p90"
ON_TIME = "on_time"  # published within the priority's turnaround target
CRITICAL_COUNT = "critical_count"
ACK_IN_TIME = "ack_in_time"  # acknowledged before escalation was due
ACK_P50 = "ack_p50"
AVOIDED_REPEATS = "avoided_repeats"
REPEATS_WITH_REASON = "repeats_with_reason"
MODALITY_GROUPS = {READINGS: None, READINGS_ECG: {ECG}, READINGS_IMAGING: {DR, US, CT}, READINGS_LAB: {LAB}}
RECORD_KIND = {**dict.fromkeys(MODALITY_GROUPS, "reading"), TURNAROUND_P50: "reading", TURNAROUND_P90: "reading",
               ON_TIME: "reading", CRITICAL_COUNT: "critical", ACK_IN_TIME: "critical", ACK_P50: "critical",
               AVOIDED_REPEATS: "recognition", REPEATS_WITH_REASON: "recognition"}


def _covers(rec: dict, ids) -> bool:
    return ids is None or rec.get("centre_id") in ids or rec.get("from_id") in ids


def measure(code: str, records: Iterable[dict], start: dt.date, end: dt.date, ids=None, *,
            escalation_minutes: int = DEFAULT_ESCALATION_MINUTES,
            targets: dict[str, int] | None = None) -> tuple[int, int | None]:
    """(numerator, denominator) of a figure over the records whose day falls in [start, end] and which involve
    ``ids`` (None: all). Counts have no denominator; p50/p90 are the nearest-rank minutes (0 when none)."""
    rows = [r for r in records if start <= r["day"] <= end and _covers(r, ids)]
    if code in MODALITY_GROUPS:
        wanted = MODALITY_GROUPS[code]
        return sum(1 for r in rows if wanted is None or r["modality"] in wanted), None
    if code in (TURNAROUND_P50, TURNAROUND_P90):
        minutes = [minutes_between(r["requested_at"], r["published_at"]) for r in rows]
        return percentile(minutes, 50 if code == TURNAROUND_P50 else 90) or 0, None
    if code == ON_TIME:
        goal = targets or TURNAROUND_TARGET_MINUTES
        done = sum(1 for r in rows if minutes_between(r["requested_at"], r["published_at"]) <= goal[r["priority"]])
        return done, len(rows)
    if code == CRITICAL_COUNT:
        return len(rows), None
    if code == ACK_IN_TIME:
        due = dt.timedelta(minutes=escalation_minutes)
        return sum(1 for r in rows if r["acknowledged_at"] and r["acknowledged_at"] - r["marked_at"] < due), len(rows)
    if code == ACK_P50:
        minutes = [minutes_between(r["marked_at"], r["acknowledged_at"]) for r in rows if r["acknowledged_at"]]
        return percentile(minutes, 50) or 0, None
    if code == AVOIDED_REPEATS:
        return sum(1 for r in rows if r["avoided"]), None
    if code == REPEATS_WITH_REASON:
        return sum(1 for r in rows if not r["avoided"]), None
    raise ValueError(code)
