"""The people part of the demo county (demo/registry.py): the ICD-10 subset (order 15), residents in
households in every village and community (order 20), health exams and two years of encounters (order 30).

``tiny`` goes through the real actions (people.actions); ``demo`` too for its first PER_RECORD_RESIDENTS
residents (the villages of the demo accounts) and bulk-loads the other villages; ``--residents N`` bulk-loads
everything (people.bulkload: COPY on PostgreSQL, executemany on SQLite) without actions, and the kpi part
(order 900) rebuilds the rollups afterwards. Deterministic for a seed: every draw comes from ``ctx.rng(part)``.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from yigongti.demo.registry import DemoContext, DemoPart
from yigongti.org.models import Area, Department, Institution

from . import demo_data
from .demo_data import PeopleFactory, Person

SUBSET = Path(__file__).resolve().parent / "data" / "icd10_subset.csv"
# Encounters per resident per year, relative to a county's ~10 (demo_data.yearly_visits): the per-record
# path of the small scales makes fewer, the bulk path the full volume.
VISIT_RATE = {"tiny": 0.35, "demo": 0.1}
# How many residents of the demo scale go through the actions, village by village from Xiangtang's first
# (where the demo accounts work); the other villages are bulk-loaded like --residents N, so `make demo` stays
# near two minutes (every resident through register_resident took ~7 minutes on a busy 2-core machine).
# None: every resident through the actions.
PER_RECORD_RESIDENTS: dict[str, int | None] = {"tiny": None, "demo": 1500}
EXAM_AGE = 65  # 国家基本公共卫生服务规范: a yearly health check for people of 65 and over


# --- where people live and where they are seen ----------------------------------------------------------

@dataclass
class Place:
    village: Area
    clinic: Institution | None
    centre: Institution | None


@dataclass
class County:
    places: list[Place]
    hospital: Institution | None
    tcm_hospital: Institution | None
    mch: Institution | None
    second: Institution | None
    subcentres: list[Institution]
    departments: dict[int, dict[str, Department]] = field(default_factory=dict)
    tcm_departments: dict[int, list[Department]] = field(default_factory=dict)

    @classmethod
    def load(cls) -> County:
        villages = list(Area.objects.filter(level__in=["village", "community"]).select_related("parent")
                        .order_by("code"))
        clinics: dict[int, Institution] = {}
        for inst in (Institution.objects.filter(tier="village", active=True).order_by("code")
                     .prefetch_related("service_areas")):
            for area in inst.service_areas.all():
                clinics.setdefault(area.pk, inst)
            clinics.setdefault(inst.area_id, inst)
        centres = {inst.area_id: inst for inst in Institution.objects.filter(
            kind__in=["township_centre", "community_centre"], active=True).order_by("-code")}
        county = Institution.objects.filter(tier="county", active=True).order_by("code")
        general = [i for i in county if i.kind == "general_hospital"]
        lead = [i for i in general if i.is_lead] or general
        made = cls(
            places=[Place(v, clinics.get(v.pk), centres.get(v.parent_id)) for v in villages],
            hospital=lead[0] if lead else None,
            tcm_hospital=next((i for i in county if i.kind == "tcm_hospital"), None),
            mch=next((i for i in county if i.kind == "mch_hospital"), None),
            second=next((i for i in general if not lead or i.pk != lead[0].pk), None),
            subcentres=[c for c in centres.values() if c.is_subcentre],
        )
        for dept in Department.objects.order_by("institution_id", "code"):
            made.departments.setdefault(dept.institution_id, {})[dept.code] = dept
            if dept.is_tcm:
                made.tcm_departments.setdefault(dept.institution_id, []).append(dept)
        return made

    def dept(self, inst: Institution | None, *codes: str) -> Department | None:
        if inst is None:
            return None
        known = self.departments.get(inst.pk, {})
        for code in codes:
            if code in known:
                return known[code]
        return None

    def where(self, rng: random.Random, place: Place, v: demo_data.Visit, age: int
              ) -> tuple[Institution | None, Department | None]:
        """The institution and department of a visit of a resident of ``place``."""
        if v.tier == "village":
            return place.clinic or place.centre, None
        if v.tier == "township":
            centre = place.centre
            if self.subcentres and rng.random() < 0.1:
                centre = rng.choice(self.subcentres)
            if centre is None:
                return None, None
            if v.is_tcm and self.tcm_departments.get(centre.pk):
                return centre, self.tcm_departments[centre.pk][0]
            if v.kind == "inpatient":
                return centre, self.dept(centre, "KFK" if v.diagnosis.startswith("I63") else "NEK", "QK")
            if v.diagnosis[:3] in ("I10", "E11"):
                return centre, self.dept(centre, "MBMZ", "QK")
            return centre, self.dept(centre, "NEK" if age < 15 else "QK")
        if v.is_tcm and self.tcm_hospital is not None:
            depts = self.tcm_departments.get(self.tcm_hospital.pk) or [None]
            code = v.diagnosis[:3]
            dept = depts[min(1, len(depts) - 1)] if code in ("M54", "M47", "M75", "M17") else depts[0]
            return self.tcm_hospital, dept
        if v.diagnosis[:3] in ("O80", "Z34") and self.mch is not None:
            return self.mch, self.dept(self.mch, "FCK")
        hospital = self.hospital
        if self.second is not None and rng.random() < 0.12:
            hospital = self.second
        if hospital is None:
            return None, None
        code = v.diagnosis[:3]
        if v.kind == "emergency":
            return hospital, self.dept(hospital, "JZK", "NK")
        if age < 15:
            return hospital, self.dept(hospital, "EK", "NK")
        if code in ("S72", "S06", "S01", "T14", "M17", "M47"):
            return hospital, self.dept(hospital, "GK", "WK", "NK")
        if code in ("K35", "K80", "N20", "C16"):
            return hospital, self.dept(hospital, "WK", "NK")
        if code == "I63" and v.kind == "outpatient":
            return hospital, self.dept(hospital, "KFK", "NK")
        return hospital, self.dept(hospital, "NK")


def visit_window(ctx: DemoContext) -> tuple[dt.date, dt.date]:
    """Two calendar years up to yesterday: 2025-01-01 … 2026-10-31 for the demo's today 2026-11-01."""
    return dt.date(ctx.today.year - 1, 1, 1), ctx.today - dt.timedelta(days=1)


def address(place: Place, number: int) -> str:
    township = place.village.parent.name if place.village.parent_id else ""
    return f"{township}{place.village.name}{number // 40 + 1}组{number % 40 + 1}号"


def insurance_for(rng: random.Random, person: Person, today: dt.date) -> str:
    age = person.age_on(today)
    r = rng.random()
    if 22 <= age < 60 and r < 0.12:
        return "employee"
    if r > 0.985:
        return "self_pay"
    return "resident"


def is_living_here(rng: random.Random, person: Person, today: dt.date) -> bool:
    """Part of the working-age generation lives in the cities (户籍 here, not 常住)."""
    age = person.age_on(today)
    return not (18 <= age < 50 and rng.random() < 0.3)


# --- the ICD-10 subset ---------------------------------------------------------------------------------

def build_catalog(ctx: DemoContext) -> None:
    from .importing import import_catalog

    with transaction.atomic():
        result = import_catalog(SUBSET.read_bytes(), SUBSET.name)
    ctx.log(f"    ICD-10 subset: {result.created} new, {result.updated} updated, {result.unchanged} unchanged")


# --- bulk path (--residents N) ---------------------------------------------------------------------------

def bulk_residents(ctx: DemoContext) -> None:
    from . import bulkload

    bulkload.residents(ctx, County.load())


def bulk_activity(ctx: DemoContext) -> None:
    from . import bulkload

    bulkload.activity(ctx, County.load())
    rebuild_indicators(ctx)


def rebuild_indicators(ctx: DemoContext) -> None:
    """The bulk load bypassed the events that keep the indicator rollups: rebuild them — unless the kpi part
    (order 900) runs last anyway, as it does when the kpi app is installed."""
    from yigongti.demo.registry import parts

    if any(p.name == "kpi.rebuild" for p in parts()):
        return
    from django.core.management import CommandError, call_command

    try:
        call_command("kpi", "rebuild")
    except CommandError as exc:  # no kpi app, or it has no rebuild
        ctx.log(f"    kpi rebuild skipped: {exc}")


# --- per-record path (tiny, demo) --------------------------------------------------------------------------

def build_residents(ctx: DemoContext) -> None:
    """Residents through people.actions.register_resident, household by household, in every village (at the
    demo scale: in the first villages, up to PER_RECORD_RESIDENTS; the rest bulk-loaded)."""
    from . import actions
    from .models import Household

    county = County.load()
    factory = PeopleFactory(ctx.rng("people.residents"), ctx.today)
    ctx.made.setdefault("people", {})["factory"] = factory
    rng = ctx.rng("people.residents.attributes")
    made: list[tuple[int, str, dt.date, int]] = []
    budget = PER_RECORD_RESIDENTS.get(ctx.scale)
    per_village = ctx.params["residents_per_village"]
    rest: list[Place] = []
    # Villages in the order their clinics were set up (the demo accounts' villages first), then by code.
    order = sorted(range(len(county.places)), key=lambda i: (
        county.places[i].clinic.pk if county.places[i].clinic else 10**12, county.places[i].village.code))
    for index in order:
        place = county.places[index]
        institution = place.clinic or place.centre
        if institution is None:
            continue
        if budget is not None and len(made) >= budget:
            rest.append(place)
            continue
        for number, household in enumerate(factory.village(per_village), start=1):
            where = address(place, number)
            # people.actions has no household action yet: the household row is made here, membership and
            # relation go through register_resident.
            home = Household.objects.create(number=f"{place.village.code}{number:05d}", area=place.village)
            for person in household.members:
                resident = actions.register_resident(
                    None, institution=institution, force=True, name=person.name, sex=person.sex,
                    birth_date=person.birth_date, area=place.village, id_number=person.id_number,
                    phone=person.phone, address=where, household=home, relation_to_head=person.relation,
                    is_resident=is_living_here(rng, person, ctx.today),
                    insurance_scheme=insurance_for(rng, person, ctx.today))
                if person.relation == demo_data.REL_HEAD:
                    home.head = resident
                    home.save(update_fields=["head"])
                made.append((resident.pk, person.sex, person.birth_date, index))
    ctx.made.setdefault("people", {})["residents"] = made
    ctx.log(f"    {len(made)} residents in {len(county.places) - len(rest)} villages and communities (actions)")
    if rest:
        from . import bulkload

        bulkload.residents(ctx, county, only=rest, per_village=per_village)


def build_activity(ctx: DemoContext) -> None:
    """Yearly exams of people of 65 and over (record_exam) and two years of encounters: record_encounter at
    institutions whose clinical system is this platform, ingest_encounter (as from the HIS) at the others."""
    from . import actions
    from .models import Resident

    county = County.load()
    made = ctx.made.get("people", {}).get("residents")
    if made is None:
        index = {p.village.pk: i for i, p in enumerate(county.places)}
        made = [(pk, sex, born, index[area]) for pk, sex, born, area in Resident.objects.filter(
            status="active", area_id__in=index).order_by("pk").values_list("pk", "sex", "birth_date", "area_id")]
    rng = ctx.rng("people.activity")
    rate = VISIT_RATE.get(ctx.scale, VISIT_RATE["demo"])
    start, end = visit_window(ctx)
    years = [(dt.date(y, 1, 1) if y > start.year else start, min(dt.date(y, 12, 31), end))
             for y in range(start.year, end.year + 1)]
    tcm_tiers = ("county", "township") if county.tcm_hospital else ("township",)
    residents = Resident.objects.in_bulk([pk for pk, *_rest in made])
    encounters = exams = 0
    serial = 0
    for pk, sex, born, place_index in made:
        resident, place = residents[pk], county.places[place_index]
        for first, last in years:
            if born > last:
                continue
            age = demo_data.Person("", sex, born, "", "").age_on(last)
            share = ((last - max(first, born)).days + 1) / 365
            for _ in range(max(0, round(demo_data.yearly_visits(rng, age, rate=rate) * share))):
                v = demo_data.visit(rng, age=age, sex=sex, start=max(first, born), end=last, tcm_places=tcm_tiers)
                institution, department = county.where(rng, place, v, age)
                if institution is None:
                    continue
                fields = {"kind": v.kind, "visit_date": v.visit_date, "discharge_date": v.discharge_date,
                          "primary_diagnosis": v.diagnosis, "department": department, "is_tcm": v.is_tcm,
                          **v.costs()}
                if v.diagnosis.startswith("I1"):
                    fields["systolic"], fields["diastolic"] = rng.randint(118, 172), rng.randint(70, 102)
                if institution.clinical_system == "yigongti":
                    actions.record_encounter(None, institution=institution, resident=resident, **fields)
                else:
                    serial += 1
                    actions.ingest_encounter(None, institution=institution, external_id=f"DEMO-{serial:08d}",
                                             resident=resident, **fields)
                encounters += 1
            if age >= EXAM_AGE and place.centre is not None and rng.random() < 0.72:
                from .bulkload import EXAM_FIELDS, exam_row

                row = dict(zip(EXAM_FIELDS, exam_row(rng, pk, place.centre.pk, first, last, sex), strict=True))
                for key in ("resident_id", "institution_id", "bmi"):
                    row.pop(key)
                actions.record_exam(None, institution=place.centre, resident=resident, **row)
                exams += 1
    ctx.log(f"    {encounters} encounters, {exams} health exams ({start} … {end}) (actions)")
    if ctx.made.get("people", {}).get("bulk") is not None:
        from . import bulkload

        bulkload.activity(ctx, county)


PARTS = [
    DemoPart(name="people.icd10", order=15, build=build_catalog, bulk=build_catalog),
    DemoPart(name="people.residents", order=20, build=build_residents, bulk=bulk_residents),
    DemoPart(name="people.activity", order=30, build=build_activity, bulk=bulk_activity),
]
