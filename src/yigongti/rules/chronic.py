"""What every chronic-disease programme shares: the decision a visit produces, follow-up modes, severity
ordering and calendar arithmetic. Pure: no Django; returns codes, never text.

Sources (../shared/domain/public-health-spec.md, cited as "spec §<section>"):
- visit classification "if several apply, record the most severe" (spec §Hypertension, Classification [S]);
- follow-up modes 1门诊 2家庭 3电话 (spec §Hypertension, Follow-up form [C]); only 门诊 and 家庭 are
  face-to-face and count towards 规范管理 (spec §Hypertension, "规范管理 counts face-to-face" [C]);
- referral: "advise referral" and "emergency referral" (spec §Hypertension, §Type-2 diabetes [C]).
"""
from __future__ import annotations

import calendar
import datetime as dt
import importlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from types import ModuleType

# --- the programmes (spec §§Hypertension, Type-2 diabetes, Severe mental disorders, Tuberculosis) ---------
# Each is a rule module with the same shape: PROGRAMME, CLASSIFICATIONS, a visit dataclass and
# ``classify(visit, previous_classification, **settings) -> Decision``.
PROGRAMMES = ("hypertension", "diabetes", "mental", "tb")
SENSITIVE_PROGRAMMES = frozenset({"mental"})   # issue 7: severe mental disorders are sensitive records


def rules_for(programme: str) -> ModuleType:
    """The rule module of a programme (yigongti.rules.hypertension, …), so the engine has no
    programme-specific branch."""
    if programme not in PROGRAMMES:
        raise RuleError("unknown_programme")
    return importlib.import_module(f"yigongti.rules.{programme}")


# --- referral advice ------------------------------------------------------------------------------

REFERRAL_NONE = ""
REFERRAL_ADVISED = "advised"   # 建议转诊 (two consecutive 不满意, uncontrolled adverse reaction, complication)
REFERRAL_URGENT = "urgent"     # 紧急转诊 (emergency criteria; 不稳定 severe mental disorder)
REFERRALS = (REFERRAL_NONE, REFERRAL_ADVISED, REFERRAL_URGENT)  # least urgent first

# --- follow-up modes (随访方式 1门诊 2家庭 3电话, spec §Hypertension form [C]) ----------------------------

MODE_CLINIC = "clinic"   # 1 门诊
MODE_HOME = "home"       # 2 家庭
MODE_PHONE = "phone"     # 3 电话
MODES = (MODE_CLINIC, MODE_HOME, MODE_PHONE)
FORM_MODE_NUMBERS = {1: MODE_CLINIC, 2: MODE_HOME, 3: MODE_PHONE}
# "至少4次面对面随访": a telephone follow-up is recorded but is not face-to-face (spec §Hypertension [C]).
FACE_TO_FACE = frozenset({MODE_CLINIC, MODE_HOME})

# --- other coded fields of the follow-up form (spec §Hypertension, Follow-up form [C]) ---------------------
ADHERENCE = {1: "regular", 2: "intermittent", 3: "not_taking"}   # 服药依从性 1规律 2间断 3不服药
SALT_INTAKE = ("light", "moderate", "heavy")                       # 摄盐 轻/中/重
COMPLIANCE = ("good", "fair", "poor")                              # 遵医行为 良好/一般/差


class RuleError(ValueError):
    """Bad input to a rule, with a code (``.code``) the app translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Decision:
    """What the rules say about one visit.

    ``classification``: the programme's code (hypertension/diabetes: satisfied | unsatisfied |
    adverse_reaction | complication; severe mental disorders: stable | basically_stable | unstable).
    ``next_due``: the date the next follow-up is due (None only for a TB visit after the end of
    treatment: nothing further is scheduled). ``referral``: "" | "advised" | "urgent".
    ``reasons``: codes explaining the decision, most urgent first (emergency reasons, then the rest).
    """

    classification: str
    next_due: dt.date | None
    referral: str
    reasons: tuple[str, ...]

    @property
    def is_urgent(self) -> bool:
        return self.referral == REFERRAL_URGENT


def counts_as_face_to_face(mode: str) -> bool:
    """门诊 and 家庭 count; 电话 does not (spec §Hypertension, 规范管理 [C])."""
    if mode not in MODES:
        raise RuleError("unknown_mode")
    return mode in FACE_TO_FACE


def most_severe(codes: Iterable[str], order: Sequence[str]) -> str:
    """The most severe of ``codes`` where ``order`` lists the codes least severe first
    ("if several apply, record the most severe", spec §Hypertension, Classification [S])."""
    rank = {code: i for i, code in enumerate(order)}
    present = list(codes)
    if not present:
        raise RuleError("no_classification")
    for code in present:
        if code not in rank:
            raise RuleError("unknown_classification")
    return max(present, key=rank.__getitem__)


def most_urgent_referral(*referrals: str) -> str:
    """"" < "advised" < "urgent"."""
    return most_severe(referrals or (REFERRAL_NONE,), REFERRALS)


# --- calendar -------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (or earlier), clamped to the month's last day (Jan 31 + 1 → Feb 28/29)."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_days(day: dt.date, days: int) -> dt.date:
    return day + dt.timedelta(days=days)


def month_end(day: dt.date) -> dt.date:
    return dt.date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])
