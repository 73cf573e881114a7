"""Settings of the programme engine: ``settings.YIGONGTI_CHRONIC`` overrides any key (a [U] rule of the digest is
a setting with the digest's value as default)."""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings

DEFAULTS = {
    # 管理率 denominator: 常住 residents ≥35 × provincial prevalence [S] (fractions).
    "PREVALENCE": {"hypertension": Decimal("0.25"), "diabetes": Decimal("0.10")},
    # the assessment year starts on this month/day (calendar year by default) [U]
    "ASSESSMENT_YEAR_START": (1, 1),
    "REQUIRED_FACE_TO_FACE": 4,          # "至少4次面对面随访" [C]
    "PRO_RATA": "quarters",              # rules.chronic_rates pro-rata rule for mid-year enrolees [U]
    "ELDERLY_TARGET": (150, 90),         # hypertension target from age 65 [U]
    "ELDERLY_AGE": 65,
    "SCREENING_MIN_AGE": 35,
    "DUE_WINDOW_DAYS": 7,                # "due this week"
    "NOT_SEEN_MONTHS": 3,
    "LOST_MONTHS": 12,
    "PAGE_SIZE": 50,
}


def get(key: str):
    overrides = getattr(settings, "YIGONGTI_CHRONIC", {}) or {}
    return overrides.get(key, DEFAULTS[key])
