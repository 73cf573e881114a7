"""Attribution: the ledger of where each resident with a health record lived when, kept from the people
app's events, and monthly flows per area from which a stock at any period's end is one indexed sum.

A resident counts for the area of their residence at the end of the period (design: "Attribution and closed
periods"); a resident who died or moved away on day d no longer counts on day d (rules.indicators.placed_at).
The ledger keeps history the resident table does not (an area change keeps the old placement); ``rebuild``
reconciles it with the resident table (adds residents the bulk loader made without events, closes those
who are gone) and recomputes the flows.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection, transaction
from django.db.models import Q, Sum
from django.utils import timezone

from yigongti.rules import indicators as rules

from .models import PlacementFlow, ResidentPlacement

EPOCH = dt.date(1900, 1, 1)  # placements of residents whose registration date is unknown


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _flow(area_id: int, day: dt.date, delta: int) -> None:
    """Add ``delta`` to the area's flow of that month: one INSERT … ON CONFLICT DO UPDATE."""
    table = PlacementFlow._meta.db_table
    sql = f"INSERT INTO {table} (area_id, month, delta) VALUES (%s, %s, %s) "  # noqa: S608
    sql += f"ON CONFLICT (area_id, month) DO UPDATE SET delta = {table}.delta + excluded.delta"
    with connection.cursor() as cursor:
        cursor.execute(sql, [area_id, connection.ops.adapt_datefield_value(_month(day)), delta])


def open_placement(resident_id: int, area_id: int | None, start: dt.date) -> None:
    if not area_id or ResidentPlacement.objects.filter(resident_id=resident_id, end=None).exists():
        return
    ResidentPlacement.objects.create(resident_id=resident_id, area_id=area_id, start=start)
    _flow(area_id, start, +1)


def close_placement(resident_id: int, end: dt.date) -> None:
    for placement in ResidentPlacement.objects.filter(resident_id=resident_id, end=None):
        end_day = max(end, placement.start)
        placement.end = end_day
        placement.save(update_fields=["end"])
        _flow(placement.area_id, end_day, -1)


def _resident_area(resident_id: int) -> int | None:
    from yigongti.people.models import Resident

    return Resident.objects.filter(pk=resident_id).values_list("area_id", flat=True).first()


# --- event handlers (subscribed in KpiConfig.ready) ----------------------------------------------------


def on_resident_registered(event) -> None:
    open_placement(event.resident_id, event.area_id, timezone.localdate())


def on_resident_changed(event) -> None:
    before, after = event.before or {}, event.after or {}
    if "area" not in event.changed and "area_id" not in event.changed:
        return
    new_area = after.get("area_id", after.get("area"))
    if new_area == before.get("area_id", before.get("area")):
        return
    today = timezone.localdate()
    close_placement(event.resident_id, today)
    open_placement(event.resident_id, new_area, today)


def on_resident_died(event) -> None:
    close_placement(event.resident_id, event.date_of_death)


def on_resident_moved_away(event) -> None:
    close_placement(event.resident_id, event.moved_on)


def on_residents_merged(event) -> None:
    close_placement(event.merged_id, timezone.localdate())


def on_residents_unmerged(event) -> None:
    open_placement(event.restored_id, _resident_area(event.restored_id), timezone.localdate())


# --- reading -------------------------------------------------------------------------------------------


def stock(month: tuple[int, int], area_ids: set[int] | None) -> int:
    """Residents counted at the end of ``month`` in ``area_ids`` (None: everywhere): one sum over flows."""
    qs = PlacementFlow.objects.filter(month__lte=dt.date(month[0], month[1], 1))
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    return int(qs.aggregate(n=Sum("delta"))["n"] or 0)


def placed_resident_ids(day: dt.date, area_ids: set[int] | None):
    """The ids of the residents counted on ``day`` (the drill-down's base)."""
    qs = ResidentPlacement.objects.filter(start__lte=day).filter(Q(end=None) | Q(end__gt=day))
    if area_ids is not None:
        qs = qs.filter(area_id__in=area_ids)
    return qs.values("resident_id")


# --- rebuild -------------------------------------------------------------------------------------------


def rebuild() -> int:
    """Reconcile the ledger with the resident table, then recompute every flow from the ledger."""
    from yigongti.people.models import Resident

    today = timezone.localdate()
    fields = {f.name for f in Resident._meta.get_fields()}
    with transaction.atomic():
        placed = set(ResidentPlacement.objects.filter(end=None).values_list("resident_id", flat=True))
        ever = set(ResidentPlacement.objects.values_list("resident_id", flat=True))
        columns = ["id", "area_id", "status"] + [f for f in ("death_date", "moved_on", "created_at") if f in fields]
        missing = []
        current = {}
        for row in Resident.objects.values(*columns).iterator(chunk_size=5000):
            current[row["id"]] = row
            if row["id"] in ever or not row["area_id"]:
                continue
            created = row.get("created_at")
            start = timezone.localtime(created).date() if created else EPOCH
            end = None
            if row["status"] == "deceased":
                end = row.get("death_date") or today
            elif row["status"] != "active":  # moved away, merged into another record
                end = row.get("moved_on") or today
            missing.append(ResidentPlacement(resident_id=row["id"], area_id=row["area_id"], start=start,
                                             end=max(end, start) if end else None))
        ResidentPlacement.objects.bulk_create(missing, batch_size=5000)
        gone = [rid for rid in placed if rid not in current or current[rid]["status"] != "active"]
        for rid in gone:
            row = current.get(rid)
            end = (row and (row.get("death_date") or row.get("moved_on"))) or today
            ResidentPlacement.objects.filter(resident_id=rid, end=None).update(end=end)
        flows: dict[tuple[int, dt.date], int] = defaultdict(int)
        for area_id, start, end in ResidentPlacement.objects.values_list("area_id", "start", "end").iterator(
                chunk_size=20000):
            for flow in rules.placement_flows([rules.Placement(0, area_id, start, end)]):
                flows[(flow.area_id, dt.date(flow.month[0], flow.month[1], 1))] += flow.delta
        PlacementFlow.objects.all().delete()
        PlacementFlow.objects.bulk_create(
            [PlacementFlow(area_id=a, month=m, delta=d) for (a, m), d in flows.items() if d], batch_size=5000)
    return ResidentPlacement.objects.count()


# --- 建档率: residents with a record / 常住 population (org denominators) ------------------------------


class RecordCoverage:
    """The hooks of ``records.coverage`` (kpi/indicators.py): numerator from the ledger's flows (a stock at the
    period's end), denominator from org's population denominators (常住, the period's year)."""

    drill_template = "kpi/drill_residents.html"

    @staticmethod
    def _population(period: rules.Period, cut: rules.Cut, shape) -> int:
        from yigongti.org.models import Area
        from yigongti.org.queries import denominator

        area = None if cut.level == "county" else Area.objects.filter(pk=int(cut.key)).first()
        if cut.level != "county" and area is None:
            return 0
        return denominator(area, period.year, "resident")

    def live(self, period: rules.Period, cut: rules.Cut, shape) -> rules.Figure:
        count = stock(period.months()[-1], shape.area_ids(cut))
        return rules.make_figure(count, self._population(period, cut, shape), rules.UNIT_PERCENT)

    def pure(self, records: dict, period: rules.Period, cut: rules.Cut, shape) -> rules.Figure:
        """``records``: {"placements": [rules.Placement], "population": {(area_id, year): n}}."""
        areas = shape.area_ids(cut)
        placed = rules.placed_at(records["placements"], period.end)
        count = sum(1 for area_id in placed.values() if areas is None or area_id in areas)
        population = sum(n for (area_id, year), n in records["population"].items()
                         if year == period.year and (areas is None or area_id in areas))
        return rules.make_figure(count, population, rules.UNIT_PERCENT)

    def drilldown(self, user, period: rules.Period, cut: rules.Cut, shape):
        from yigongti.people.models import Resident

        try:
            from yigongti.people.queries import visible_residents
            base = visible_residents(user)
        except ImportError:  # people's scoped reads not built yet: oversight roles only
            from .queries import is_oversight

            base = Resident.objects.all() if is_oversight(user) else Resident.objects.none()
        return base.filter(pk__in=placed_resident_ids(period.end, shape.area_ids(cut)))

    def drill_figure(self, queryset, period: rules.Period, cut: rules.Cut, shape) -> rules.Figure:
        return rules.make_figure(queryset.count(), self._population(period, cut, shape), rules.UNIT_PERCENT)

    @staticmethod
    def drill_rows(residents, export: bool):
        from django.utils.translation import gettext as _

        headers = [_("档案编号"), _("姓名"), _("性别"), _("出生日期"), _("居住地")]
        rows = []
        for r in residents.select_related("area"):
            values = [getattr(r, "record_number", "") or "", r.name, r.get_sex_display() if hasattr(
                r, "get_sex_display") else r.sex, r.birth_date, r.area.name if r.area_id else ""]
            rows.append(values if export else {"values": values, "resident_url": ""})
        return headers, rows
