"""The patient's expected inpatient deductible (起付线) on a referral within the consortium, pure: no Django.

records-referral-contracts.md "Referral form" [S]: 上转补差 — on an up-referral the patient pays only the
difference between the two levels' deductibles; 下转免起付线 — no deductible on a down-referral; set per
insurance scheme (职工/城乡居民) and hospital grade (一级/二级/三级). Seed 004 (Zhijiang): the deductible
continues across an up-referral within the consortium; a down-referral has none and +5 points reimbursement.
The amounts themselves are county data (a table the office edits); money in fen (integers, exact).
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .referral import DOWN, LATERAL, UP

# Result codes (the app translates them).
FULL = "full"                    # no referral rule applies: the receiving level's full deductible
UP_DIFFERENCE = "up_difference"  # 上转补差
DOWN_WAIVED = "down_waived"      # 下转免起付线
LATERAL_CONTINUES = "lateral_continues"  # same level: the deductible already paid continues
NOT_INPATIENT = "not_inpatient"  # an outpatient referral: the inpatient deductible does not apply
NO_RATE = "no_rate"              # the table has no amount for this scheme and grade


@dataclass(frozen=True)
class Deductible:
    code: str
    amount_fen: int | None          # what the patient is expected to pay (None: unknown / not applicable)
    receiving_fen: int | None = None  # the receiving level's full deductible
    sending_fen: int | None = None    # the sending level's deductible (already paid there)
    bonus_points: int = 0             # reimbursement percentage points added (down-referral, 004: +5)


def expected_deductible(*, scheme: str, direction: str, referral_type: str, from_level: str, to_level: str,
                        rates: Mapping[tuple[str, str], int], down_bonus_points: int = 0) -> Deductible:
    """``rates``: {(scheme, grade level "1"/"2"/"3"): deductible in fen}. ``referral_type``: "inpatient" or
    "outpatient" (the deductible is an inpatient one)."""
    if referral_type != "inpatient":
        return Deductible(NOT_INPATIENT, None)
    receiving = rates.get((scheme, to_level))
    sending = rates.get((scheme, from_level))
    if direction == DOWN:
        return Deductible(DOWN_WAIVED, 0, receiving, sending, bonus_points=down_bonus_points)
    if receiving is None:
        return Deductible(NO_RATE, None, None, sending)
    if direction == UP:
        if sending is None:
            return Deductible(NO_RATE, None, receiving, None)
        return Deductible(UP_DIFFERENCE, max(0, receiving - sending), receiving, sending)
    if direction == LATERAL:
        if sending is None:
            return Deductible(NO_RATE, None, receiving, None)
        return Deductible(LATERAL_CONTINUES, max(0, receiving - sending), receiving, sending)
    return Deductible(FULL, receiving, receiving, sending)
