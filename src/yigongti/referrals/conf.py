"""Settings of the referral app: ``settings.YIGONGTI_REFERRALS`` (a dict) overrides these defaults.

- ``VALIDITY_DAYS`` (3): the validity window of a referral form in calendar days after the day of issue,
  China time (seed 000: 2024-11-08--2024-11-11).
- ``BED_HOLD_HOURS`` (24): how long an accepted up-referral's reserved bed is held for the patient (seed 000:
  "24小时绿色通道"); never beyond the end of the form's validity.
- ``RECENT_RESULTS_DAYS`` (365): how far back "attach recent results" reaches in the shared record.
- ``DOWN_BONUS_POINTS`` (5): reimbursement percentage points added on a down-referral (004, Zhijiang) [U].
"""
from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "VALIDITY_DAYS": 3,
    "BED_HOLD_HOURS": 24,
    "RECENT_RESULTS_DAYS": 365,
    "DOWN_BONUS_POINTS": 5,
}


def get(name: str):
    return {**DEFAULTS, **getattr(settings, "YIGONGTI_REFERRALS", {})}[name]
