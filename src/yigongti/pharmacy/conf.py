"""Settings of the pharmacy app: ``settings.YIGONGTI_PHARMACY`` (a dict) overrides these defaults.

- ``REVIEW_MODE`` ("sampled"): pharmacist review of primary-level prescriptions, "before" (dispensing waits for
  an approving review) or "sampled" (dispensed at once; a sample is reviewed afterwards) — a county setting
  (records-referral-contracts.md "Prescribing").
- ``SAMPLE_EVERY`` (10): in "sampled" mode every N-th prescription of an institution is flagged for review.
- ``ORDINARY_MAX_DAYS`` (30): the longest ordinary (not long-term) prescription [U]; 处方管理办法 第十九条 says
  7 days "in general", longer for chronic and elderly patients.
- ``LONG_MAX_DAYS`` (84): long prescriptions at most 12 weeks (长期处方管理规范 2021).
- ``NEAR_EXPIRY_DAYS`` (90): a batch expiring within this many days is "near expiry".
"""
from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "REVIEW_MODE": "sampled",
    "SAMPLE_EVERY": 10,
    "ORDINARY_MAX_DAYS": 30,
    "LONG_MAX_DAYS": 84,
    "NEAR_EXPIRY_DAYS": 90,
}


def get(name: str):
    return {**DEFAULTS, **getattr(settings, "YIGONGTI_PHARMACY", {})}[name]
