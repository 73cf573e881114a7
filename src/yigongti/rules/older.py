"""Older people (老年人健康管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Older people, cited as "spec §Older <part>".
TCM constitution identification (中医体质辨识) is one of the 12 categories (spec "The 12 service categories"
[C], 中医药健康管理); the digest gives no questionnaire scores, so the doctor records the identified
constitution and the rules only attach the guidance codes (marked [S] below).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from yigongti.rules.chronic import REFERRAL_NONE, Decision, RuleError, add_months

PROGRAMME = "older"

MIN_AGE = 65               # spec §Older: every resident (常住) aged ≥65 [C]
INTERVAL_MONTHS = 12       # spec §Older: every year [C]

# --- self-care ability (生活自理能力评分), spec §Older "Self-care score" [C] -------------------------------
INDEPENDENT = "independent"      # 0–3 可自理
MILD = "mild_dependence"         # 4–8 轻度依赖
MODERATE = "moderate_dependence"  # 9–18 中度依赖
DEPENDENT = "dependent"          # ≥19 不能自理
# the visit's classification is the self-care band, least severe first (the engine's risk order)
CLASSIFICATIONS = (INDEPENDENT, MILD, MODERATE, DEPENDENT)
BANDS = ((0, 3, INDEPENDENT), (4, 8, MILD), (9, 18, MODERATE), (19, None, DEPENDENT))  # spec §Older [C]

# --- TCM constitutions (中医体质辨识; the nine types of 中医药健康管理 [S]) --------------------------------
BALANCED = "balanced"             # 平和质
CONSTITUTIONS = (BALANCED, "qi_deficiency", "yang_deficiency", "yin_deficiency", "phlegm_dampness",
                 "damp_heat", "blood_stasis", "qi_stagnation", "inherited_special")
# the guidance given for every identified constitution (情志调摄, 饮食调养, 起居调摄, 运动保健, 穴位保健) [S]
TCM_GUIDANCE = ("emotion", "diet", "daily_routine", "exercise", "acupoint")

# --- findings routed to the chronic programmes (spec §Older "guidance": hypertension/diabetes found →
# chronic programme [C]; the thresholds are the programmes' own, spec §Hypertension screening and
# §Type-2 diabetes [C]) -----------------------------------------------------------------------------
BP_RAISED = (140, 90)                   # spec §Hypertension screening: SBP ≥140 and/or DBP ≥90 [C]
GLUCOSE_RAISED = Decimal("7.0")         # spec §Type-2 diabetes: fasting glucose ≥7.0 is not on target [C]
R_BP = "older_bp_raised_screen"         # → hypertension screening (VitalsRecorded)
R_GLUCOSE = "older_glucose_raised_screen"  # → diabetes screening
R_TCM = "tcm_guidance"
R_SELF_CARE = "self_care_{}"


def self_care_band(score: int) -> str:
    """0–3 可自理, 4–8 轻度依赖, 9–18 中度依赖, ≥19 不能自理 (spec §Older [C])."""
    if not isinstance(score, int) or isinstance(score, bool) or score < 0:
        raise RuleError("self_care_score_invalid")
    for low, high, band in BANDS:
        if score >= low and (high is None or score <= high):
            return band
    raise RuleError("self_care_score_invalid")  # pragma: no cover - the bands cover every score ≥0


def is_eligible(age: int | None, is_resident: bool) -> bool:
    """常住 and aged ≥65 (spec §Older [C]); every year, not only those turning 65."""
    return bool(is_resident) and age is not None and age >= MIN_AGE


def first_due(birth_date: dt.date, today: dt.date) -> dt.date:
    """When a resident enters the programme: due now if already 65, else on the 65th birthday."""
    birthday = add_months(birth_date, 12 * MIN_AGE)
    return max(birthday, today)


def tcm_guidance(constitution: str) -> tuple[str, ...]:
    """The guidance codes for an identified constitution ([S]: all five aspects for every type)."""
    if constitution not in CONSTITUTIONS:
        raise RuleError("unknown_constitution")
    return TCM_GUIDANCE


@dataclass(frozen=True)
class OlderVisit:
    visit_date: dt.date
    self_care_score: int
    sbp: int | None = None
    dbp: int | None = None
    fasting_glucose: Decimal | None = None
    constitution: str = ""


def findings(visit: OlderVisit) -> tuple[str, ...]:
    """Raised BP or glucose at the annual visit → the chronic programmes' screening (spec §Older [C])."""
    out = []
    if (visit.sbp is not None and visit.sbp >= BP_RAISED[0]) or (visit.dbp is not None and visit.dbp >= BP_RAISED[1]):
        out.append(R_BP)
    if visit.fasting_glucose is not None and Decimal(str(visit.fasting_glucose)) >= GLUCOSE_RAISED:
        out.append(R_GLUCOSE)
    return tuple(out)


def classify(visit: OlderVisit, previous_classification: str | None = None, **_settings) -> Decision:
    """The annual visit: the self-care band is the classification, the next visit is due a year later
    (spec §Older "every year" [C]); BP/glucose findings and TCM guidance are reasons. No referral: raised
    readings go to screening, where the chronic programmes' own rules decide."""
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    band = self_care_band(visit.self_care_score)
    reasons = [R_SELF_CARE.format(band), *findings(visit)]
    if visit.constitution:
        tcm_guidance(visit.constitution)
        reasons.append(R_TCM)
    return Decision(band, add_months(visit.visit_date, INTERVAL_MONTHS), REFERRAL_NONE, tuple(reasons))
