"""The population programmes' rates in the one indicator catalog (appended to ``chronic/indicators.py``'s
``INDICATORS``), each computed by ``figure()`` from plain records (live from the database, pure from the
fixture, drill-down from the same numerator ids):

- 老年人健康管理率 = 常住 residents aged ≥65 at the year's end with an annual visit in the year / 常住 ≥65
  (org population denominators, band 65+)                                    (spec §Older [C])
- 0–6岁儿童健康管理率 = children aged 0–6 at the year's end with ≥1 check in the year / 常住 0–6 (bands 0-2, 3-6)
- 3岁以下儿童系统管理率 = children under 3 at the year's end who had every check due in the year up to 36 months
  (``rules.child.done_on_schedule``) / 常住 0–2 (band 0-2)                     (spec §Child [C])
- 早孕建册率 = women delivering in the year (delivery date, else the expected date) registered before 13 weeks
  / live births (org AreaYearFigures)                                         (spec §Maternal [C])
- 产后访视率 = women delivering in the year with a postpartum visit within 28 days of the delivery / live births

A resident counts for the area of their residence."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from yigongti.rules import child as child_rules
from yigongti.rules import indicators as rules
from yigongti.rules import maternal as maternal_rules
from yigongti.rules.indicators import UNIT_PERCENT, Indicator

LEVELS = ("county", "township")
GROUP = _("基本公共卫生·重点人群健康管理")
POSTPARTUM_WITHIN_DAYS = 28   # 产后访视率: a visit within 28 days of the delivery [S]


@dataclass
class Member:
    """One resident's enrolment in a population programme, as the rates read it."""

    resident_id: int
    area_id: int
    birth_date: dt.date
    is_resident: bool
    enrolled_on: dt.date
    details: dict = field(default_factory=dict)
    visits: list[tuple[dt.date, tuple[str, ...]]] = field(default_factory=list)   # (date, reasons)


def _age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _date(value):
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value) if value else None


def _in_year(visits, start, end):
    return [(d, r) for d, r in visits if start <= d <= end]


def _delivery(m: Member) -> dt.date | None:
    d = m.details or {}
    if d.get("delivery_date"):
        return _date(d["delivery_date"])
    try:
        return maternal_rules.edd_from(maternal_rules.lmp_from(_date(d.get("lmp")), _date(d.get("edd"))))
    except maternal_rules.RuleError:
        return None


def numerator(measure: str, members, year: int) -> set[int]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    out = set()
    for m in members:
        if measure == "older_management":
            if m.is_resident and _age_on(m.birth_date, end) >= 65 and _in_year(m.visits, start, end):
                out.add(m.resident_id)
        elif measure == "child_management":
            if m.is_resident and 0 <= _age_on(m.birth_date, end) <= 6 and _in_year(m.visits, start, end):
                out.add(m.resident_id)
        elif measure == "child_systematic":
            if not (m.is_resident and _age_on(m.birth_date, end) < 3):
                continue
            done = {}
            for d, reasons in m.visits:
                for r in reasons:
                    if r.startswith("check_"):
                        done.setdefault(r[6:], d)
            if child_rules.done_on_schedule(m.birth_date, done, year_start=start, year_end=end,
                                            discharge_date=_date((m.details or {}).get("discharge_date"))):
                out.add(m.resident_id)
        elif measure in ("maternal_early", "maternal_postpartum"):
            delivered = _delivery(m)
            if delivered is None or not start <= delivered <= end:
                continue
            if measure == "maternal_early":
                try:
                    lmp = maternal_rules.lmp_from(_date(m.details.get("lmp")), _date(m.details.get("edd")))
                except maternal_rules.RuleError:
                    continue
                if m.enrolled_on >= lmp and maternal_rules.registered_early(lmp, m.enrolled_on):
                    out.add(m.resident_id)
            elif (m.details or {}).get("delivery_date") and any(
                    "contact_postpartum_visit" in reasons and 0 <= (d - delivered).days <= POSTPARTUM_WITHIN_DAYS
                    for d, reasons in m.visits):
                out.add(m.resident_id)
    return out


PROGRAMME_OF = {"older_management": "older", "child_management": "child", "child_systematic": "child",
                "maternal_early": "maternal", "maternal_postpartum": "maternal"}
BANDS = {"older_management": ("65+",), "child_management": ("0-2", "3-6"), "child_systematic": ("0-2",)}


def _within(members, area_ids):
    return [m for m in members if area_ids is None or m.area_id in area_ids]


def _denominator(measure, records, area_ids, year) -> int:
    if measure in BANDS:
        table = records["population"]
        return sum(n for (area_id, y, band), n in table.items()
                   if y == year and band in BANDS[measure] and (area_ids is None or area_id in area_ids))
    return sum(n for (area_id, y), n in records["births"].items()
               if y == year and (area_ids is None or area_id in area_ids))


def figure(measure: str, records: dict, period: rules.Period, area_ids) -> rules.Figure:
    members = _within(records["members"].get(PROGRAMME_OF[measure], []), area_ids)
    return rules.make_figure(len(numerator(measure, members, period.year)),
                             _denominator(measure, records, area_ids, period.year), UNIT_PERCENT)


# --- loading the records from the database ------------------------------------------------------------

def load_members(programme: str, *, until: dt.date) -> list[Member]:
    """The programme's members (one per resident: the latest enrolment's details, the earliest date) with
    their visits (date, reasons) up to ``until``. Two queries."""
    from .models import Enrolment, Visit

    by_resident: dict[int, Member] = {}
    for row in (Enrolment.objects.filter(programme=programme, enrolled_on__lte=until).order_by("enrolled_on", "pk")
                .values("resident_id", "resident__area_id", "resident__birth_date", "resident__is_resident",
                        "enrolled_on", "details")):
        m = by_resident.get(row["resident_id"])
        if m is None:
            by_resident[row["resident_id"]] = Member(row["resident_id"], row["resident__area_id"],
                                                     row["resident__birth_date"], row["resident__is_resident"],
                                                     row["enrolled_on"], row["details"] or {})
        else:
            m.details = row["details"] or {}
            if programme == "maternal":
                m.enrolled_on = row["enrolled_on"]
    visits = Visit.objects.filter(programme=programme, resident_id__in=list(by_resident), visit_date__lte=until)
    for rid, day, reasons in visits.values_list("resident_id", "visit_date", "reasons"):
        by_resident[rid].visits.append((day, tuple(reasons or ())))
    return list(by_resident.values())


def population(year: int) -> dict:
    """{(area_id, year, band): 常住} from org's population denominators."""
    from django.db.models import Sum

    from yigongti.org.models import PopulationDenominator

    rows = (PopulationDenominator.objects.filter(year=year, age_band__in=["0-2", "3-6", "65+"])
            .values("area_id", "age_band").annotate(n=Sum("resident")))
    return {(r["area_id"], year, r["age_band"]): r["n"] or 0 for r in rows}


def births(year: int) -> dict:
    """{(area_id, year): live births} from org's AreaYearFigures."""
    from yigongti.org.models import AreaYearFigures

    return {(area_id, year): n for area_id, n in
            AreaYearFigures.objects.filter(year=year).values_list("area_id", "live_births")}


class PopulationRate:
    """The ``hooks`` of one population-programme rate (rules.indicators.Indicator)."""

    drill_template = "kpi/drill_residents.html"

    def __init__(self, measure: str):
        self.measure = measure

    def _records(self, period) -> dict:
        programme = PROGRAMME_OF[self.measure]
        return {"members": {programme: load_members(programme, until=max(period.end, dt.date(period.year, 12, 31)))},
                "population": population(period.year), "births": births(period.year)}

    def live(self, period, cut, shape) -> rules.Figure:
        return figure(self.measure, self._records(period), period, shape.area_ids(cut))

    def pure(self, records: dict, period, cut, shape) -> rules.Figure:
        """``records``: {"members": {programme: [Member]}, "population": {(area, year, band): n},
        "births": {(area, year): n}}."""
        return figure(self.measure, records, period, shape.area_ids(cut))

    def drilldown(self, user, period, cut, shape):
        from yigongti.people.queries import visible_residents

        records = self._records(period)
        members = _within(records["members"][PROGRAMME_OF[self.measure]], shape.area_ids(cut))
        return visible_residents(user).filter(pk__in=sorted(numerator(self.measure, members, period.year)))

    def drill_figure(self, queryset, period, cut, shape) -> rules.Figure:
        whole = self.live(period, cut, shape)
        return rules.make_figure(queryset.count(), whole.denominator, UNIT_PERCENT)

    def rebuild(self) -> None:
        """Nothing stored: every figure is computed from the enrolments and visits."""

    @staticmethod
    def drill_rows(residents, export: bool):
        from .indicators import ProgrammeRate

        return ProgrammeRate.drill_rows(residents, export)


NAMES = {
    "older_management": (_("老年人健康管理率"), _("年内接受健康管理（年度随访及健康体检）的常住65岁及以上居民数"),
                         _("辖区常住65岁及以上人口数")),
    "child_management": (_("0–6岁儿童健康管理率"), _("年内接受1次及以上随访（健康检查）的0–6岁儿童数"),
                         _("辖区常住0–6岁儿童数")),
    "child_systematic": (_("3岁以下儿童系统管理率"), _("年内按规定频次完成应做健康检查的0–3岁儿童数"),
                         _("辖区常住0–3岁儿童数（0–2岁组）")),
    "maternal_early": (_("早孕建册率"), _("年内分娩（未记录分娩按预产期）且孕13周前建册的产妇数"), _("该年活产数")),
    "maternal_postpartum": (_("产后访视率"), _("年内分娩且产后28天内接受过产后访视的产妇数"), _("该年活产数")),
}
RULE = _("按自然年；居民按现居住地归属；分母取卫生统计人口数与活产数。")

INDICATORS = [
    Indicator(code=f"chronic.{PROGRAMME_OF[m]}.{m.split('_', 1)[1]}", order=640 + i, group=GROUP, source="programme",
              name=n, numerator=num, denominator=den, hooks=PopulationRate(m), unit=UNIT_PERCENT, direction="up",
              levels=LEVELS, period_rule=RULE, periods=("year",), fixture="chronic_programmes")
    for i, (m, (n, num, den)) in enumerate(NAMES.items())
]
