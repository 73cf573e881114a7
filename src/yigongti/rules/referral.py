"""Two-way referral (双向转诊) rules, pure: no Django. They return codes, never text.

Sources (../shared/domain/records-referral-contracts.md "Referral form", seed 000's 分级诊疗转诊意见书):
- the workflow: draft → submitted → (department-head approval where the sending institution requires it)
  → accepted by the receiving institution → received (接诊) → completed (回转单 back to the sender);
  or rejected (with reason), cancelled, expired (derived from the validity window, never stored);
- the validity window: 3 days by default (seed 000: "转诊单有效期 2024-11-08--2024-11-11", a Friday to a
  Monday: calendar days, weekends and holidays included, so no workday calendar is applied), in China time;
  "入册次数：转诊单有效期内单次有效" — single use within the window;
- directions: up (village → township → county), down (county → township or village), lateral (same tier);
  a referral out of the consortium is a 转外就医备案 (a filing), not this workflow;
- the referral number: seed 000's "12360121491203063Q202400217" = the sending institution's code
  (统一社会信用代码) + the year + a 5-digit serial within that institution and year.
- first-diagnosis catalogs per hospital grade (004: 287 diseases for 二级, 108 for 一级): an up-referral whose
  diagnosis is on the sender's catalog should have been treated there and needs a justification.
"""
from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal

# --- states and actions ------------------------------------------------------------------------------

DRAFT = "draft"
PENDING_APPROVAL = "pending_approval"   # waiting for the sending department head (科主任意见)
SUBMITTED = "submitted"                  # with the receiving institution
ACCEPTED = "accepted"                    # doctor, appointment time or reserved bed assigned
RECEIVED = "received"                    # 接诊: the patient arrived; the referral is used
COMPLETED = "completed"                  # 回转单 / discharge summary returned to the sender
REJECTED = "rejected"
CANCELLED = "cancelled"
EXPIRED = "expired"                      # derived at query time, never stored

STORED_STATES = (DRAFT, PENDING_APPROVAL, SUBMITTED, ACCEPTED, RECEIVED, COMPLETED, REJECTED, CANCELLED)
STATES = (*STORED_STATES, EXPIRED)
# States in which the validity window runs out: the referral was sent and the patient has not arrived.
OPEN_STATES = frozenset({PENDING_APPROVAL, SUBMITTED, ACCEPTED})
# States that still hold a reserved bed (until its hold passes).
HOLDING_STATES = frozenset({ACCEPTED})
FINAL_STATES = frozenset({COMPLETED, REJECTED, CANCELLED, EXPIRED})

SUBMIT = "submit"
APPROVE = "approve"
ACCEPT = "accept"
REJECT = "reject"
RECEIVE = "receive"
COMPLETE = "complete"
CANCEL = "cancel"
ACTIONS = (SUBMIT, APPROVE, ACCEPT, REJECT, RECEIVE, COMPLETE, CANCEL)

# Who may take each action: the sending institution's staff, its department head, or the receiving
# institution's staff (issue 9: "Only the receiving institution's staff can accept, reject or receive;
# only the sender can cancel").
SENDER, HEAD, RECEIVER = "sender", "head", "receiver"
ACTOR_OF = {SUBMIT: SENDER, APPROVE: HEAD, ACCEPT: RECEIVER, REJECT: RECEIVER, RECEIVE: RECEIVER,
            COMPLETE: RECEIVER, CANCEL: SENDER}

# The transition table: (state, action) → new state. Every pair not listed is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): SUBMITTED,              # or PENDING_APPROVAL: see next_state(needs_approval=True)
    (PENDING_APPROVAL, APPROVE): SUBMITTED,
    (SUBMITTED, ACCEPT): ACCEPTED,
    (SUBMITTED, REJECT): REJECTED,
    (ACCEPTED, RECEIVE): RECEIVED,
    (RECEIVED, COMPLETE): COMPLETED,
    (DRAFT, CANCEL): CANCELLED,
    (PENDING_APPROVAL, CANCEL): CANCELLED,
    (SUBMITTED, CANCEL): CANCELLED,
    (ACCEPTED, CANCEL): CANCELLED,
}

# Refusal codes (the app translates them).
ILLEGAL_TRANSITION = "illegal_transition"
EXPIRED_REFUSED = "expired"
UNKNOWN_ACTION = "unknown_action"


class TransitionError(ValueError):
    def __init__(self, code: str, state: str, action: str):
        super().__init__(f"{code}: {action} in {state}")
        self.code, self.state, self.action = code, state, action


def next_state(state: str, action: str, *, needs_approval: bool = False) -> str:
    """The state ``action`` leads to from ``state`` (the effective state: EXPIRED when the window has run
    out), or TransitionError. An expired referral takes no action: a new referral must be written."""
    if action not in ACTIONS:
        raise TransitionError(UNKNOWN_ACTION, state, action)
    if state == EXPIRED:
        raise TransitionError(EXPIRED_REFUSED, state, action)
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise TransitionError(ILLEGAL_TRANSITION, state, action)
    if (state, action) == (DRAFT, SUBMIT) and needs_approval:
        return PENDING_APPROVAL
    return target


def allowed_actions(state: str) -> tuple[str, ...]:
    """The actions the table allows in ``state`` (who may take them is ACTOR_OF)."""
    if state == EXPIRED:
        return ()
    return tuple(a for a in ACTIONS if (state, a) in TRANSITIONS)


# --- validity window (China time) ---------------------------------------------------------------------

DEFAULT_VALIDITY_DAYS = 3  # seed 000: 2024-11-08--2024-11-11


def validity_window(issued_on: dt.date, days: int = DEFAULT_VALIDITY_DAYS) -> tuple[dt.date, dt.date]:
    """The window printed on the form: from the day of issue (China date) to ``days`` calendar days later,
    the last day included (seed 000: issued 2024-11-08, valid to 2024-11-11)."""
    if days < 0:
        raise ValueError("days")
    return issued_on, issued_on + dt.timedelta(days=days)


def effective_state(state: str, valid_until: dt.date | None, today: dt.date) -> str:
    """The state as users see it: an open referral (sent, not yet received) whose window ended before
    ``today`` (China date) is EXPIRED. Computed at query time, never stored."""
    if state in OPEN_STATES and valid_until is not None and today > valid_until:
        return EXPIRED
    return state


# --- direction -----------------------------------------------------------------------------------------

UP, DOWN, LATERAL = "up", "down", "lateral"
TIER_RANK = {"village": 1, "township": 2, "county": 3}
SAME_INSTITUTION = "same_institution"
UNKNOWN_TIER = "unknown_tier"


def direction(from_tier: str, to_tier: str) -> str:
    """up / down / lateral from the tiers of the sending and receiving institutions."""
    if from_tier not in TIER_RANK or to_tier not in TIER_RANK:
        raise ValueError(UNKNOWN_TIER)
    a, b = TIER_RANK[from_tier], TIER_RANK[to_tier]
    return UP if b > a else DOWN if b < a else LATERAL


# --- hospital grade level -------------------------------------------------------------------------------

GRADE_LEVELS = ("1", "2", "3")


def grade_level(grade: str | None, tier: str) -> str:
    """一级/二级/三级 from the institution's grade ("1A", "2", "3B", …). Ungraded institutions: the primary
    tiers count as 一级 (a village clinic works under its township centre, 乡村一体化), county ones as 二级."""
    g = (grade or "").strip()[:1]
    if g in GRADE_LEVELS:
        return g
    return "1" if tier in ("township", "village") else "2"


# --- catalogs ------------------------------------------------------------------------------------------


def normalise_code(code: str | None) -> str:
    return (code or "").strip().upper()


def on_catalog(code: str | None, entries: Iterable[str]) -> str | None:
    """The catalog entry (an ICD-10 code or prefix, e.g. "J06" or "J06.9") that ``code`` falls under, the
    longest first; None when it is not on the catalog."""
    c = normalise_code(code)
    if not c:
        return None
    best = None
    for entry in entries:
        e = normalise_code(entry)
        if e and c.startswith(e) and (best is None or len(e) > len(best)):
            best = e
    return best


QUESTIONABLE = "questionable"


def is_questionable(direction_: str, diagnosis_codes: Iterable[str], sender_catalog: Iterable[str]) -> bool:
    """An up-referral whose (primary) diagnosis is on the sender's first-diagnosis catalog: a disease the
    sending level should treat (004), so it needs a justification and is counted."""
    if direction_ != UP:
        return False
    catalog = list(sender_catalog)
    return any(on_catalog(code, catalog) for code in diagnosis_codes)


# --- the referral number --------------------------------------------------------------------------------

_NUMBER_RE = re.compile(r"^[0-9A-Z]{1,32}\d{4}\d{5}$")


def referral_number(institution_code: str, year: int, serial: int) -> str:
    """Seed 000's format: institution code + year + 5-digit serial (12360121491203063Q + 2024 + 00217)."""
    if not 0 < serial < 100000:
        raise ValueError("serial")
    return f"{normalise_code(institution_code)}{year:04d}{serial:05d}"


def clean_number(text: str | None) -> str:
    """What a desk typed or a scanner sent: spaces and dashes dropped, upper case."""
    return re.sub(r"[\s\-]", "", text or "").upper()


def looks_like_number(text: str | None) -> bool:
    return bool(_NUMBER_RE.match(clean_number(text)))


# --- figures (the indicator catalog; referrals/indicators.py) -------------------------------------------
# A referral is one record {"direction", "status", "from_id", "to_id", "submitted_on", "accepted_at",
# "submitted_at", "received_on", "closed_on", "valid_until", "questionable"} with dates already in China
# time; a filing {"from_id", "filed_on"}. A cut is a set of institution ids (None: the whole county); a
# referral counts for a cut when its sender or its receiver is in it (a township's up-referrals are the ones it
# sends, the county hospital's the ones it receives), so the county figure counts each referral once.

UP_COUNT = "up_count"
DOWN_COUNT = "down_count"
ACCEPTED_IN_24H = "accepted_in_24h"
REJECTED_COUNT = "rejected_count"
EXPIRED_COUNT = "expired_count"
QUESTIONABLE_COUNT = "questionable_count"
FILING_COUNT = "filing_count"
GREEN_CHANNEL_HOURS = 24  # seed 000: "24小时绿色通道"


def _within(day, start: dt.date, end: dt.date) -> bool:
    return day is not None and start <= day <= end


def involves(record: dict, institution_ids) -> bool:
    if institution_ids is None:
        return True
    return record.get("from_id") in institution_ids or record.get("to_id") in institution_ids


def counted(measure: str, record: dict, start: dt.date, end: dt.date, today: dt.date) -> bool:
    """Does ``record`` count in ``measure`` for the period start..end (inclusive)? Up and down: received
    (接诊, the patient was transferred) in the period; accepted in 24 h: accepted in the period within 24 hours
    of submission; rejected: refused in the period; expired: the window ended in the period (and before
    ``today``) unreceived; questionable: submitted in the period; filings: filed in the period."""
    if measure == UP_COUNT:
        return record["direction"] == UP and _within(record.get("received_on"), start, end)
    if measure == DOWN_COUNT:
        return record["direction"] == DOWN and _within(record.get("received_on"), start, end)
    if measure == ACCEPTED_IN_24H:
        return accepted_in(record, start, end) and (
            record["accepted_at"] - record["submitted_at"] <= dt.timedelta(hours=GREEN_CHANNEL_HOURS))
    if measure == REJECTED_COUNT:
        return record["status"] == REJECTED and _within(record.get("closed_on"), start, end)
    if measure == EXPIRED_COUNT:
        until = record.get("valid_until")
        return (effective_state(record["status"], until, today) == EXPIRED and _within(until, start, end))
    if measure == QUESTIONABLE_COUNT:
        return bool(record.get("questionable")) and _within(record.get("submitted_on"), start, end)
    if measure == FILING_COUNT:
        return _within(record.get("filed_on"), start, end)
    raise ValueError(measure)


def accepted_in(record: dict, start: dt.date, end: dt.date) -> bool:
    return record.get("accepted_at") is not None and _within(record.get("accepted_on"), start, end)


def count(measure: str, records, start: dt.date, end: dt.date, today: dt.date, institution_ids=None) -> int:
    return sum(1 for r in records if involves(r, institution_ids) and counted(measure, r, start, end, today))


def acceptance_hours(records, start: dt.date, end: dt.date, institution_ids=None) -> tuple[Decimal, int]:
    """(Σ hours from submission to acceptance, number accepted) of the referrals accepted in the period —
    the parts of 转诊平均接收时长 (seed 000's 24-hour green channel measures the same interval)."""
    seconds, n = Decimal(0), 0
    for r in records:
        if involves(r, institution_ids) and accepted_in(r, start, end):
            took = r["accepted_at"] - r["submitted_at"]
            seconds += Decimal(took.days * 86400 + took.seconds) + Decimal(took.microseconds) / 1_000_000
            n += 1
    return (Decimal(seconds) / 3600).quantize(Decimal("0.01")), n


def accepted_count(records, start: dt.date, end: dt.date, institution_ids=None) -> int:
    return sum(1 for r in records if involves(r, institution_ids) and accepted_in(r, start, end))
