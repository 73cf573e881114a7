"""Helpers of the finance tests: settlement lines and a CSV in the documented layout."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from yigongti.finance import actions

D = Decimal


def line(user, *, month=dt.date(2026, 3, 1), scheme="resident", care="inpatient", in_county=True, code="H001",
         name="", cases=10, persons=None, total_cost="10000", fund_paid="7000"):
    return actions.save_settlement(user, month=month, scheme=scheme, care=care, in_county=in_county,
                                   provider_code=code, provider_name=name, cases=cases,
                                   persons=cases if persons is None else persons, total_cost=D(total_cost),
                                   fund_paid=D(fund_paid))


HEADER = "结算月份,险种,类别,县域内,定点机构编码,定点机构名称,结算人次,结算人数,医疗总费用,基金支付\n"
