"""County settings of the family-doctor app: ``settings.YIGONGTI_FAMILYDOCTOR`` overrides these keys.

- ``term_months``: default contract term (records-referral-contracts.md: "in principle not less than one
  year", default 1 year).
- ``fee_shares``: how a package's yearly fee splits between the insurance fund, the basic public-health
  fund and the resident, per package kind [U: the split is a county setting; seed 000: the basic package is
  paid by public-health funds + insurance, the resident pays nothing; personalised packages by the resident].
"""
from __future__ import annotations

from django.conf import settings

DEFAULTS = {
    "term_months": 12,
    "fee_shares": {
        "basic": {"insurance": 50, "public_health": 50, "resident": 0},
        "personal": {"insurance": 0, "public_health": 0, "resident": 100},
    },
    "card_rate_per_minute": 30,
}

PARTS = ("insurance", "public_health", "resident")


def get(key: str):
    return getattr(settings, "YIGONGTI_FAMILYDOCTOR", {}).get(key, DEFAULTS[key])
