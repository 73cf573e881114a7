"""Maternal care (孕产妇健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Maternal care, cited as "spec §Maternal <part>".
Gestational age runs from the last menstrual period (LMP); an expected date of delivery (EDD) gives
LMP = EDD − 280 days (Naegele, [S]). High-risk flags beyond the programme's own readings are [U].
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yigongti.rules.chronic import REFERRAL_ADVISED, REFERRAL_NONE, Decision, RuleError, add_days

PROGRAMME = "maternal"
PREGNANCY_DAYS = 280     # [S] EDD = LMP + 280 days

# --- the contacts (spec §Maternal [C]): (code, first gestational week, last gestational week) -----------
FIRST = "antenatal_1"      # before 13 weeks: 《母子健康手册》 and the first antenatal exam [C]
REGISTRATION_BEFORE_WEEK = 13
ANTENATAL = ((FIRST, 0, 12), ("antenatal_2", 16, 20), ("antenatal_3", 21, 24), ("antenatal_4", 28, 36),
             ("antenatal_5", 37, 40))   # 16–20, 21–24, 28–36, 37–40 weeks: 5 contacts [C]
POSTPARTUM = "postpartum_visit"   # home visit within 1 week of discharge [C; U: older texts 3–7 days]
POSTPARTUM_DAYS = 7
CHECK_42 = "postpartum_42"        # 42-day postpartum check [C]
CHECK_42_DAYS = 42
CONTACTS = (*(c for c, _a, _b in ANTENATAL), POSTPARTUM, CHECK_42)

NORMAL, HIGH_RISK = "normal", "high_risk"
CLASSIFICATIONS = (NORMAL, HIGH_RISK)

# --- high-risk flags [U]: the digest names none for pregnancy except raised BP (spec §Hypertension:
# "pregnancy or breast-feeding with raised BP" is an emergency referral [C]) ---------------------------
BP_RAISED = (140, 90)             # spec §Hypertension [C]
ADVANCED_AGE = 35                 # [U] 高龄孕产妇
ANAEMIA_HB = 110                  # [U] g/L in pregnancy
R_BP = "maternal_bp_raised"
R_AGE = "maternal_advanced_age"
R_ANAEMIA = "maternal_anaemia"
R_FLAGGED = "maternal_high_risk_flag"
R_LATE_REGISTRATION = "maternal_registered_after_13_weeks"


def lmp_from(lmp: dt.date | None = None, edd: dt.date | None = None) -> dt.date:
    """The LMP, given it or the expected date of delivery (LMP = EDD − 280 days)."""
    if lmp is not None:
        return lmp
    if edd is not None:
        return edd - dt.timedelta(days=PREGNANCY_DAYS)
    raise RuleError("lmp_or_edd_required")


def edd_from(lmp: dt.date) -> dt.date:
    return lmp + dt.timedelta(days=PREGNANCY_DAYS)


def gestational_week(lmp: dt.date, on: dt.date) -> int:
    """Completed weeks since the LMP (12+6 is week 12)."""
    if on < lmp:
        raise RuleError("before_lmp")
    return (on - lmp).days // 7


def registered_early(lmp: dt.date, registered_on: dt.date) -> bool:
    """早孕建册: registered before 13 weeks (spec §Maternal [C]) — at 12+6 still early, at 13+0 not."""
    return gestational_week(lmp, registered_on) < REGISTRATION_BEFORE_WEEK


def antenatal_window(contact: str, lmp: dt.date) -> tuple[dt.date, dt.date]:
    """(first day, last day) of an antenatal contact: from week a+0 to week b+6 (spec §Maternal [C])."""
    for code, first, last in ANTENATAL:
        if code == contact:
            return lmp + dt.timedelta(weeks=first), lmp + dt.timedelta(weeks=last, days=6)
    raise RuleError("unknown_contact")


def due_date(contact: str, lmp: dt.date, *, delivery_date: dt.date | None = None,
             discharge_date: dt.date | None = None) -> dt.date:
    """The last day a contact is on time. Before the delivery is recorded, the postpartum dates run from
    the EDD (a placeholder the delivery replaces)."""
    if contact == POSTPARTUM:
        return add_days(discharge_date or delivery_date or edd_from(lmp), POSTPARTUM_DAYS)
    if contact == CHECK_42:
        return add_days(delivery_date or edd_from(lmp), CHECK_42_DAYS)
    return antenatal_window(contact, lmp)[1]


def contact_for(lmp: dt.date, visit_date: dt.date, *, delivery_date: dt.date | None = None,
                chosen: str = "") -> str:
    """Which contact a visit is: the doctor's choice, else after a delivery the postpartum visit (until day
    28) or the 42-day check; before it the antenatal window the week falls in, or the next one ahead."""
    if chosen:
        if chosen not in CONTACTS:
            raise RuleError("unknown_contact")
        return chosen
    if delivery_date is not None and visit_date >= delivery_date:
        return POSTPARTUM if (visit_date - delivery_date).days < 28 else CHECK_42
    week = gestational_week(lmp, visit_date)
    for code, _first, last in ANTENATAL:
        if week <= last:
            return code
    return ANTENATAL[-1][0]


def next_contact(contact: str) -> str | None:
    i = CONTACTS.index(contact)
    return CONTACTS[i + 1] if i + 1 < len(CONTACTS) else None


def first_due(lmp: dt.date, registered_on: dt.date) -> dt.date:
    """On registration: the first antenatal contact's last day, or (registered late) the next contact
    whose window has not closed."""
    for code, _first, _last in ANTENATAL:
        end = antenatal_window(code, lmp)[1]
        if end >= registered_on:
            return end
    return due_date(POSTPARTUM, lmp)


def high_risk_reasons(*, age: int | None, sbp: int | None, dbp: int | None, haemoglobin: int | None,
                      flagged: bool = False, advanced_age: int = ADVANCED_AGE, anaemia_hb: int = ANAEMIA_HB) -> tuple[str, ...]:
    out = []
    if (sbp is not None and sbp >= BP_RAISED[0]) or (dbp is not None and dbp >= BP_RAISED[1]):
        out.append(R_BP)
    if age is not None and age >= advanced_age:
        out.append(R_AGE)
    if haemoglobin is not None and haemoglobin < anaemia_hb:
        out.append(R_ANAEMIA)
    if flagged:
        out.append(R_FLAGGED)
    return tuple(out)


@dataclass(frozen=True)
class MaternalVisit:
    visit_date: dt.date
    lmp: dt.date
    age: int | None = None
    contact: str = ""
    delivery_date: dt.date | None = None
    discharge_date: dt.date | None = None
    sbp: int | None = None
    dbp: int | None = None
    haemoglobin: int | None = None
    flagged: bool = False          # the doctor's high-risk assessment (高危因素)


def classify(visit: MaternalVisit, previous_classification: str | None = None, *, advanced_age: int = ADVANCED_AGE,
             anaemia_hb: int = ANAEMIA_HB) -> Decision:
    """One contact: high_risk with its reasons (raised BP → referral advised) or normal; the next contact's
    due date from the schedule; nothing after the 42-day check (spec §Maternal [C])."""
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    contact = contact_for(visit.lmp, visit.visit_date, delivery_date=visit.delivery_date, chosen=visit.contact)
    reasons = high_risk_reasons(age=visit.age, sbp=visit.sbp, dbp=visit.dbp, haemoglobin=visit.haemoglobin,
                                flagged=visit.flagged, advanced_age=advanced_age, anaemia_hb=anaemia_hb)
    following = next_contact(contact)
    if following == POSTPARTUM and visit.delivery_date is None:
        next_due = due_date(POSTPARTUM, visit.lmp)
    elif following:
        next_due = due_date(following, visit.lmp, delivery_date=visit.delivery_date,
                            discharge_date=visit.discharge_date)
        if following in (c for c, _a, _b in ANTENATAL):
            next_due = max(next_due, visit.visit_date)
    else:
        next_due = None
    referral = REFERRAL_ADVISED if R_BP in reasons else REFERRAL_NONE
    return Decision(HIGH_RISK if reasons else NORMAL, next_due, referral, (f"contact_{contact}", *reasons))
