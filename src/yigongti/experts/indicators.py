"""The experts figures in the indicator catalog (kpi discovers ``INDICATORS``):

- the national monitoring indicator 二级及以上机构中级及以上医师到基层派驻人数（每万常住人口）
  (consortium-indicators.md, group 同质化; our reading in rules/experts.py [U]): distinct staff of a 二级/三级
  home institution, with an intermediate or higher title when seconded, seconded to a primary institution of the
  cut on any day of the period, divided by the cut's 常住 population (org denominators, the period's year) in
  units of 10,000;
- the outreach figures of seeds 000/001 by month and year: lectures, ward rounds, trainings (场次), surgeries
  taught (例) and free-clinic services (人次).

Both are counted from the rows at query time (a county has hundreds of secondments and thousands of
activities a year), so ``rebuild`` has nothing to recompute. A cut covers the activities and secondments at
its institutions (kpi.structure.Shape.institution_ids)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.rules import experts as rules
from yigongti.rules import indicators as ind
from yigongti.rules.indicators import UNIT_COUNT, Indicator

# "人/万常住人口": the ratio count ÷ (population ÷ 10,000), rules/indicators.py's per-10k unit.
UNIT_PER_10K = ind.UNIT_PER_10K
LEVELS = ("county", "township", "institution")
NATIONAL_LEVELS = ("county", "township")
GROUP = _("专家下沉")
NATIONAL_GROUP = _("国家监测指标·同质化")


def _in(ids, field: str) -> Q:
    return Q() if ids is None else Q(**{f"{field}__in": sorted(ids)})


# --- secondments --------------------------------------------------------------------------------------


def secondment_record(x) -> dict:
    return {"staff_id": x.staff_id, "institution_id": x.institution_id, "home_grade": x.home_institution.grade,
            "title": x.title, "start": x.start_date, "end": x.end_date}


def count_seconded(records, period, ids) -> int:
    """Distinct staff counted for the national indicator in the period at the cut's institutions."""
    return len({r["staff_id"] for r in records
                if (ids is None or r["institution_id"] in ids)
                and rules.counts_for_national_indicator(home_grade=r["home_grade"], title=r["title"])
                and rules.overlaps(r["start"], r["end"], period.start, period.end)})


def _population_10k(population: int) -> Decimal:
    return Decimal(population) / Decimal(10000)


def _population(cut, year: int) -> int:
    from yigongti.org.models import Area
    from yigongti.org.queries import denominator

    if cut.level == "county":
        return denominator(None, year, "resident")
    area = Area.objects.filter(pk=int(cut.key)).first() if cut.level in ("township", "area") else None
    return denominator(area, year, "resident") if area is not None else 0


class SecondmentRate:
    drill_template = "experts/drill_secondments.html"

    @staticmethod
    def _queryset(period, ids):
        from .models import Secondment

        return (Secondment.objects.filter(start_date__lte=period.end)
                .filter(Q(end_date__isnull=True) | Q(end_date__gte=period.start)).filter(_in(ids, "institution_id"))
                .select_related("home_institution"))

    def live(self, period, cut, shape) -> ind.Figure:
        rows = [secondment_record(x) for x in self._queryset(period, shape.institution_ids(cut))]
        num = count_seconded(rows, period, None)
        return ind.make_figure(num, _population_10k(_population(cut, period.year)), UNIT_PER_10K)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        """``records``: {"secondments": [secondment_record], "population": {(area_id, year): n}}."""
        num = count_seconded(records["secondments"], period, shape.institution_ids(cut))
        areas = shape.area_ids(cut)
        pop = sum(n for (a, y), n in records["population"].items() if y == period.year and (areas is None or a in areas))
        return ind.make_figure(num, _population_10k(pop), UNIT_PER_10K)

    def drilldown(self, user, period, cut, shape):
        return self._queryset(period, shape.institution_ids(cut))

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        num = count_seconded([secondment_record(x) for x in queryset], period, None)
        return ind.make_figure(num, _population_10k(_population(cut, period.year)), UNIT_PER_10K)

    def rebuild(self) -> None:
        """Nothing stored."""

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("派驻人员"), gt("职称"), gt("派出机构"), gt("派出机构等级"), gt("派驻机构"), gt("岗位"),
                   gt("开始日期"), gt("结束日期"), gt("计入国家指标")]
        rows = []
        for x in queryset.select_related("staff", "institution", "home_institution"):
            counted = rules.counts_for_national_indicator(home_grade=x.home_institution.grade, title=x.title)
            values = [x.staff.display_name, x.title_name or x.title, x.home_institution.name, x.home_institution.get_grade_display(),
                      x.institution.name, x.get_role_display(), x.start_date, x.end_date or "",
                      gt("是") if counted else gt("否")]
            rows.append(values if export else {"values": values, "url": ""})
        return headers, rows


# --- outreach ------------------------------------------------------------------------------------------


def outreach_record(a) -> dict:
    return {"kind": a.kind, "institution_id": a.institution_id, "date": a.date, "count": a.count}


def outreach_total(records, kind: str, by_count: bool, period, ids) -> int:
    return sum((r["count"] if by_count else 1) for r in records
               if r["kind"] == kind and period.start <= r["date"] <= period.end
               and (ids is None or r["institution_id"] in ids))


class OutreachFigure:
    drill_template = "experts/drill_outreach.html"

    def __init__(self, kind: str, by_count: bool = False):
        self.kind, self.by_count = kind, by_count

    def _queryset(self, period, ids):
        from .models import OutreachActivity

        return OutreachActivity.objects.filter(kind=self.kind, date__range=(period.start, period.end)).filter(
            _in(ids, "institution_id"))

    def _figure(self, records, period, ids) -> ind.Figure:
        return ind.make_figure(outreach_total(records, self.kind, self.by_count, period, ids), None, UNIT_COUNT)

    def live(self, period, cut, shape) -> ind.Figure:
        rows = [outreach_record(a) for a in self._queryset(period, shape.institution_ids(cut))]
        return self._figure(rows, period, None)

    def pure(self, records, period, cut, shape) -> ind.Figure:
        return self._figure(records["outreach"], period, shape.institution_ids(cut))

    def drilldown(self, user, period, cut, shape):
        return self._queryset(period, shape.institution_ids(cut))

    def drill_figure(self, queryset, period, cut, shape) -> ind.Figure:
        return self._figure([outreach_record(a) for a in queryset], period, None)

    def rebuild(self) -> None:
        """Nothing stored."""

    @staticmethod
    def drill_rows(queryset, export: bool):
        from django.utils.translation import gettext as gt

        headers = [gt("日期"), gt("类别"), gt("机构"), gt("主题"), gt("专家"), gt("参加人数"), gt("例数/人次")]
        rows = []
        for a in queryset.select_related("institution").prefetch_related("experts"):
            values = [a.date, a.get_kind_display(), a.institution.name, a.topic,
                      "、".join(e.display_name for e in a.experts.all()), a.participants, a.count]
            rows.append(values if export else {"values": values, "url": ""})
        return headers, rows


OUTREACH_RULE = _("按活动日期归入统计期；按开展活动的机构统计（乡镇含其村卫生室）。")

INDICATORS = [
    Indicator(
        code="experts.seconded_per_10k", order=15, group=NATIONAL_GROUP, source="national_2024",
        name=_("二级及以上机构中级及以上医师到基层派驻人数（每万常住人口）"),
        numerator=_("统计期内任一天在派的派驻人员数（派出机构为二级及以上、派驻时职称为中级及以上，按人去重）"),
        denominator=_("常住人口数（统计部门人口分母，统计年度）÷ 10000"),
        hooks=SecondmentRate(), unit=UNIT_PER_10K, direction="up", levels=NATIONAL_LEVELS,
        period_rule=_("派驻期与统计期有交集即计入；人口取统计年度的常住人口。国家文件的分子分母原文未取得，此为本平台的口径。"),
        fixture="experts",
    ),
    Indicator(
        code="experts.lectures", order=610, group=GROUP, source="seed", name=_("专家讲座场次"),
        numerator=_("统计期内县级专家在基层开展的讲座场次"), hooks=OutreachFigure("lecture"), unit=UNIT_COUNT,
        direction="up", levels=LEVELS, period_rule=OUTREACH_RULE, fixture="experts",
    ),
    Indicator(
        code="experts.ward_rounds", order=620, group=GROUP, source="seed", name=_("教学查房次数"),
        numerator=_("统计期内县级专家在基层开展的教学查房次数"), hooks=OutreachFigure("ward_round"), unit=UNIT_COUNT,
        direction="up", levels=LEVELS, period_rule=OUTREACH_RULE, fixture="experts",
    ),
    Indicator(
        code="experts.trainings", order=630, group=GROUP, source="seed", name=_("业务培训场次"),
        numerator=_("统计期内县级专家开展的业务培训场次"), hooks=OutreachFigure("training"), unit=UNIT_COUNT,
        direction="up", levels=LEVELS, period_rule=OUTREACH_RULE, fixture="experts",
    ),
    Indicator(
        code="experts.surgeries_taught", order=640, group=GROUP, source="seed", name=_("手术带教例数"),
        numerator=_("统计期内县级专家在基层指导、示范的手术例数"), hooks=OutreachFigure("surgery_taught", True),
        unit=UNIT_COUNT, direction="up", levels=LEVELS, period_rule=OUTREACH_RULE, fixture="experts",
    ),
    Indicator(
        code="experts.free_clinic_services", order=650, group=GROUP, source="seed", name=_("义诊服务人次"),
        numerator=_("统计期内专家义诊服务的人次"), hooks=OutreachFigure("free_clinic", True), unit=UNIT_COUNT,
        direction="up", levels=LEVELS, period_rule=OUTREACH_RULE, fixture="experts",
    ),
]
