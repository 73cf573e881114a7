"""The programme rates in the one indicator catalog (kpi discovers ``INDICATORS``), exactly as the digest
defines them (public-health-spec.md §Hypertension, §Programme indicators), for every programme with rates
(hypertension, type-2 diabetes):

- 管理率 = 年内已管理的患者人数 / (常住 ≥35 × prevalence setting) × 100
- 规范管理率 = ≥4 face-to-face follow-ups in the assessment year (pro-rata for mid-year enrolees) / 已管理
- 管理人群血压(血糖)控制率 = latest follow-up in the year on target / 已管理 (never followed up = not on target)
- Simple-style monthly controlled %: controlled / under care registered before the last 3 months

"年内已管理" (the population of the programme, spec §HT "Who is in the programme" [C]): 常住 residents aged ≥35
on the last day of the assessment year, enrolled with an ICD-10 code the programme enrols, in the programme on
at least one day of the year (``rules.chronic_rates.is_managed_in_year``). A resident counts for the area of
their residence. Every figure is computed by ``figures()`` from plain records — the live value loads the records
from the database, the catalog's check feeds it the fixture — so no rate is computed in two places.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from yigongti.rules import chronic_rates
from yigongti.rules import indicators as rules
from yigongti.rules.indicators import UNIT_PERCENT, Indicator

from . import conf, programmes

LEVELS = ("county", "township")
GROUP = _("基本公共卫生·慢病管理")


@dataclass
class Patient:
    """One resident's record in a programme, as the rates read it."""

    resident_id: int
    area_id: int
    birth_date: dt.date
    is_resident: bool
    icd10: str
    enrolled_on: dt.date
    left_on: dt.date | None
    died_on: dt.date | None = None
    visits: list[tuple[dt.date, str, bool | None]] = field(default_factory=list)  # (date, mode, controlled)


def _age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def assessment_window(year: int) -> tuple[dt.date, dt.date]:
    month, day = conf.get("ASSESSMENT_YEAR_START")
    return chronic_rates.assessment_year(year, start_month=month, start_day=day)


def in_population(p: Patient, prog, start: dt.date, end: dt.date) -> bool:
    return (p.is_resident and _age_on(p.birth_date, end) >= prog.min_age
            and prog.icd10_check(p.icd10 or "") == "enrol"
            and chronic_rates.is_managed_in_year(enrolled_on=p.enrolled_on, year_start=start, year_end=end,
                                                 left_on=p.left_on))


def classify_patients(patients, prog, start: dt.date, end: dt.date) -> dict[str, set[int]]:
    """{"managed", "standard", "controlled"}: resident ids, from the pure rules."""
    out = {"managed": set(), "standard": set(), "controlled": set()}
    for p in patients:
        if not in_population(p, prog, start, end):
            continue
        out["managed"].add(p.resident_id)
        f2f = chronic_rates.face_to_face_dates((d, m) for d, m, _c in p.visits)
        if chronic_rates.is_standard_managed(f2f, year_start=start, year_end=end, enrolled_on=p.enrolled_on,
                                             required=conf.get("REQUIRED_FACE_TO_FACE"),
                                             pro_rata=conf.get("PRO_RATA"), left_on=p.left_on):
            out["standard"].add(p.resident_id)
        if chronic_rates.latest_controlled(((d, c) for d, _m, c in p.visits), year_start=start, year_end=end):
            out["controlled"].add(p.resident_id)
    return out


def monthly_states(patients, month: dt.date) -> dict[int, tuple[str, dt.date]]:
    """Simple's picture for a month: resident id → (state, registered_on)."""
    out = {}
    for p in patients:
        if not p.is_resident:
            continue
        state = chronic_rates.monthly_picture(month, registered_on=p.enrolled_on,
                                              visits=[(d, c) for d, _m, c in p.visits], died_on=p.died_on)
        out[p.resident_id] = (state, p.enrolled_on)
    return out


def _within(patients, area_ids):
    return [p for p in patients if area_ids is None or p.area_id in area_ids]


def _population(population: dict, area_ids, year: int) -> int:
    return sum(n for (area_id, y), n in population.items() if y == year and (area_ids is None or area_id in area_ids))


def figure(measure: str, prog, patients, population: dict, period: rules.Period, area_ids) -> rules.Figure:
    """The one computation of every rate (live, pure and drill-down all end here)."""
    patients = _within(patients, area_ids)
    if measure == "monthly_controlled":
        states = monthly_states(patients, period.end)
        num = den = 0
        for state, registered in states.values():
            if chronic_rates.in_control_denominator(state, period.end, registered):
                den += 1
                num += state == chronic_rates.CONTROLLED
        return rules.make_figure(num, den, UNIT_PERCENT)
    start, end = assessment_window(period.year)
    sets = classify_patients(patients, prog, start, end)
    if measure == "management":
        estimated = chronic_rates.estimated_patients(_population(population, area_ids, period.year),
                                                     Decimal(str(conf.get("PREVALENCE")[prog.code])))
        return rules.make_figure(len(sets["managed"]), estimated, UNIT_PERCENT)
    return rules.make_figure(len(sets[measure]), len(sets["managed"]), UNIT_PERCENT)


def numerator_ids(measure: str, prog, patients, period: rules.Period, area_ids) -> set[int]:
    patients = _within(patients, area_ids)
    if measure == "monthly_controlled":
        return {rid for rid, (state, reg) in monthly_states(patients, period.end).items()
                if state == chronic_rates.CONTROLLED and chronic_rates.in_control_denominator(state, period.end, reg)}
    start, end = assessment_window(period.year)
    key = "managed" if measure == "management" else measure
    return classify_patients(patients, prog, start, end)[key]


# --- loading the records from the database ---------------------------------------------------------------

def load_patients(programme: str, *, until: dt.date, area_ids=None) -> list[Patient]:
    """The programme's patients (one record per resident: the earliest enrolment date, the latest leaving, or
    none while an enrolment is active) with their visits up to ``until``. Two queries."""
    from .models import Enrolment, Visit

    qs = Enrolment.objects.filter(programme=programme, enrolled_on__lte=until)
    if area_ids is not None:
        qs = qs.filter(resident__area_id__in=area_ids)
    by_resident: dict[int, Patient] = {}
    for row in qs.values("resident_id", "resident__area_id", "resident__birth_date", "resident__is_resident",
                         "resident__death_date", "icd10__code", "enrolled_on", "left_on", "status"):
        rid = row["resident_id"]
        left = row["left_on"] if row["status"] == "left" else None
        p = by_resident.get(rid)
        if p is None:
            by_resident[rid] = Patient(rid, row["resident__area_id"], row["resident__birth_date"],
                                       row["resident__is_resident"], row["icd10__code"] or "", row["enrolled_on"],
                                       left, row["resident__death_date"])
        else:
            p.enrolled_on = min(p.enrolled_on, row["enrolled_on"])
            p.left_on = None if (p.left_on is None or left is None) else max(p.left_on, left)
    visits = Visit.objects.filter(programme=programme, resident_id__in=list(by_resident), visit_date__lte=until)
    for rid, day, mode, controlled in visits.values_list("resident_id", "visit_date", "mode", "controlled"):
        by_resident[rid].visits.append((day, mode, controlled))
    return list(by_resident.values())


def population_35_plus(year: int) -> dict:
    """{(area_id, year): 常住 ≥35} from org's population denominators (age bands 35–64 and ≥65)."""
    from django.db.models import Sum

    from yigongti.org.models import PopulationDenominator

    rows = (PopulationDenominator.objects.filter(year=year, age_band__in=["35-64", "65+"])
            .values("area_id").annotate(n=Sum("resident")))
    return {(r["area_id"], year): r["n"] or 0 for r in rows}


class ProgrammeRate:
    """The ``hooks`` of one rate of one programme (rules.indicators.Indicator)."""

    drill_template = "kpi/drill_residents.html"

    def __init__(self, programme: str, measure: str):
        self.programme, self.measure = programme, measure

    @property
    def prog(self):
        return programmes.get(self.programme)

    def _records(self, period: rules.Period) -> dict:
        return {"patients": load_patients(self.programme, until=max(period.end, assessment_window(period.year)[1])),
                "population": population_35_plus(period.year)}

    def live(self, period, cut, shape) -> rules.Figure:
        records = self._records(period)
        return figure(self.measure, self.prog, records["patients"], records["population"], period,
                      shape.area_ids(cut))

    def pure(self, records: dict, period, cut, shape) -> rules.Figure:
        """``records``: {"patients": {programme: [Patient]}, "population": {(area_id, year): n ≥35}}."""
        return figure(self.measure, self.prog, records["patients"].get(self.programme, []), records["population"],
                      period, shape.area_ids(cut))

    def drilldown(self, user, period, cut, shape):
        from yigongti.people.queries import visible_residents

        records = self._records(period)
        ids = numerator_ids(self.measure, self.prog, records["patients"], period, shape.area_ids(cut))
        return visible_residents(user).filter(pk__in=sorted(ids))

    def drill_figure(self, queryset, period, cut, shape) -> rules.Figure:
        whole = self.live(period, cut, shape)
        return rules.make_figure(queryset.count(), whole.denominator, UNIT_PERCENT)

    def rebuild(self) -> None:
        """Nothing stored: every figure is computed from the enrolments and visits."""

    @staticmethod
    def drill_rows(residents, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("档案编号"), gt("姓名"), gt("性别"), gt("出生日期"), gt("居住地")]
        rows = []
        for r in residents.select_related("area"):
            values = [r.record_number or "", r.name, r.get_sex_display(), r.birth_date, r.area.name]
            rows.append(values if export else {"values": values, "resident_url": ""})
        return headers, rows


NAMES = {
    ("hypertension", "management"): (_("高血压患者管理率"), _("年内已管理的高血压患者人数（常住、35岁及以上、原发性高血压）"),
                                     _("年内辖区内高血压患者总人数（常住35岁及以上人口×患病率）")),
    ("hypertension", "standard"): (_("高血压患者规范管理率"), _("按规范要求（年内面对面随访不少于4次，年中纳入者按季度折算）管理的人数"),
                                   _("年内已管理的高血压患者人数")),
    ("hypertension", "controlled"): (_("管理人群血压控制率"), _("年内最近一次随访血压达标人数（未随访者计为未达标）"),
                                     _("年内已管理的高血压患者人数")),
    ("hypertension", "monthly_controlled"): (_("高血压患者当月血压控制比例（Simple口径）"),
                                             _("近3个月内最近一次随访血压达标的患者"),
                                             _("在管且于3个月前已登记的患者（不含失访、死亡）")),
    ("diabetes", "management"): (_("糖尿病患者管理率"), _("年内已管理的2型糖尿病患者人数（常住、35岁及以上）"),
                                 _("年内辖区内2型糖尿病患者总人数（常住35岁及以上人口×患病率）")),
    ("diabetes", "standard"): (_("糖尿病患者规范管理率"), _("按规范要求（年内面对面随访不少于4次，年中纳入者按季度折算）管理的人数"),
                               _("年内已管理的2型糖尿病患者人数")),
    ("diabetes", "controlled"): (_("管理人群血糖控制率"), _("年内最近一次随访空腹血糖<7.0mmol/L的人数（未随访者计为未达标）"),
                                 _("年内已管理的2型糖尿病患者人数")),
    ("diabetes", "monthly_controlled"): (_("糖尿病患者当月血糖控制比例（Simple口径）"),
                                         _("近3个月内最近一次随访空腹血糖达标的患者"),
                                         _("在管且于3个月前已登记的患者（不含失访、死亡）")),
}
YEAR_RULE = _("按考核年度（设置项，默认自然年）；居民按现居住地归属；年中纳入者按季度折算应随访次数。")
MONTH_RULE = _("按月；近3个月、近12个月按自然月计算（Simple口径）。")

INDICATORS = []
for _order, (_code, _measure) in enumerate(NAMES):
    _name, _num, _den = NAMES[(_code, _measure)]
    INDICATORS.append(Indicator(
        code=f"chronic.{_code}.{_measure}", order=600 + _order, group=GROUP, source="programme", name=_name,
        numerator=_num, denominator=_den, hooks=ProgrammeRate(_code, _measure), unit=UNIT_PERCENT, direction="up",
        levels=LEVELS, period_rule=MONTH_RULE if _measure == "monthly_controlled" else YEAR_RULE,
        periods=("month",) if _measure == "monthly_controlled" else ("year",), fixture="chronic"))


# --- 县域内慢性病健康管理人群住院率 (national 2024 set) -------------------------------------------------

ADMISSION_PROGRAMMES = ("hypertension", "diabetes")


def admission_parts(patients: dict, stays, period: rules.Period, area_ids) -> tuple[set[int], set[int]]:
    """(numerator ids, denominator ids): the residents under hypertension or diabetes management in the period
    (the programmes' own population rule: 常住, of age, enrolled in the period) and, of them, those with an
    in-county stay (an inpatient encounter of a consortium institution) discharged in the period."""
    managed: set[int] = set()
    for code in ADMISSION_PROGRAMMES:
        prog = programmes.get(code)
        for p in _within(patients.get(code, []), area_ids):
            if in_population(p, prog, period.start, period.end):
                managed.add(p.resident_id)
    admitted = {s["resident_id"] for s in stays
                if period.start <= s["discharged_on"] <= period.end and s["resident_id"] in managed}
    return admitted, managed


class ChronicAdmissionRate:
    """Hooks of national.chronic_admission_rate: enrolments and visits from this app, stays from people."""

    drill_template = "kpi/drill_residents.html"
    drill_rows = ProgrammeRate.drill_rows

    @staticmethod
    def _records(period) -> dict:
        from yigongti.people.models import Encounter

        patients = {code: load_patients(code, until=period.end) for code in ADMISSION_PROGRAMMES}
        ids = {p.resident_id for ps in patients.values() for p in ps}
        stays = [{"resident_id": rid, "discharged_on": day} for rid, day in Encounter.objects.filter(
            kind="inpatient", discharge_date__gte=period.start, discharge_date__lte=period.end,
            resident_id__in=sorted(ids)).values_list("resident_id", "discharge_date")]
        return {"patients": patients, "stays": stays}

    def pure(self, records: dict, period, cut, shape) -> rules.Figure:
        num, den = admission_parts(records["patients"], records.get("stays", []), period, shape.area_ids(cut))
        return rules.make_figure(len(num), len(den), UNIT_PERCENT)

    def live(self, period, cut, shape) -> rules.Figure:
        return self.pure(self._records(period), period, cut, shape)

    def drilldown(self, user, period, cut, shape):
        from yigongti.people.queries import visible_residents

        records = self._records(period)
        num, _den = admission_parts(records["patients"], records["stays"], period, shape.area_ids(cut))
        return visible_residents(user).filter(pk__in=sorted(num))

    def drill_figure(self, queryset, period, cut, shape) -> rules.Figure:
        whole = self.live(period, cut, shape)
        return rules.make_figure(queryset.count(), whole.denominator, UNIT_PERCENT)

    def rebuild(self) -> None:
        """Nothing stored."""


INDICATORS.append(Indicator(
    code="national.chronic_admission_rate", order=30, group=_("国家监测指标·保健康"), source="national_2024",
    name=_("县域内慢性病健康管理人群住院率"),
    numerator=_("慢性病健康管理人群中统计期内在县域内住院（出院）的人数"),
    denominator=_("统计期内在管的高血压、2型糖尿病健康管理人数（常住、35岁及以上）"),
    hooks=ChronicAdmissionRate(), unit=UNIT_PERCENT, direction="down", levels=LEVELS,
    period_rule=_("按出院日期归入统计期；按居民现居住地归属；在管按各项目的人群口径。"), fixture="chronic"))


# --- the programme page --------------------------------------------------------------------------------

def population_rate_names(code: str) -> list:
    """The population programmes' rate names shown as columns of the programme page."""
    from . import rates_programmes

    return [i.name for i in rates_programmes.INDICATORS if rates_programmes.PROGRAMME_OF[i.hooks.measure] == code]


def programme_table(user, code: str, year: int) -> list[dict]:
    """Per township and the county: under care, overdue, lost, and (programmes with rates) the three rates."""
    from django.utils import timezone

    from yigongti.org.models import Area

    from .queries import area_subtree_ids, due_list

    today = timezone.localdate()
    prog = programmes.get(code)
    period = rules.parse_period(str(year))
    from . import rates_programmes

    population_rates = [i for i in rates_programmes.INDICATORS if rates_programmes.PROGRAMME_OF[i.hooks.measure] == code]
    population_records = population_rates[0].hooks._records(period) if population_rates else None
    patients = load_patients(code, until=assessment_window(year)[1]) if prog.has_rates else []
    population = population_35_plus(year) if prog.has_rates else {}
    rows = []
    places = [(a.name, a.pk, set(area_subtree_ids(a.pk))) for a in Area.objects.filter(level="township").order_by("code")]
    places.append((str(_("全县")), None, None))
    for name, area_id, area_ids in places:
        scope = {"scope": "township", "area_id": area_id} if area_id else {"scope": "county"}
        row = {"name": name,
               "active": due_list(user, bucket="all", programme=code, today=today, **scope).count(),
               "overdue": due_list(user, bucket="overdue", programme=code, today=today, **scope).count(),
               "lost": due_list(user, bucket="lost", programme=code, today=today, **scope).count()}
        if prog.has_rates:
            row["managed"] = figure("standard", prog, patients, population, period, area_ids).denominator
            row["management_rate"] = figure("management", prog, patients, population, period, area_ids).value
            row["standard_rate"] = figure("standard", prog, patients, population, period, area_ids).value
            row["control_rate"] = figure("controlled", prog, patients, population, period, area_ids).value
        row["rates"] = [rates_programmes.figure(i.hooks.measure, population_records, period, area_ids).value
                        for i in population_rates]
        rows.append(row)
    return rows




# --- the population programmes' rates (older people, children 0–6, maternal care) ------------------------
from .rates_programmes import INDICATORS as _POPULATION_RATES  # noqa: E402

INDICATORS.extend(_POPULATION_RATES)
