"""Encounter indicators: rollup rows kept live from ``EncounterChanged``, rebuilt from raw encounters, read
by the dashboards, and the drill-down to the encounters behind a figure.

One place computes: rules.indicators.RatioSpec.figure() over cells — the cells come from a fixture's raw
records (pure), from the live rollups, or from a rebuild. The drill-down aggregates the encounters it
returns with the database, independently; the generic check (tests/kpi/test_every_indicator_agrees.py)
holds all four equal.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import BigIntegerField, Case, Count, DateField, F, Q, Sum, When
from django.db.models.functions import Cast, Round, TruncMonth

from yigongti.rules import indicators as rules
from yigongti.rules.indicators import Cut, Figure, Indicator, Measure, Period

from .models import EncounterRollup
from .structure import Shape

SUMS = rules.SUM_FIELDS
_COLUMNS = ("institution_id", "month", "kind", "is_tcm", *SUMS)


def _month_date(month: tuple[int, int]) -> dt.date:
    return dt.date(month[0], month[1], 1)


# --- live: the event handler ---------------------------------------------------------------------


def on_encounter_changed(event) -> None:
    """events.EncounterChanged: subtract ``before``, add ``after`` in the rollup rows (same transaction)."""
    deltas: dict[tuple, dict[str, int]] = {}
    for record, sign in ((event.before, -1), (event.after, +1)):
        if not record:
            continue
        cell = rules.encounter_cell(record, tier="")
        if cell is None:
            continue
        key = (cell["institution_id"], cell["month"], cell["kind"], cell["is_tcm"])
        acc = deltas.setdefault(key, dict.fromkeys(SUMS, 0))
        for name in SUMS:
            acc[name] += sign * cell[name]
    for key, acc in deltas.items():
        if any(acc.values()):
            _upsert(key, acc)


def _upsert(key: tuple, delta: dict[str, int]) -> None:
    """Add ``delta`` to the row of ``key``, creating it: one INSERT … ON CONFLICT DO UPDATE (SQLite ≥ 3.24
    and PostgreSQL), safe when two transactions touch the same row."""
    table = EncounterRollup._meta.db_table
    institution_id, month, kind, is_tcm = key
    params = [institution_id, connection.ops.adapt_datefield_value(_month_date(month)), kind, bool(is_tcm),
              *(delta[name] for name in SUMS)]
    updates = ", ".join(f"{name} = {table}.{name} + excluded.{name}" for name in SUMS)
    # Only identifiers from the model's own metadata are formatted in; every value is a parameter.
    columns, placeholders = ", ".join(_COLUMNS), ", ".join(["%s"] * len(_COLUMNS))
    sql = f"INSERT INTO {table} ({columns}) VALUES ({placeholders}) "  # noqa: S608
    sql += f"ON CONFLICT (institution_id, month, kind, is_tcm) DO UPDATE SET {updates}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# --- rebuild from raw encounters -----------------------------------------------------------------


def _encounter_model():
    from yigongti.people.models import Encounter

    return Encounter


def raw_cells(encounters=None) -> list[dict]:
    """The rollup rows computed from raw encounters by the database (one aggregate query)."""
    Encounter = _encounter_model()
    qs = Encounter.objects.all() if encounters is None else encounters
    month = Case(When(kind=rules.INPATIENT, then=TruncMonth("discharge_date")), default=TruncMonth("visit_date"),
                 output_field=DateField())
    sums = {name: Sum(Cast(Round(F(name) * 100), BigIntegerField())) for name in rules.MONEY_FIELDS}
    rows = (qs.exclude(kind=rules.INPATIENT, discharge_date=None)
            .annotate(period_month=month)
            .values("institution_id", "period_month", "kind", "is_tcm")
            .annotate(visits=Count("id"), **sums)
            .order_by())
    out = []
    for row in rows:
        m = row["period_month"]
        if isinstance(m, dt.datetime):
            m = m.date()
        cell = {"institution_id": row["institution_id"], "month": (m.year, m.month), "kind": row["kind"],
                "is_tcm": bool(row["is_tcm"]), "visits": row["visits"]}
        for name in rules.MONEY_FIELDS:
            cell[name] = int(row[name] or 0)
        out.append(cell)
    return out


def rebuild() -> int:
    """Recompute every encounter rollup row from raw encounters. Returns the number of rows."""
    cells = raw_cells()
    with transaction.atomic():
        EncounterRollup.objects.all().delete()
        EncounterRollup.objects.bulk_create(
            [EncounterRollup(institution_id=c["institution_id"], month=_month_date(c["month"]), kind=c["kind"],
                             is_tcm=c["is_tcm"], **{n: c[n] for n in SUMS}) for c in cells],
            batch_size=2000)
    return len(cells)


# --- reading rollups -----------------------------------------------------------------------------


def _scope(qs, cut: Cut, shape: Shape):
    ids = shape.institution_ids(cut)
    return qs if ids is None else qs.filter(institution_id__in=ids)


def rollup_cells(months: Iterable[tuple[int, int]], *, cut: Cut = rules.COUNTY, shape: Shape,
                 by_month: bool = False, by_institution: bool = True) -> list[dict]:
    """Rollup rows of ``months`` in ``cut``, summed in the database by institution (and month), as cells
    with the institution's tier."""
    months = [_month_date(m) for m in months]
    qs = _scope(EncounterRollup.objects.filter(month__in=months), cut, shape)
    keys = ["institution__tier", "kind", "is_tcm"]
    if by_institution:
        keys.insert(0, "institution_id")
    if by_month:
        keys.insert(0, "month")
    rows = qs.values(*keys).annotate(**{f"s_{n}": Sum(n) for n in SUMS}).order_by()
    out = []
    for row in rows:
        cell = {"institution_id": row.get("institution_id"), "tier": row["institution__tier"], "kind": row["kind"],
                "is_tcm": row["is_tcm"], "month": (row["month"].year, row["month"].month) if by_month else None}
        for n in SUMS:
            cell[n] = int(row[f"s_{n}"] or 0)
        out.append(cell)
    return out


def live_figure(indicator: Indicator, period: Period, cut: Cut, shape: Shape) -> Figure:
    return indicator.spec.figure(rollup_cells(period.months(), cut=cut, shape=shape, by_institution=False))


def figures_by(indicator: Indicator, period: Period, cuts: list[Cut], shape: Shape,
               cells: list[dict] | None = None) -> dict[str, Figure]:
    """Figures of many cuts from one read of the period's rollups (grouped by institution)."""
    if cells is None:
        cells = rollup_cells(period.months(), shape=shape)
    by_inst: dict[int, list[dict]] = defaultdict(list)
    for cell in cells:
        by_inst[cell["institution_id"]].append(cell)
    out = {}
    for cut in cuts:
        ids = shape.institution_ids(cut)
        chosen = cells if ids is None else [c for i in ids for c in by_inst.get(i, ())]
        out[cut.code] = indicator.spec.figure(chosen)
    return out


# --- drill-down ----------------------------------------------------------------------------------


def period_q(period: Period) -> Q:
    """rules.indicators.encounter_month as a filter: visits by visit date, stays by discharge date."""
    return (Q(kind__in=sorted(rules.VISIT_KINDS), visit_date__range=(period.start, period.end))
            | Q(kind=rules.INPATIENT, discharge_date__range=(period.start, period.end)))


def measure_q(measure: Measure) -> Q:
    q = Q(kind__in=sorted(measure.kinds))
    if measure.tiers is not None:
        q &= Q(institution__tier__in=sorted(measure.tiers))
    if measure.tcm is not None:
        q &= Q(is_tcm=measure.tcm)
    return q


def drilldown(indicator: Indicator, encounters, period: Period, cut: Cut, shape: Shape):
    """The encounters counted in the figure (numerator or denominator), out of ``encounters`` (already
    scoped to the user)."""
    spec = indicator.spec
    q = measure_q(spec.numerator)
    if spec.denominator is not None:
        q |= measure_q(spec.denominator)
    qs = encounters.filter(period_q(period)).filter(q)
    ids = shape.institution_ids(cut)
    return qs if ids is None else qs.filter(institution_id__in=ids)


def _measure_aggregate(measure: Measure):
    if measure.field == "visits":
        return Count("id", filter=measure_q(measure))
    return Sum(Cast(Round(F(measure.field) * 100), BigIntegerField()), filter=measure_q(measure))


def drill_figure(indicator: Indicator, queryset) -> Figure:
    """The figure recomputed by the database from the drill-down's own encounters."""
    spec = indicator.spec
    aggs = {"num": _measure_aggregate(spec.numerator)}
    if spec.denominator is not None:
        aggs["den"] = _measure_aggregate(spec.denominator)
    row = queryset.aggregate(**aggs)

    def value(measure, raw):
        raw = int(raw or 0)
        return (Decimal(raw) / 100).quantize(Decimal("0.01")) if measure.is_money else raw

    num = value(spec.numerator, row["num"])
    den = value(spec.denominator, row["den"]) if spec.denominator is not None else None
    return rules.make_figure(num, den, spec.unit)


def pure_figure(indicator: Indicator, records: Iterable[dict], period: Period, cut: Cut, shape: Shape) -> Figure:
    """The pure function on raw records (EncounterChanged payload dicts): the definition itself."""
    ids = shape.institution_ids(cut)
    cells = []
    for record in records:
        if ids is not None and record["institution_id"] not in ids:
            continue
        cell = rules.encounter_cell(record, shape.institutions[record["institution_id"]].tier)
        if cell is not None:
            cells.append(cell)
    return indicator.spec.figure(cells, months=period.months())
