"""Settings of the finance app: ``settings.YIGONGTI_FINANCE`` (a dict) overrides these defaults.

- ``BUDGET_RULE``: the county's global-budget rule as data (``rules.budget.rule_to_data``); default Zhijiang
  (seed 004): 10 % risk reserve and 5 % out-of-county of the gross fund, 25 yuan per insured person, paid
  quarterly in advance, surplus 6 : 3 : 1 by tier, within a tier by services, over-spend not made good.
- ``PUBLIC_HEALTH_SPLIT``: the public-health fund split (seed 000: 40 % village; 60 % half operating, half
  performance), ``rules.budget.parts_to_data`` shape.
- ``INSTITUTION_SURPLUS_SPLIT``: an institution's surplus after costs (seed 001 Sangzhi: 70 % performance, 30 %
  development fund).
- ``POINT_VALUES``: work points per service kind (``rules.workpoints.DEFAULT_VALUES``) until the office sets
  them (finance.PointValue rows win).
- ``EXPENSE_APPROVAL_THRESHOLD`` (10000): expenses at or above it wait for approval (seed 003).
- ``SERVICE_SOURCE_KINDS``: the people.services kinds counted as a village clinic's public-health services.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings

from yigongti.rules import budget, workpoints

DEFAULTS = {
    "BUDGET_RULE": budget.rule_to_data(budget.ZHIJIANG),
    "PUBLIC_HEALTH_SPLIT": budget.parts_to_data(budget.PUBLIC_HEALTH_SPLIT),
    "INSTITUTION_SURPLUS_SPLIT": budget.parts_to_data(budget.SANGZHI_SURPLUS_SPLIT),
    "POINT_VALUES": {k: str(v) for k, v in workpoints.DEFAULT_VALUES.items()},
    "EXPENSE_APPROVAL_THRESHOLD": "10000",
    "SERVICE_SOURCE_KINDS": None,  # None: every kind registered with people.services
}


def get(name: str):
    return {**DEFAULTS, **getattr(settings, "YIGONGTI_FINANCE", {})}[name]


def expense_threshold() -> Decimal:
    return Decimal(str(get("EXPENSE_APPROVAL_THRESHOLD")))
