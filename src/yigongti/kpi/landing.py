"""The role landing page's own figures: the county for the consortium office and the health bureau, the
user's institution for everyone else (year to date, with the year-on-year change)."""
from django.utils.translation import gettext_lazy as _

from yigongti.rules.indicators import COUNTY

from . import catalog, present
from .queries import Reader, home_cut, is_oversight, may_see_aggregates

COUNTY_CODES = ["national.primary_visit_share", "effect.outpatient_visits", "effect.inpatient_stays",
                "effect.drug_share", "effect.service_income_share", "national.tcm_visit_share"]
INSTITUTION_CODES = ["effect.outpatient_visits", "effect.inpatient_stays", "effect.outpatient_avg_cost",
                     "effect.inpatient_avg_cost", "effect.drug_share", "effect.service_income_share"]


def my_indicators(request):
    user = request.user
    if not may_see_aggregates(user):
        return None
    reader = Reader()
    cut = home_cut(user)
    if cut != COUNTY and int(cut.key) not in reader.shape.institutions:
        return None
    codes = COUNTY_CODES if is_oversight(user) else INSTITUTION_CODES
    period = present.default_period()
    cards = []
    for code in codes:
        indicator = catalog.get(code)
        if cut.level not in indicator.levels:
            continue
        reading = reader.reading(indicator, period, cut)
        cards.append({"d": catalog.describe(indicator), **present.row(reading, str(indicator.name))})
    return {
        "title": _("我的指标") + f" · {reader.shape.cut_label(cut)} · {present.period_label(period)}",
        "template": "kpi/landing.html",
        "context": {"cards": cards, "period": period, "cut": cut, "oversight": is_oversight(user)},
        "order": 30,
    }


SECTIONS = [my_indicators]
