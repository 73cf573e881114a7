"""Hypertension (高血压患者健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Hypertension (国家基本公共卫生服务规范 第三版, 2017),
cited below as "spec §HT <part>" with the digest's mark [C]/[S]/[U]. A [U] value is a keyword parameter
whose default is the digest's value; the app passes its setting.

Edges, exactly as written: raised = SBP ≥140 and/or DBP ≥90 (so 139/89 is not raised, 140/… and …/90
are); emergency = SBP ≥180 and/or DBP ≥110 (179/109 is not, 180/… and …/110 are); 控制满意 = SBP <140
**and** DBP <90 (age ≥65: <150/90 [U]).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from yigongti.rules.chronic import (
    REFERRAL_ADVISED,
    REFERRAL_NONE,
    REFERRAL_URGENT,
    Decision,
    RuleError,
    add_days,
    most_severe,
)

PROGRAMME = "hypertension"
MIN_AGE = 35                       # spec §HT population: resident primary-hypertension patients ≥35 [C]

# --- thresholds (mmHg) ----------------------------------------------------------------------------
SBP_RAISED, DBP_RAISED = 140, 90              # spec §HT screening: SBP ≥140 and/or DBP ≥90 [C]
SBP_HIGH_NORMAL, DBP_HIGH_NORMAL = 130, 85    # spec §HT high-risk: 130–139 and/or 85–89 [C]
SBP_EMERGENCY, DBP_EMERGENCY = 180, 110       # spec §HT emergency referral: ≥180 and/or ≥110 [C]
TARGET = (140, 90)                            # spec §HT classification 1: SBP <140 and DBP <90 [C]
ELDERLY_TARGET = (150, 90)                    # spec §HT "Target for age ≥65: <150/90" [U]
ELDERLY_AGE = 65                              # same clause [U]
ROUTINE_INTERVAL_DAYS = 90   # spec §HT classification 1: quarterly, from "≥4 a year"; no number given [U]
SHORT_INTERVAL_DAYS = 14     # spec §HT classification 2–3 and emergency: "within 2 weeks" [C]

# --- classifications (此次随访分类 1控制满意 2控制不满意 3不良反应 4并发症, spec §HT form [C]) ----------
SATISFIED = "satisfied"
UNSATISFIED = "unsatisfied"
ADVERSE_REACTION = "adverse_reaction"
COMPLICATION = "complication"
# Least severe first: the form's numbering; "record the most severe" (spec §HT classification [S]).
CLASSIFICATIONS = (SATISFIED, UNSATISFIED, ADVERSE_REACTION, COMPLICATION)
FORM_CLASSIFICATION_NUMBERS = {1: SATISFIED, 2: UNSATISFIED, 3: ADVERSE_REACTION, 4: COMPLICATION}

# --- symptoms ---------------------------------------------------------------------------------------
# The follow-up form's 症状 boxes (spec §HT form [C]), by their number on the form.
FORM_SYMPTOMS = {
    1: "none",                          # 无症状
    2: "headache_dizziness",            # 头痛头晕
    3: "nausea_vomiting",               # 恶心呕吐
    4: "dim_vision_tinnitus",           # 眼花耳鸣
    5: "dyspnoea",                      # 呼吸困难
    6: "palpitation_chest_tightness",   # 心悸胸闷
    7: "epistaxis",                     # 鼻衄出血不止
    8: "limb_numbness",                 # 四肢发麻
    9: "leg_oedema",                    # 下肢水肿
}
SYMPTOMS = frozenset(FORM_SYMPTOMS.values()) | {"other"}   # 其他
# The emergency signs (spec §HT emergency referral [C]). Where the form's box has the same words
# (3恶心呕吐, 6心悸胸闷) it shares the code, so ticking it on the form triggers the emergency rule.
EMERGENCY_SYMPTOMS = (
    "altered_consciousness",            # 意识改变
    "severe_headache_or_dizziness",     # 剧烈头痛或头晕
    "nausea_vomiting",                  # 恶心呕吐
    "blurred_vision",                   # 视力模糊
    "eye_pain",                         # 眼痛
    "palpitation_chest_tightness",      # 心悸胸闷
    "breathless_cannot_lie_flat",       # 喘憋不能平卧
)
ALL_SYMPTOMS = SYMPTOMS | frozenset(EMERGENCY_SYMPTOMS)

# --- reason codes -----------------------------------------------------------------------------------
R_SBP_EMERGENCY = "sbp_ge_180"
R_DBP_EMERGENCY = "dbp_ge_110"
R_PREGNANT = "pregnant_or_breastfeeding_raised_bp"
R_CANNOT_HANDLE = "cannot_handle"
R_NOT_ON_TARGET = "bp_not_on_target"
R_TWO_UNSATISFIED = "two_consecutive_unsatisfied"
R_ADVERSE = "adverse_reaction"
R_ADVERSE_UNCONTROLLED = "adverse_reaction_uncontrolled"
R_COMPLICATION = "complication_new_or_worse"
R_ON_TARGET = "bp_on_target"


def symptom_reason(symptom: str) -> str:
    return f"symptom_{symptom}"


def _ge(value: int | None, threshold: int) -> bool:
    return value is not None and value >= threshold


def is_raised(sbp: int | None, dbp: int | None) -> bool:
    """SBP ≥140 and/or DBP ≥90 (spec §HT screening [C]). A missing half does not count as raised."""
    return _ge(sbp, SBP_RAISED) or _ge(dbp, DBP_RAISED)


def is_high_normal(sbp: int | None, dbp: int | None) -> bool:
    """SBP 130–139 and/or DBP 85–89, and not raised (spec §HT high-risk people [C])."""
    if is_raised(sbp, dbp):
        return False
    return _ge(sbp, SBP_HIGH_NORMAL) or _ge(dbp, DBP_HIGH_NORMAL)


def target_for(age: int | None, *, elderly_target: tuple[int, int] = ELDERLY_TARGET,
               elderly_age: int = ELDERLY_AGE) -> tuple[int, int]:
    """(SBP, DBP) that must be undercut: <140/90 [C], from ``elderly_age`` <``elderly_target`` [U]."""
    if age is not None and age >= elderly_age:
        return elderly_target
    return TARGET


def is_controlled(sbp: int | None, dbp: int | None, age: int | None, *,
                  elderly_target: tuple[int, int] = ELDERLY_TARGET, elderly_age: int = ELDERLY_AGE) -> bool:
    """控制满意 on BP: SBP <target **and** DBP <target (spec §HT classification 1 [C]; age target [U]).
    A missing value is not controlled (管理人群血压控制率 needs both on target, spec §Programme indicators)."""
    if sbp is None or dbp is None:
        return False
    target_sbp, target_dbp = target_for(age, elderly_target=elderly_target, elderly_age=elderly_age)
    return sbp < target_sbp and dbp < target_dbp


def emergency_reasons(sbp: int | None, dbp: int | None, *, symptoms: frozenset[str] | set[str] = frozenset(),
                      pregnant_or_breastfeeding: bool = False, cannot_handle: bool = False) -> tuple[str, ...]:
    """The emergency-referral criteria that apply (spec §HT emergency referral [C]); () when none.

    Codes: sbp_ge_180, dbp_ge_110, symptom_<code> for each of EMERGENCY_SYMPTOMS present (in that
    order), pregnant_or_breastfeeding_raised_bp (pregnancy or breast-feeding with BP ≥140 and/or ≥90),
    cannot_handle. Symptom codes that are not emergency signs are ignored.
    """
    reasons: list[str] = []
    if _ge(sbp, SBP_EMERGENCY):
        reasons.append(R_SBP_EMERGENCY)
    if _ge(dbp, DBP_EMERGENCY):
        reasons.append(R_DBP_EMERGENCY)
    reasons.extend(symptom_reason(code) for code in EMERGENCY_SYMPTOMS if code in symptoms)
    if pregnant_or_breastfeeding and is_raised(sbp, dbp):
        reasons.append(R_PREGNANT)
    if cannot_handle:
        reasons.append(R_CANNOT_HANDLE)
    return tuple(reasons)


@dataclass(frozen=True)
class HypertensionVisit:
    """The facts of one follow-up that the classification depends on.

    ``adverse_reaction``: 药物不良反应 有; ``adverse_uncontrolled``: one that cannot be controlled (implies
    an adverse reaction); ``complication_new_or_worse``: a new or worse 并发症.
    """

    visit_date: dt.date
    sbp: int | None
    dbp: int | None
    age: int | None
    symptoms: frozenset[str] = field(default_factory=frozenset)
    adverse_reaction: bool = False
    adverse_uncontrolled: bool = False
    complication_new_or_worse: bool = False
    pregnant_or_breastfeeding: bool = False
    cannot_handle: bool = False


def classify(visit: HypertensionVisit, previous_classification: str | None, *,
             elderly_target: tuple[int, int] = ELDERLY_TARGET, elderly_age: int = ELDERLY_AGE,
             routine_interval_days: int = ROUTINE_INTERVAL_DAYS,
             short_interval_days: int = SHORT_INTERVAL_DAYS) -> Decision:
    """Classify a follow-up (spec §HT classification [C], most severe wins [S]).

    - classification: complication if a new/worse complication; else adverse_reaction if any adverse
      reaction; else unsatisfied if BP not on target; else satisfied.
    - referral "advised" [C, classification 3]: BP not on target at this visit and the previous visit was
      recorded ``unsatisfied`` (two consecutive 不满意), an adverse reaction that cannot be controlled, or a
      new/worse complication. "urgent" [C, emergency referral]: any emergency criterion.
    - next_due: visit + ``short_interval_days`` (2 weeks) unless satisfied with no referral, then
      visit + ``routine_interval_days`` (quarterly) [C/U].

    Both BP values are required: a visit without BP cannot be classified (RuleError "bp_required").
    """
    if visit.sbp is None or visit.dbp is None:
        raise RuleError("bp_required")
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    unknown = set(visit.symptoms) - ALL_SYMPTOMS
    if unknown:
        raise RuleError("unknown_symptom")

    emergency = emergency_reasons(visit.sbp, visit.dbp, symptoms=visit.symptoms,
                                  pregnant_or_breastfeeding=visit.pregnant_or_breastfeeding,
                                  cannot_handle=visit.cannot_handle)
    controlled = is_controlled(visit.sbp, visit.dbp, visit.age, elderly_target=elderly_target,
                               elderly_age=elderly_age)
    applicable = [SATISFIED]
    reasons: list[str] = list(emergency)
    advised = False
    if not controlled:
        applicable.append(UNSATISFIED)
        reasons.append(R_NOT_ON_TARGET)
        if previous_classification == UNSATISFIED:          # spec §HT classification 3 [C]
            reasons.append(R_TWO_UNSATISFIED)
            advised = True
    if visit.adverse_reaction or visit.adverse_uncontrolled:   # spec §HT classification 2 [C]
        applicable.append(ADVERSE_REACTION)
        reasons.append(R_ADVERSE)
        if visit.adverse_uncontrolled:                       # spec §HT classification 3 [C]
            reasons.append(R_ADVERSE_UNCONTROLLED)
            advised = True
    if visit.complication_new_or_worse:                      # spec §HT classification 3 [C]
        applicable.append(COMPLICATION)
        reasons.append(R_COMPLICATION)
        advised = True
    classification = most_severe(applicable, CLASSIFICATIONS)   # spec §HT classification [S]
    if classification == SATISFIED:
        reasons.append(R_ON_TARGET)

    referral = REFERRAL_URGENT if emergency else REFERRAL_ADVISED if advised else REFERRAL_NONE
    routine = classification == SATISFIED and referral == REFERRAL_NONE
    next_due = add_days(visit.visit_date, routine_interval_days if routine else short_interval_days)
    return Decision(classification=classification, next_due=next_due, referral=referral, reasons=tuple(reasons))


# --- high-risk people (spec §HT "High-risk people (BP at least every 6 months)" [C]) ------------------

BMI_OVERWEIGHT, BMI_OBESE = 24, 28            # BMI 24–<28 or ≥28 [C]
WAIST_MEN_CM, WAIST_WOMEN_CM = 90, 85          # waist ≥90 cm (men) / ≥85 cm (women) [C]
LIQUOR_ML_PER_DAY = 100                        # liquor ≥100 ml/day [C]
HIGH_RISK_AGE = 55                             # age ≥55 [C]
HIGH_RISK_INTERVAL_MONTHS = 6                  # "BP at least every 6 months" [C]

MALE_CODES = frozenset({"1", "male", "m", "M"})      # GB/T 2261.1 "1" or a plain code
FEMALE_CODES = frozenset({"2", "female", "f", "F"})  # GB/T 2261.1 "2"

R_HIGH_NORMAL = "bp_high_normal"
R_OVERWEIGHT = "bmi_overweight"
R_OBESE = "bmi_obese"
R_WAIST = "central_obesity"
R_FAMILY = "family_history"
R_SALT = "high_salt"
R_LIQUOR = "liquor_ge_100ml"
R_AGE = "age_ge_55"
HIGH_RISK_REASONS = (R_HIGH_NORMAL, R_OVERWEIGHT, R_OBESE, R_WAIST, R_FAMILY, R_SALT, R_LIQUOR, R_AGE)


def high_risk_reasons(*, sbp: int | None = None, dbp: int | None = None, bmi: float | None = None,
                      waist_cm: float | None = None, sex: str | None = None, family_history: bool = False,
                      high_salt: bool = False, liquor_ml_per_day: float | None = None,
                      age: int | None = None) -> tuple[str, ...]:
    """The hypertension high-risk factors present (spec §HT high-risk people [C]), in HIGH_RISK_REASONS
    order; () when none. ``sex``: GB/T 2261.1 "1"/"2" or "male"/"female"; the waist rule needs it."""
    reasons: list[str] = []
    if is_high_normal(sbp, dbp):
        reasons.append(R_HIGH_NORMAL)
    if bmi is not None:
        if bmi >= BMI_OBESE:
            reasons.append(R_OBESE)
        elif bmi >= BMI_OVERWEIGHT:
            reasons.append(R_OVERWEIGHT)
    if waist_cm is not None and ((sex in MALE_CODES and waist_cm >= WAIST_MEN_CM)
                                 or (sex in FEMALE_CODES and waist_cm >= WAIST_WOMEN_CM)):
        reasons.append(R_WAIST)
    if family_history:
        reasons.append(R_FAMILY)
    if high_salt:
        reasons.append(R_SALT)
    if liquor_ml_per_day is not None and liquor_ml_per_day >= LIQUOR_ML_PER_DAY:
        reasons.append(R_LIQUOR)
    if age is not None and age >= HIGH_RISK_AGE:
        reasons.append(R_AGE)
    return tuple(reasons)


# --- who is in the programme (spec §HT "Who is in the programme" [C]) --------------------------------

def icd10_enrolment(code: str) -> str:
    """"enrol" for primary hypertension I10–I13, "refer" for secondary I15, "" otherwise
    (spec §HT who is in the programme [C]; identifiers.md ICD-10 codes of the programmes)."""
    normalized = code.strip().upper()
    if normalized[:3] in {"I10", "I11", "I12", "I13"}:
        return "enrol"
    if normalized[:3] == "I15":
        return "refer"
    return ""
