"""Reads of the structure. Structure and aggregates are not personal data: every signed-in user may
browse the tree and the counts; what they may change is decided in permissions.py."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.utils import timezone

from .models import Area, AreaYearFigures, Institution, Membership, PopulationDenominator, ReservedBed


def area_subtree_ids(area: Area) -> list[int]:
    return list(Area.objects.filter(path__startswith=area.path).values_list("id", flat=True))


def denominator(area: Area | None, year: int, measure: str = "resident", *, sex: str | None = None,
                age_bands: list[str] | None = None) -> int:
    """Population of ``area``'s subtree (the whole county when None) in ``year``: measure "resident" (常住)
    or "registered" (户籍), optionally one sex and some age bands."""
    if measure not in ("resident", "registered"):
        raise ValueError(measure)
    rows = PopulationDenominator.objects.filter(year=year)
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    if sex:
        rows = rows.filter(sex=sex)
    if age_bands:
        rows = rows.filter(age_band__in=age_bands)
    return rows.aggregate(n=Sum(measure))["n"] or 0


def year_figure(area: Area | None, year: int, measure: str) -> int:
    """live_births, insured_employee or insured_resident over ``area``'s subtree."""
    if measure not in ("live_births", "insured_employee", "insured_resident"):
        raise ValueError(measure)
    rows = AreaYearFigures.objects.filter(year=year)
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return rows.aggregate(n=Sum(measure))["n"] or 0


def free_beds(institution: Institution, now: dt.datetime | None = None):
    """Reserved beds with no holder, or whose hold has passed (design: "Reserved beds")."""
    now = now or timezone.now()
    return ReservedBed.objects.filter(institution=institution, active=True).filter(
        Q(hold_until__isnull=True) | Q(hold_until__lt=now)
    )


def _resident_counts_by_area() -> dict[int, int]:
    try:
        Resident = apps.get_model("people", "Resident")
    except LookupError:
        return {}
    rows = Resident.objects.filter(status="active").values("area_id").annotate(n=Count("id"))
    return {r["area_id"]: r["n"] for r in rows}


def structure_tree(year: int | None = None) -> list[dict]:
    """The area tree with, per node, its institutions and subtree counts of institutions, staff,
    residents and population. Five queries whatever the county's size."""
    year = year or timezone.localdate().year
    areas = list(Area.objects.order_by("path"))
    institutions = list(Institution.objects.filter(active=True).order_by("tier", "code"))
    staff = dict(Membership.objects.filter(institution__active=True).values("institution__area_id")
                 .annotate(n=Count("user_id", distinct=True)).values_list("institution__area_id", "n"))
    population = dict(PopulationDenominator.objects.filter(year=year).values("area_id")
                      .annotate(n=Sum("resident")).values_list("area_id", "n"))
    residents = _resident_counts_by_area()
    by_area: dict[int, list] = defaultdict(list)
    for inst in institutions:
        by_area[inst.area_id].append(inst)
    nodes = {a.pk: {"area": a, "institutions": by_area.get(a.pk, []), "children": [],
                    "own": {"institutions": len(by_area.get(a.pk, [])), "staff": staff.get(a.pk, 0),
                            "residents": residents.get(a.pk, 0), "population": population.get(a.pk, 0)}}
             for a in areas}
    roots = []
    for a in areas:
        (nodes[a.parent_id]["children"] if a.parent_id in nodes else roots).append(nodes[a.pk])

    def total(node):
        sums = dict(node["own"])
        for child in node["children"]:
            for k, v in total(child).items():
                sums[k] += v
        node["totals"] = sums
        return sums

    for root in roots:
        total(root)
    return roots


def staff_of(institution: Institution):
    return (Membership.objects.filter(institution=institution).select_related("user", "department")
            .prefetch_related("roles").order_by("user__full_name"))
