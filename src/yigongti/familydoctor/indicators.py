"""The family-doctor rates in the one indicator catalog (kpi discovers ``INDICATORS``): 签约率 overall and for each
key population, 重点人群签约率 and 履约率, by county, township and area (village), each drillable to its residents.

The arithmetic is rules/contracts.py. A figure is a stock on the period's last day (or today, for a period not
over yet): contracts in force that day; a resident counts for the area they live in. 签约率's denominator is
org's 常住 population of the period's year; a key population's is its members on the platform (age at that day,
current programme membership and tags, residents with an active record). 履约率 is services done / due by that
day, over the contracts in force (fulfilment.py shows the same per contract). Nothing is stored: every figure is
a few grouped queries, memoised per kpi ``Shape`` (one per request) so a page of every township reads each
figure once; ``yigongti kpi rebuild`` has nothing to recompute.
"""
from __future__ import annotations

import datetime as dt
import weakref

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.rules import contracts as rules
from yigongti.rules import indicators as ind
from yigongti.rules.indicators import UNIT_PERCENT, Indicator

LEVELS = ("county", "township", "area")
GROUP = _("家庭医生签约服务")

_per_shape: dict[int, tuple[weakref.ref, dict]] = {}


def _cache_for(shape) -> dict:
    key = id(shape)
    entry = _per_shape.get(key)
    if entry is not None and entry[0]() is shape:
        return entry[1]
    cache: dict = {}
    _per_shape[key] = (weakref.ref(shape, lambda _ref, k=key: _per_shape.pop(k, None)), cache)
    return cache


def as_of(period: ind.Period, today: dt.date | None = None) -> dt.date:
    """The day a period's stock is read: its last day, or today while it is not over."""
    return min(period.end, today or timezone.localdate())


# --- populations (people.keypops) --------------------------------------------------------------------------


def population_q(code: str, day: dt.date) -> Q:
    """Residents of a key population on ``day``: derived from the birth date, a programme's current members, or a
    tag (maternal: the chronic engine's maternal programme); a population no module records is empty."""
    from yigongti.people import keypops
    from yigongti.people.models import ResidentTag

    if code in keypops.DERIVED:
        return keypops.derived_q(code, day)
    for prog in keypops.programmes():
        if prog.code == code:
            return Q(pk__in=prog.members().values("resident_id"))
    if code in ResidentTag.Tag.values:
        return Q(pk__in=ResidentTag.objects.filter(tag=code).values("resident_id"))
    return Q(pk__in=[])


def any_population_q(day: dt.date) -> Q:
    q = Q(pk__in=[])
    for code in rules.KEY_POPULATIONS:
        q |= population_q(code, day)
    return q


def counted_residents():
    from yigongti.people.models import RecordStatus, Resident

    return Resident.objects.filter(status=RecordStatus.ACTIVE)


def in_force_q(day: dt.date, prefix: str = "") -> Q:
    """Contracts covering ``day`` (rules.contracts.in_force with last_day)."""
    return (Q(**{f"{prefix}start_date__lte": day, f"{prefix}end_date__gte": day})
            & (Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": day})))


def in_force(day: dt.date):
    from .models import Contract

    return Contract.objects.filter(in_force_q(day))


def _sensitive(code: str | None) -> str:
    return "mental" if code == "mental" else ""


# --- live loading ------------------------------------------------------------------------------------------


def _signed_by_area(day: dt.date, shape) -> dict:
    cache = _cache_for(shape)
    key = ("signed", day)
    if key not in cache:
        rows = (in_force(day).values("resident__area_id").annotate(n=Count("resident_id", distinct=True))
                .values_list("resident__area_id", "n").order_by())
        cache[key] = dict(rows)
    return cache[key]


def _members_by_area(code: str | None, day: dt.date, shape) -> dict:
    """{area_id: (members, signed members)} of a population (None: any key population)."""
    cache = _cache_for(shape)
    key = ("members", code, day)
    if key not in cache:
        signed = in_force(day).values("resident_id")
        qs = counted_residents().filter(population_q(code, day) if code else any_population_q(day))
        rows = (qs.values("area_id").annotate(n=Count("id"), s=Count("id", filter=Q(pk__in=signed)))
                .values_list("area_id", "n", "s").order_by())
        cache[key] = {a: (n, s) for a, n, s in rows}
    return cache[key]


def _sum(by_area: dict, area_ids) -> int:
    return sum(v for a, v in by_area.items() if area_ids is None or a in area_ids)


def population(cut, year: int) -> int:
    """常住 population of the cut's area subtree (org's denominators)."""
    from yigongti.org.models import Area
    from yigongti.org.queries import denominator

    if cut.level == "county":
        return denominator(None, year, "resident")
    area = Area.objects.filter(pk=int(cut.key)).first() if cut.level in ("township", "area") else None
    return denominator(area, year, "resident") if area is not None else 0


def package_items() -> dict[int, tuple[rules.Item, ...]]:
    """{package id: its items as rules.contracts.Item}: one query (packages are few; contracts are many)."""
    from yigongti.people import services

    from .models import PackageItem

    known = services.kinds()
    out: dict[int, list] = {}
    for i in PackageItem.objects.order_by("package_id", "position", "pk"):
        out.setdefault(i.package_id, []).append(rules.Item(i.service_code, i.yearly_count, i.population,
                                                           i.service_code in known))
    return {k: tuple(v) for k, v in out.items()}


def load_terms(contracts, day: dt.date) -> list[rules.Term]:
    """Contracts (a queryset) as rules.contracts.Term with their items: three queries, no model instances."""
    from .models import Contract

    items = package_items()
    rows = list(contracts.values_list("pk", "resident_id", "resident__area_id", "team_id", "start_date", "end_date",
                                      "ended_on").order_by("pk"))
    packages: dict[int, list[int]] = {}
    links = Contract.packages.through.objects.filter(contract_id__in=contracts.values("pk"))
    for contract_id, package_id in links.values_list("contract_id", "package_id").order_by("contract_id", "package_id"):
        packages.setdefault(contract_id, []).append(package_id)
    out = []
    for pk, rid, area, team, start, end, ended in rows:
        out.append(rules.Term(pk, rid, area, team, start, end, rules.last_day(end, ended),
                              tuple(i for p in packages.get(pk, ()) for i in items.get(p, ()))))
    return out


def term_states(terms: list[rules.Term], day: dt.date) -> dict[int, tuple[int, int]]:
    """{contract id: (done, due)} on ``day``: one ``people.services.delivered_in_terms`` for all the terms (one
    query per service source and chunk of residents, whatever their start dates), one query per population an
    item names."""
    from yigongti.people import services

    from .fulfilment import population_members

    ids = sorted({t.resident_id for t in terms})
    codes = {i.population for t in terms for i in t.items if i.population}
    members = {code: population_members(code, ids, day) for code in codes}
    counts = services.delivered_in_terms((t.contract_id, t.resident_id, t.start, day) for t in terms)
    return {t.contract_id: rules.term_fulfilment(t, counts.get(t.contract_id, {}), members, day) for t in terms}


def _fulfilment_by_area(day: dt.date, shape) -> dict:
    cache = _cache_for(shape)
    key = ("fulfilment", day)
    if key not in cache:
        terms = load_terms(in_force(day), day)
        states = term_states(terms, day)
        by_area: dict = {}
        for t in terms:
            done, due = states[t.contract_id]
            d0, u0 = by_area.get(t.area_id, (0, 0))
            by_area[t.area_id] = (d0 + done, u0 + due)
        cache[key] = by_area
    return cache[key]


# --- drill-down rows -----------------------------------------------------------------------------------------


def _drill_rows(residents, export: bool):
    from django.urls import reverse
    from django.utils.translation import gettext as gt

    headers = [gt("档案编号"), gt("姓名"), gt("性别"), gt("出生日期"), gt("居住地")]
    rows = []
    for r in residents.select_related("area"):
        values = [r.record_number or "", r.name, r.get_sex_display(), r.birth_date, r.area.name if r.area_id else ""]
        rows.append(values if export else {"values": values, "resident_url": reverse("people:resident", args=[r.pk])})
    return headers, rows


class _Hooks:
    drill_template = "kpi/drill_residents.html"
    drill_rows = staticmethod(_drill_rows)

    @staticmethod
    def _today() -> dt.date:
        return timezone.localdate()

    def rebuild(self) -> None:
        """Nothing stored: every figure is counted from the contracts at query time."""

    @staticmethod
    def _visible(user):
        from yigongti.people.queries import visible_residents

        return visible_residents(user)


class ContractRate(_Hooks):
    """签约率: residents with a contract in force / 常住 population."""

    def live(self, period, cut, shape) -> ind.Figure:
        day = as_of(period, self._today())
        num = _sum(_signed_by_area(day, shape), shape.area_ids(cut))
        return ind.make_figure(num, population(cut, period.year), UNIT_PERCENT)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"terms": [Term], "population": {(area_id, year): n}, "today": date, …}."""
        day = as_of(period, records.get("today") or self._today())
        areas = shape.area_ids(cut)
        pop = sum(n for (a, y), n in records["population"].items()
                  if y == period.year and (areas is None or a in areas))
        num, den = rules.contract_rate(records["terms"], day, pop, areas)
        return ind.make_figure(num, den, UNIT_PERCENT)

    def drilldown(self, user, period, cut, shape):
        day = as_of(period, self._today())
        qs = self._visible(user).filter(pk__in=in_force(day).values("resident_id"))
        areas = shape.area_ids(cut)
        return qs if areas is None else qs.filter(area_id__in=sorted(areas))

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return ind.make_figure(queryset.count(), population(cut, period.year), UNIT_PERCENT)


class KeyContractRate(_Hooks):
    """签约率 of one key population (``code``), or 重点人群签约率 of all of them (None)."""

    def __init__(self, code: str | None = None):
        self.code = code

    def live(self, period, cut, shape) -> ind.Figure:
        day = as_of(period, self._today())
        by_area = _members_by_area(self.code, day, shape)
        areas = shape.area_ids(cut)
        num = sum(s for a, (_n, s) in by_area.items() if areas is None or a in areas)
        den = sum(n for a, (n, _s) in by_area.items() if areas is None or a in areas)
        return ind.make_figure(num, den, UNIT_PERCENT)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"terms": [Term], "residents": {id: area_id}, "members": {code: {ids}}, "today": date}."""
        day = as_of(period, records.get("today") or self._today())
        members = records["members"](day) if callable(records["members"]) else records["members"]
        num, den = rules.key_contract_rate(records["terms"], day, members, records["residents"], self.code,
                                           shape.area_ids(cut))
        return ind.make_figure(num, den, UNIT_PERCENT)

    def drilldown(self, user, period, cut, shape):
        """The signed members, of those the user may see; members of a sensitive programme only for holders of
        its role."""
        from yigongti.org.scoping import may_see_sensitive

        day = as_of(period, self._today())
        if self.code == "mental" and not may_see_sensitive(user, "mental"):
            return self._visible(user).none()
        qs = self._visible(user).filter(pk__in=counted_residents().filter(
            population_q(self.code, day) if self.code else any_population_q(day)).values("pk"))
        if self.code is None and not may_see_sensitive(user, "mental"):
            others = Q(pk__in=[])
            for code in rules.KEY_POPULATIONS:
                if code != "mental":
                    others |= population_q(code, day)
            qs = qs.filter(pk__in=counted_residents().filter(others).values("pk"))
        qs = qs.filter(pk__in=in_force(day).values("resident_id"))
        areas = shape.area_ids(cut)
        return qs if areas is None else qs.filter(area_id__in=sorted(areas))

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return ind.make_figure(queryset.count(), self.live(period, cut, shape).denominator, UNIT_PERCENT)


class FulfilmentRate(_Hooks):
    """履约率: services done / due by the day, over the contracts in force."""

    def live(self, period, cut, shape) -> ind.Figure:
        day = as_of(period, self._today())
        by_area = _fulfilment_by_area(day, shape)
        areas = shape.area_ids(cut)
        done = sum(d for a, (d, _u) in by_area.items() if areas is None or a in areas)
        due = sum(u for a, (_d, u) in by_area.items() if areas is None or a in areas)
        return ind.make_figure(done, due, UNIT_PERCENT)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"terms": [Term], "services": {resident_id: [(code, date)]}, "members": …, "today": date}."""
        day = as_of(period, records.get("today") or self._today())
        members = records["members"](day) if callable(records["members"]) else records["members"]
        done, due = rules.fulfilment_rate(records["terms"], records["services"], members, day, shape.area_ids(cut))
        return ind.make_figure(done, due, UNIT_PERCENT)

    def drilldown(self, user, period, cut, shape):
        """The residents whose contracts are counted (in force, with something due by the day)."""
        day = as_of(period, self._today())
        areas = shape.area_ids(cut)
        terms = [t for t in load_terms(in_force(day), day) if areas is None or t.area_id in areas]
        states = term_states(terms, day)
        ids = sorted({t.resident_id for t in terms if states[t.contract_id][1]})
        return self._visible(user).filter(pk__in=ids)

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        day = as_of(period, self._today())
        areas = shape.area_ids(cut)
        terms = [t for t in load_terms(in_force(day).filter(resident__in=queryset.values("pk")), day)
                 if areas is None or t.area_id in areas]
        states = term_states(terms, day)
        return ind.make_figure(sum(d for d, _u in states.values()), sum(u for _d, u in states.values()), UNIT_PERCENT)


# --- a team's figures (team page) ---------------------------------------------------------------------------


def team_figures(team, day: dt.date | None = None) -> dict:
    """签约率 and 重点人群签约率 of one team on ``day`` (today): its contracts in force among the residents of its
    areas (the team page shows the team's fulfilment itself)."""
    from yigongti.org.models import PopulationDenominator

    from .actions import team_area_ids

    day = day or timezone.localdate()
    areas = team_area_ids(team)
    pop = sum(PopulationDenominator.objects.filter(year=day.year, area_id__in=areas).values_list("resident", flat=True))
    signed = in_force(day).filter(team=team).values("resident_id").distinct().count()
    key = counted_residents().filter(any_population_q(day), area_id__in=areas)
    key_n = key.count()
    key_signed = key.filter(pk__in=in_force(day).filter(team=team).values("resident_id")).count()
    return {"population": pop, "signed": signed, "contract_rate": ind.figure_value(signed, pop, UNIT_PERCENT),
            "key_members": key_n, "key_signed": key_signed,
            "key_rate": ind.figure_value(key_signed, key_n, UNIT_PERCENT)}


def unsigned_key_residents(user, team, day: dt.date | None = None):
    """Key-population residents of the team's areas without a contract in force (of those the user may see):
    the team's "not yet signed" list."""
    from yigongti.people.queries import visible_residents

    from .actions import team_area_ids

    day = day or timezone.localdate()
    return (visible_residents(user).filter(status="active", area_id__in=sorted(team_area_ids(team)))
            .filter(pk__in=counted_residents().filter(any_population_q(day)).values("pk"))
            .exclude(pk__in=in_force(day).values("resident_id")).select_related("area").order_by("area__code", "pk"))


# --- the catalog -----------------------------------------------------------------------------------------------

STOCK_RULE = _("时点指标：统计期末（尚未结束的统计期取今天）在约的签约；居民按现居住地归属；分母取统计期所在年度的常住人口。")
KEY_RULE = _("时点指标：统计期末在约的签约；重点人群按统计期末年龄、当前项目在管与人群标签认定，仅计在管档案的居民；按现居住地归属。")
FULFIL_RULE = _("统计期末在约的签约，每个服务项目按签约期已过天数折算应完成次数（四舍五入），"
                "完成次数取签约开始至期末平台记录的服务（不超过应完成次数）；平台尚未记录的服务项目不计。")

POPULATION_NAMES = {
    "older_65": _("65岁及以上老年人签约率"),
    "hypertension": _("高血压患者签约率"),
    "diabetes": _("2型糖尿病患者签约率"),
    "mental": _("严重精神障碍患者签约率"),
    "tb": _("肺结核患者签约率"),
    "children_0_6": _("0～6岁儿童签约率"),
    "maternal": _("孕产妇签约率"),
    "poverty_monitored": _("防返贫监测对象签约率"),
}
POPULATION_WORDS = {
    "older_65": _("统计期末65岁及以上的居民"),
    "hypertension": _("高血压项目在管的居民"),
    "diabetes": _("糖尿病项目在管的居民"),
    "mental": _("严重精神障碍项目在管的居民"),
    "tb": _("肺结核项目在管的居民"),
    "children_0_6": _("统计期末0～6岁的儿童"),
    "maternal": _("孕产妇健康管理在管的孕产妇"),
    "poverty_monitored": _("标记为防返贫监测对象的居民"),
}


def _population_indicator(n: int, code: str) -> Indicator:
    common = dict(code=f"familydoctor.contract_rate_{code}", order=521 + n, group=GROUP, source="programme",
                  name=POPULATION_NAMES[code], numerator=_("其中统计期末有在约签约的人数"),
                  denominator=POPULATION_WORDS[code], unit=UNIT_PERCENT, direction="up", levels=LEVELS,
                  period_rule=KEY_RULE)
    return Indicator(**common, hooks=KeyContractRate(code), fixture="familydoctor")


INDICATORS = [
    Indicator(
        code="familydoctor.contract_rate", order=510, group=GROUP, source="programme",
        name=_("家庭医生签约率"), numerator=_("统计期末有在约签约的居民数"),
        denominator=_("常住人口数（统计部门人口分母，统计年度）"), hooks=ContractRate(), unit=UNIT_PERCENT,
        direction="up", levels=LEVELS, period_rule=STOCK_RULE, fixture="familydoctor",
    ),
    Indicator(
        code="familydoctor.key_contract_rate", order=520, group=GROUP, source="programme",
        name=_("重点人群签约率"), numerator=_("重点人群中统计期末有在约签约的人数"),
        denominator=_("重点人群人数（老年人、高血压、糖尿病、严重精神障碍、肺结核、0～6岁儿童、孕产妇、防返贫监测对象，每人计一次）"),
        hooks=KeyContractRate(None), unit=UNIT_PERCENT, direction="up", levels=LEVELS, period_rule=KEY_RULE,
        fixture="familydoctor",
    ),
    *[_population_indicator(n, code) for n, code in enumerate(rules.KEY_POPULATIONS)],
    Indicator(
        code="familydoctor.fulfilment_rate", order=540, group=GROUP, source="programme",
        name=_("家庭医生签约履约率"), numerator=_("签约服务项目已完成次数（平台记录的随访、体检、检查等）"),
        denominator=_("签约服务项目到统计期末应完成次数"), hooks=FulfilmentRate(), unit=UNIT_PERCENT,
        direction="up", levels=LEVELS, period_rule=FULFIL_RULE, fixture="familydoctor",
    ),
]
