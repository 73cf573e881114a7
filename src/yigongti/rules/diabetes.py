"""Type-2 diabetes (2型糖尿病患者健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Type-2 diabetes, cited as "spec §DM <part>" with the
digest's mark. Edges exactly as written: glucose ≥16.7 or ≤3.9 mmol/L is an emergency (16.6 and 4.0 are
not); 控制满意 is fasting glucose <7.0 (7.0 itself is not controlled and counts as raised).

Glucose values may be float, int, Decimal or a numeric string; they are compared as exact decimals of
their written form (Decimal("3.9") and 3.9 are the same value here), so a DecimalField value from the
database and a float from a form give the same answer at the edges.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from yigongti.rules import hypertension
from yigongti.rules.chronic import (
    REFERRAL_ADVISED,
    REFERRAL_NONE,
    REFERRAL_URGENT,
    Decision,
    RuleError,
    add_days,
    most_severe,
)

PROGRAMME = "diabetes"
MIN_AGE = 35                         # spec §DM population: resident T2DM patients ≥35 [C]

GLUCOSE_LOW = Decimal("3.9")         # spec §DM emergency: glucose ≤3.9 mmol/L [C]
GLUCOSE_TARGET = Decimal("7.0")      # spec §DM classification: 控制满意 fasting <7.0; first ≥7.0 → adjust [C]
GLUCOSE_HIGH = Decimal("16.7")       # spec §DM emergency: glucose ≥16.7 mmol/L [C]
HEART_RATE_MAX = 100                 # spec §DM emergency: persistent heart rate >100/min [C]
TEMPERATURE_MAX = Decimal("39")      # spec §DM emergency: temperature >39 °C [C]
ROUTINE_INTERVAL_DAYS = 90           # "≥4 face-to-face follow-ups a year" → quarterly; no number given [U]
SHORT_INTERVAL_DAYS = 14             # spec §DM: "follow up within 2 weeks" [C]

SATISFIED = "satisfied"
UNSATISFIED = "unsatisfied"
ADVERSE_REACTION = "adverse_reaction"
COMPLICATION = "complication"
# The form's 1控制满意 2控制不满意 3不良反应 4并发症, least severe first; most severe wins [S].
CLASSIFICATIONS = (SATISFIED, UNSATISFIED, ADVERSE_REACTION, COMPLICATION)
FORM_CLASSIFICATION_NUMBERS = {1: SATISFIED, 2: UNSATISFIED, 3: ADVERSE_REACTION, 4: COMPLICATION}

# The diabetes form's 症状 boxes. Not listed in the digest: taken from the national form
# (2型糖尿病患者随访服务记录表, 规范 第三版) [U].
FORM_SYMPTOMS = {
    1: "none",                 # 无症状
    2: "polydipsia",           # 多饮
    3: "polyphagia",           # 多食
    4: "polyuria",             # 多尿
    5: "blurred_vision",       # 视力模糊
    6: "infection",            # 感染
    7: "hand_foot_numbness",   # 手脚麻木
    8: "leg_oedema",           # 下肢浮肿
    9: "marked_weight_loss",   # 体重明显下降
}
SYMPTOMS = frozenset(FORM_SYMPTOMS.values()) | {"other"}
# Emergency signs (spec §DM emergency referral [C]). 多饮 and 多尿 are on both lists with the same
# words, so they share the code: ticking them triggers the emergency rule (the doctor may override).
EMERGENCY_SYMPTOMS = (
    "altered_consciousness_or_behaviour",  # 意识或行为改变
    "acetone_breath",                      # 呼气有烂苹果丙酮味
    "palpitation",                         # 心悸
    "sweating",                            # 出汗
    "loss_of_appetite",                    # 食欲减退
    "nausea",                              # 恶心
    "vomiting",                            # 呕吐
    "polydipsia",                          # 多饮
    "polyuria",                            # 多尿
    "abdominal_pain",                      # 腹痛
    "deep_rapid_breathing",                # 深大呼吸
    "flushed_skin",                        # 皮肤潮红
)
ALL_SYMPTOMS = SYMPTOMS | frozenset(EMERGENCY_SYMPTOMS)

R_GLUCOSE_HIGH = "glucose_ge_16_7"
R_GLUCOSE_LOW = "glucose_le_3_9"
R_SBP_EMERGENCY = hypertension.R_SBP_EMERGENCY    # "sbp_ge_180"
R_DBP_EMERGENCY = hypertension.R_DBP_EMERGENCY    # "dbp_ge_110"
R_HEART_RATE = "heart_rate_gt_100"
R_TEMPERATURE = "temperature_gt_39"
R_VISION_LOSS = "sudden_vision_loss"
R_PREGNANT = "pregnant_or_breastfeeding_raised_glucose"
R_CANNOT_HANDLE = "cannot_handle"
R_NOT_ON_TARGET = "glucose_not_on_target"
R_TWO_UNSATISFIED = "two_consecutive_unsatisfied"
R_ADVERSE = "adverse_reaction"
R_ADVERSE_UNCONTROLLED = "adverse_reaction_uncontrolled"
R_COMPLICATION = "complication_new_or_worse"
R_ON_TARGET = "glucose_on_target"


def symptom_reason(symptom: str) -> str:
    return f"symptom_{symptom}"


def to_decimal(value) -> Decimal:
    """A glucose or temperature as the exact decimal of its written form (float 3.9 → Decimal("3.9"))."""
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool):
        raise RuleError("not_a_number")
    else:
        try:
            result = Decimal(str(value).strip())
        except InvalidOperation:
            raise RuleError("not_a_number") from None
    if not result.is_finite():
        raise RuleError("not_a_number")
    return result


def is_raised_glucose(fasting) -> bool:
    """Fasting glucose ≥7.0 mmol/L (spec §DM classification: "first ≥7.0" [C])."""
    return to_decimal(fasting) >= GLUCOSE_TARGET


def is_controlled(fasting_glucose) -> bool:
    """控制满意 on glucose: fasting <7.0 mmol/L (spec §DM classification [C]; 血糖控制率, spec §Programme
    indicators [S]). None (not measured) is not controlled."""
    if fasting_glucose is None:
        return False
    return to_decimal(fasting_glucose) < GLUCOSE_TARGET


def emergency_reasons(*, fasting_glucose=None, sbp: int | None = None, dbp: int | None = None,
                      heart_rate: int | None = None, temperature=None,
                      symptoms: frozenset[str] | set[str] = frozenset(),
                      pregnant_or_breastfeeding: bool = False, sudden_vision_loss: bool = False,
                      cannot_handle: bool = False, random_glucose=None) -> tuple[str, ...]:
    """The emergency-referral criteria that apply (spec §DM emergency referral [C]); () when none.

    The glucose rule is "glucose ≥16.7 or ≤3.9" for any glucose, so a random (non-fasting) value may be
    passed too. ``heart_rate`` is the persistent rate (the doctor judges persistence). Codes, in order:
    glucose_ge_16_7, glucose_le_3_9, sbp_ge_180, dbp_ge_110, symptom_<code> (EMERGENCY_SYMPTOMS order),
    heart_rate_gt_100, temperature_gt_39, sudden_vision_loss, pregnant_or_breastfeeding_raised_glucose
    (any glucose ≥7.0 in pregnancy or breast-feeding), cannot_handle.
    """
    glucoses = [to_decimal(g) for g in (fasting_glucose, random_glucose) if g is not None]
    reasons: list[str] = []
    if any(g >= GLUCOSE_HIGH for g in glucoses):
        reasons.append(R_GLUCOSE_HIGH)
    if any(g <= GLUCOSE_LOW for g in glucoses):
        reasons.append(R_GLUCOSE_LOW)
    if sbp is not None and sbp >= hypertension.SBP_EMERGENCY:
        reasons.append(R_SBP_EMERGENCY)
    if dbp is not None and dbp >= hypertension.DBP_EMERGENCY:
        reasons.append(R_DBP_EMERGENCY)
    reasons.extend(symptom_reason(code) for code in EMERGENCY_SYMPTOMS if code in symptoms)
    if heart_rate is not None and heart_rate > HEART_RATE_MAX:
        reasons.append(R_HEART_RATE)
    if temperature is not None and to_decimal(temperature) > TEMPERATURE_MAX:
        reasons.append(R_TEMPERATURE)
    if sudden_vision_loss:
        reasons.append(R_VISION_LOSS)
    if pregnant_or_breastfeeding and any(g >= GLUCOSE_TARGET for g in glucoses):
        reasons.append(R_PREGNANT)
    if cannot_handle:
        reasons.append(R_CANNOT_HANDLE)
    return tuple(reasons)


@dataclass(frozen=True)
class DiabetesVisit:
    """The facts of one diabetes follow-up that the classification depends on."""

    visit_date: dt.date
    fasting_glucose: Decimal | float | None
    sbp: int | None = None
    dbp: int | None = None
    heart_rate: int | None = None
    temperature: Decimal | float | None = None
    symptoms: frozenset[str] = field(default_factory=frozenset)
    adverse_reaction: bool = False
    adverse_uncontrolled: bool = False
    complication_new_or_worse: bool = False
    pregnant_or_breastfeeding: bool = False
    sudden_vision_loss: bool = False
    cannot_handle: bool = False
    random_glucose: Decimal | float | None = None


def classify(visit: DiabetesVisit, previous_classification: str | None, *,
             routine_interval_days: int = ROUTINE_INTERVAL_DAYS, short_interval_days: int = SHORT_INTERVAL_DAYS,
             refer_uncontrolled_adverse: bool = True) -> Decision:
    """Classify a diabetes follow-up (spec §DM classification [C], most severe wins [S]).

    - classification: complication > adverse_reaction > unsatisfied (fasting ≥7.0) > satisfied (<7.0).
    - referral "advised": fasting ≥7.0 now and the previous visit recorded ``unsatisfied`` (two consecutive
      ≥7.0) or a new/worse complication [C]; an adverse reaction that cannot be controlled too when
      ``refer_uncontrolled_adverse`` (the digest lists that for hypertension only; the national text has the
      same sentence for diabetes [U]). "urgent": any emergency criterion [C].
    - next_due: visit + ``short_interval_days`` unless satisfied with no referral, then
      + ``routine_interval_days``.

    The fasting glucose is required (RuleError "glucose_required").
    """
    if visit.fasting_glucose is None:
        raise RuleError("glucose_required")
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    if set(visit.symptoms) - ALL_SYMPTOMS:
        raise RuleError("unknown_symptom")
    emergency = emergency_reasons(
        fasting_glucose=visit.fasting_glucose, sbp=visit.sbp, dbp=visit.dbp, heart_rate=visit.heart_rate,
        temperature=visit.temperature, symptoms=visit.symptoms,
        pregnant_or_breastfeeding=visit.pregnant_or_breastfeeding, sudden_vision_loss=visit.sudden_vision_loss,
        cannot_handle=visit.cannot_handle, random_glucose=visit.random_glucose)
    applicable = [SATISFIED]
    reasons: list[str] = list(emergency)
    advised = False
    if not is_controlled(visit.fasting_glucose):
        applicable.append(UNSATISFIED)
        reasons.append(R_NOT_ON_TARGET)
        if previous_classification == UNSATISFIED:          # spec §DM: two consecutive ≥7.0 [C]
            reasons.append(R_TWO_UNSATISFIED)
            advised = True
    if visit.adverse_reaction or visit.adverse_uncontrolled:  # spec §DM: adverse reaction → adjust [C]
        applicable.append(ADVERSE_REACTION)
        reasons.append(R_ADVERSE)
        if visit.adverse_uncontrolled and refer_uncontrolled_adverse:   # [U]
            reasons.append(R_ADVERSE_UNCONTROLLED)
            advised = True
    if visit.complication_new_or_worse:                      # spec §DM: new/worse complication [C]
        applicable.append(COMPLICATION)
        reasons.append(R_COMPLICATION)
        advised = True
    classification = most_severe(applicable, CLASSIFICATIONS)
    if classification == SATISFIED:
        reasons.append(R_ON_TARGET)
    referral = REFERRAL_URGENT if emergency else REFERRAL_ADVISED if advised else REFERRAL_NONE
    routine = classification == SATISFIED and referral == REFERRAL_NONE
    next_due = add_days(visit.visit_date, routine_interval_days if routine else short_interval_days)
    return Decision(classification=classification, next_due=next_due, referral=referral, reasons=tuple(reasons))


def icd10_enrolment(code: str) -> str:
    """"enrol" for type-2 diabetes E11, "" otherwise (E10 type 1, E14 unspecified are not in the T2DM
    programme; spec §DM population [C]; identifiers.md ICD-10 codes)."""
    return "enrol" if code.strip().upper()[:3] == "E11" else ""
