"""Severe mental disorders (严重精神障碍患者管理) rules. Pure: no Django; returns codes, never text.

Source: ../shared/domain/public-health-spec.md §Severe mental disorders, cited as "spec §SMD <part>";
ICD-10 pairings from ../shared/domain/identifiers.md "ICD-10 codes of the programmes".
These are sensitive records: the app guards access; the rules only classify.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from yigongti.rules.chronic import (
    REFERRAL_NONE,
    REFERRAL_URGENT,
    Decision,
    RuleError,
    add_days,
    add_months,
)

PROGRAMME = "mental"

# --- the six diseases (spec §SMD "Six diseases" [C]) with their ICD-10 codes (identifiers.md) ---------
SCHIZOPHRENIA = "schizophrenia"                          # 精神分裂症 F20
SCHIZOAFFECTIVE = "schizoaffective"                      # 分裂情感性障碍 F25
PERSISTENT_DELUSIONAL = "persistent_delusional"          # 偏执性精神病 F22
BIPOLAR = "bipolar"                                      # 双相障碍 F31
EPILEPSY_PSYCHOSIS = "epilepsy_mental_disorder"          # 癫痫所致精神障碍 F06 with G40 [S/U]
INTELLECTUAL_DISABILITY = "intellectual_disability_mental_disorder"  # 精神发育迟滞伴发精神障碍 F70–F79 [S/U]
DISEASES = (SCHIZOPHRENIA, SCHIZOAFFECTIVE, PERSISTENT_DELUSIONAL, BIPOLAR, EPILEPSY_PSYCHOSIS,
            INTELLECTUAL_DISABILITY)
ICD10_PREFIXES = {
    SCHIZOPHRENIA: ("F20",),
    SCHIZOAFFECTIVE: ("F25",),
    PERSISTENT_DELUSIONAL: ("F22",),
    BIPOLAR: ("F31",),
    EPILEPSY_PSYCHOSIS: ("F06",),
    INTELLECTUAL_DISABILITY: ("F70", "F71", "F72", "F73", "F78", "F79"),
}


def disease_for_icd10(code: str, *, secondary_codes: tuple[str, ...] = ()) -> str | None:
    """The programme disease of an ICD-10 code, or None. F06 counts only with epilepsy (G40) among
    ``secondary_codes`` (identifiers.md: "mental disorders due to epilepsy F06 with G40" [S/U])."""
    prefix = code.strip().upper()[:3]
    for disease, prefixes in ICD10_PREFIXES.items():
        if prefix in prefixes:
            if disease == EPILEPSY_PSYCHOSIS and not any(
                    c.strip().upper().startswith("G40") for c in secondary_codes):
                return None
            return disease
    return None


# --- risk levels 0–5 (spec §SMD "Risk levels" [C]) ------------------------------------------------------
RISK_LEVELS = {
    0: "no_risk",                        # 无符合以下1–5级中的任何行为
    1: "verbal_threats",                 # 口头威胁、喊叫, 但没有打砸行为
    2: "smashing_at_home_stops",         # 打砸行为, 局限在家里, 针对财物, 能被劝说制止
    3: "smashing_anywhere_not_stopping",  # 明显打砸行为, 不分场合, 针对财物, 不能接受劝说而停止
    4: "persistent_violence",            # 持续打砸, 针对财物或人, 包括自伤、自杀, 不能接受劝说而停止
    5: "weapon_arson_explosion",         # 持械针对人的暴力行为, 或纵火、爆炸等
}

STABLE = "stable"                       # 稳定
BASICALLY_STABLE = "basically_stable"   # 基本稳定
UNSTABLE = "unstable"                   # 不稳定
CLASSIFICATIONS = (STABLE, BASICALLY_STABLE, UNSTABLE)   # least severe first

INSIGHT = ("none", "partial", "full")                # 自知力: 无 / 不全 / 基本恢复(full)
SOCIAL_FUNCTION = ("good", "fair", "poor")           # 社会功能: 良好 / 一般 / 较差
ADVERSE = ("none", "mild", "acute")                  # 药物不良反应: 无 / 有(非急性) / 急性或严重

STABLE_INTERVAL_MONTHS = 3         # spec §SMD 稳定: "next follow-up in 3 months" [C]
UNSTABLE_INTERVAL_DAYS = 14        # spec §SMD 不稳定: "if not admitted, follow up within 2 weeks" [C]
RECHECK_DAYS = 14                  # spec §SMD 基本稳定: "re-check in 2 weeks" [U]
SPECIALIST_INTERVAL_MONTHS = 1     # spec §SMD 基本稳定: "else specialist guidance and 1 month" [U]

R_RISK = "risk_level_{}"                     # risk_level_0 … risk_level_5
R_PSYCHOTIC = "psychotic_symptoms_obvious"
R_SYMPTOMS_REMAIN = "psychotic_symptoms_remain"
R_NO_INSIGHT = "no_insight"
R_PARTIAL_INSIGHT = "partial_insight"
R_SOCIAL_POOR = "social_function_poor"
R_ACUTE_ADVERSE = "acute_adverse_reaction"
R_PHYSICAL = "serious_physical_illness"
R_RECHECK = "recheck_in_2_weeks"
R_SPECIALIST = "specialist_guidance"


@dataclass(frozen=True)
class MentalVisit:
    """One follow-up's risk assessment and state.

    ``psychotic_symptoms_obvious``: 精神症状明显. ``symptoms_largely_gone``: 精神症状基本消失; None means
    "not obvious ⇒ largely gone" (the form has the three states 明显 / 部分 / 基本消失; pass False for
    部分). ``previous_basically_stable_checks``: how many visits in a row just before this one were
    basically_stable (0 when unknown: then ``previous_classification`` decides).
    """

    visit_date: dt.date
    risk_level: int
    psychotic_symptoms_obvious: bool
    insight: str
    social_function: str
    adverse_reaction: str
    serious_physical_illness: bool
    previous_basically_stable_checks: int = 0
    symptoms_largely_gone: bool | None = None


def _validate(visit: MentalVisit) -> None:
    if visit.risk_level not in RISK_LEVELS:
        raise RuleError("unknown_risk_level")
    if visit.insight not in INSIGHT:
        raise RuleError("unknown_insight")
    if visit.social_function not in SOCIAL_FUNCTION:
        raise RuleError("unknown_social_function")
    if visit.adverse_reaction not in ADVERSE:
        raise RuleError("unknown_adverse_reaction")
    if visit.previous_basically_stable_checks < 0:
        raise RuleError("negative_count")


def classify(visit: MentalVisit, previous_classification: str | None, *,
             stable_interval_months: int = STABLE_INTERVAL_MONTHS,
             unstable_interval_days: int = UNSTABLE_INTERVAL_DAYS,
             recheck_days: int = RECHECK_DAYS,
             specialist_interval_months: int = SPECIALIST_INTERVAL_MONTHS) -> Decision:
    """Classify a follow-up (spec §SMD [C]/[U]).

    - unstable [C]: risk 3–5, obvious psychotic symptoms, no insight, an acute adverse reaction or a serious
      physical illness → referral "urgent" (refer at once, police if needed), next due in 2 weeks (the
      follow-up "if not admitted").
    - stable [C]: risk 0, symptoms largely gone, insight back (full), social function fair or good, no
      serious (acute) adverse reaction → keep the plan, next due in 3 months.
    - basically_stable [U]: everything else (risk 1–2, or one aspect poor: symptoms remaining, partial
      insight, poor social function). The first time → re-check in 2 weeks (reason recheck_in_2_weeks);
      still basically stable at the re-check (the previous visit was basically stable) → specialist guidance
      and 1 month (reason specialist_guidance); referral "" (guidance is not a referral).
    """
    _validate(visit)
    if previous_classification is not None and previous_classification not in CLASSIFICATIONS:
        raise RuleError("unknown_classification")
    risk = R_RISK.format(visit.risk_level)
    largely_gone = (not visit.psychotic_symptoms_obvious if visit.symptoms_largely_gone is None
                    else visit.symptoms_largely_gone and not visit.psychotic_symptoms_obvious)

    unstable: list[str] = []
    if visit.risk_level >= 3:
        unstable.append(risk)
    if visit.psychotic_symptoms_obvious:
        unstable.append(R_PSYCHOTIC)
    if visit.insight == "none":
        unstable.append(R_NO_INSIGHT)
    if visit.adverse_reaction == "acute":
        unstable.append(R_ACUTE_ADVERSE)
    if visit.serious_physical_illness:
        unstable.append(R_PHYSICAL)
    if unstable:                                   # spec §SMD 不稳定 [C]
        return Decision(UNSTABLE, add_days(visit.visit_date, unstable_interval_days), REFERRAL_URGENT,
                        tuple(unstable))

    poor: list[str] = []
    if visit.risk_level in (1, 2):
        poor.append(risk)
    if not largely_gone:
        poor.append(R_SYMPTOMS_REMAIN)
    if visit.insight == "partial":
        poor.append(R_PARTIAL_INSIGHT)
    if visit.social_function == "poor":
        poor.append(R_SOCIAL_POOR)
    if not poor:                                   # spec §SMD 稳定 [C]
        return Decision(STABLE, add_months(visit.visit_date, stable_interval_months), REFERRAL_NONE,
                        (risk,))

    # spec §SMD 基本稳定 [U]
    in_a_row = visit.previous_basically_stable_checks or (1 if previous_classification == BASICALLY_STABLE else 0)
    if in_a_row:
        return Decision(BASICALLY_STABLE, add_months(visit.visit_date, specialist_interval_months),
                        REFERRAL_NONE, (*poor, R_SPECIALIST))
    return Decision(BASICALLY_STABLE, add_days(visit.visit_date, recheck_days), REFERRAL_NONE,
                    (*poor, R_RECHECK))
