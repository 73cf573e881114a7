"""The bulk loader behind ``yigongti demo --residents N`` (design "Scale"): N residents in households in
every village and community, a yearly health check for people of 65 and over, and two years of encounters
at about ten a resident a year, bulk-inserted (people.bulk) — never through the per-record actions.

Residents and households go in one transaction per ~50,000 residents (their ids are assigned here so that
households, heads and residents point at each other); exams and encounters in transactions of ~200,000 rows.
Rows per second are printed as the load goes. The kpi part (order 900) rebuilds the rollups afterwards.
"""
from __future__ import annotations

import datetime as dt
from array import array
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from yigongti.demo.registry import DemoContext

from . import demo_data
from .bulk import BulkTable, Rate, Sealer, fen, next_id, reset_sequences
from .demo import EXAM_AGE, County, Place, address, insurance_for, is_living_here, visit_window
from .demo_data import PeopleFactory
from .models import Encounter, HealthExam, Household, Resident

RESIDENT_CHUNK = 50_000
ACTIVITY_CHUNK = 200_000

RESIDENT_FIELDS = [
    "id", "name", "name_initials", "name_pinyin", "sex", "birth_date", "document_type", "document_number_enc",
    "document_index", "phone_enc", "phone_index", "phone_last4_index", "address_enc", "area_id", "household_id",
    "relation_to_head", "is_resident", "is_registered", "insurance_scheme", "record_number",
    "managing_institution_id",
]
HOUSEHOLD_FIELDS = ["id", "number", "area_id", "head_id", "address_enc"]
ENCOUNTER_FIELDS = [
    "resident_id", "institution_id", "department_id", "kind", "visit_date", "discharge_date", "primary_diagnosis",
    "systolic", "diastolic", "fasting_glucose", "total_cost", "drug_cost", "consumables_cost",
    "medical_service_income", "insurance_paid", "is_tcm", "source", "external_id",
]
EXAM_FIELDS = [
    "resident_id", "institution_id", "exam_date", "temperature", "pulse", "systolic_left", "diastolic_left",
    "systolic_right", "diastolic_right", "height", "weight", "waist", "bmi", "fasting_glucose",
    "self_assessment",
]


@dataclass
class Loaded:
    """What the residents part made, compactly (1M residents ≈ 20 MB): later bulk parts read it."""

    ids: array  # resident ids
    sexes: bytearray  # b"1" / b"2"
    births: array  # date ordinals
    places: array  # index into County.places

    def __len__(self) -> int:
        return len(self.ids)


def _serials(prefix_len: int, values) -> dict[str, int]:
    """The highest 5-digit serial used per area code, from existing record / household numbers."""
    found: dict[str, int] = {}
    for value in values:
        if value and len(value) >= prefix_len + 5 and value[-5:].isdigit():
            key = value[-17:-5]
            found[key] = max(found.get(key, 0), int(value[-5:]))
    return found


def _name_keys():
    """people.actions.pinyin_of for many names: surname and given name each looked up once and joined
    (a county has a few dozen surnames and a few thousand given names)."""
    from functools import lru_cache

    from .actions import pinyin_of

    part = lru_cache(maxsize=100_000)(pinyin_of)

    def keys(name: str) -> tuple[str, str]:
        (si, sp), (gi, gp) = part(name[:1]), part(name[1:])
        return (si + gi)[:40], (sp + gp)[:160]

    return keys


def residents(ctx: DemoContext, county: County, *, only: list[Place] | None = None,
              per_village: int | None = None) -> None:
    """About ``ctx.residents`` people spread over every village (or ``per_village`` in each of ``only``)."""
    name_keys = _name_keys()
    places = [p for p in (only if only is not None else county.places) if p.clinic or p.centre]
    if not places:
        ctx.log("    no villages: the org part made none")
        return
    total = per_village * len(places) if per_village else (ctx.residents or 0)
    per_place = [total // len(places) + (1 if i < total % len(places) else 0) for i in range(len(places))]
    rng = ctx.rng("people.residents.bulk")
    # One factory per build keeps ID and phone numbers unique next to residents the actions made.
    factory = ctx.made.get("people", {}).get("factory") or PeopleFactory(rng, ctx.today)
    sealer = Sealer()
    record_serials = _serials(12, Resident.objects.exclude(record_number=None).values_list("record_number",
                                                                                           flat=True))
    household_serials = _serials(12, Household.objects.values_list("number", flat=True))
    rid, hid = next_id(Resident), next_id(Household)
    residents_table = BulkTable(Resident, RESIDENT_FIELDS)
    households_table = BulkTable(Household, HOUSEHOLD_FIELDS)
    loaded = Loaded(array("q"), bytearray(), array("i"), array("i"))
    place_index = {id(p): i for i, p in enumerate(county.places)}
    rate = Rate(ctx.log, "residents")
    pending_r: list[tuple] = []
    pending_h: list[tuple] = []

    def flush():
        with transaction.atomic():
            households_table.write(pending_h)
            residents_table.write(pending_r)
        rate.add(len(pending_r))
        pending_r.clear()
        pending_h.clear()

    made = 0
    for place, want in zip(places, per_place, strict=True):
        want = min(want, total - made)  # households overshoot a little: stop at about N
        code = place.village.code
        manager = (place.clinic or place.centre).pk
        households = factory.village(want) if want > 0 else []
        made += sum(len(h.members) for h in households)
        for household in households:
            household_serials[code] = household_serials.get(code, 0) + 1
            number = household_serials[code]
            where = address(place, number)
            head_id = rid
            pending_h.append((hid, f"{code}{number:05d}", place.village.pk, head_id, sealer.encrypt(where)))
            for person in household.members:
                record_serials[code] = record_serials.get(code, 0) + 1
                initials, pinyin = name_keys(person.name)
                phone = person.phone
                pending_r.append((
                    rid, person.name, initials, pinyin, person.sex, person.birth_date, "id_card",
                    sealer.encrypt(person.id_number), sealer.index("document", person.id_number),
                    sealer.encrypt(phone), sealer.index("phone", phone), sealer.index("phone4", phone[-4:]),
                    sealer.encrypt(where), place.village.pk, hid, person.relation,
                    is_living_here(rng, person, ctx.today), True, insurance_for(rng, person, ctx.today),
                    f"{code}{record_serials[code]:05d}", manager,
                ))
                loaded.ids.append(rid)
                loaded.sexes += person.sex.encode()
                loaded.births.append(person.birth_date.toordinal())
                loaded.places.append(place_index[id(place)])
                rid += 1
            hid += 1
            if len(pending_r) >= RESIDENT_CHUNK:
                flush()
    if pending_r:
        flush()
    with transaction.atomic():
        reset_sequences(Resident, Household)
    ctx.made.setdefault("people", {})["bulk"] = loaded
    rate.say(" (done)")


def _loaded_from_db(county: County) -> Loaded:
    index = {p.village.pk: i for i, p in enumerate(county.places)}
    loaded = Loaded(array("q"), bytearray(), array("i"), array("i"))
    rows = Resident.objects.filter(status="active").order_by("pk").values_list("pk", "sex", "birth_date", "area_id")
    for pk, sex, birth, area_id in rows.iterator(chunk_size=20_000):
        if area_id in index:
            loaded.ids.append(pk)
            loaded.sexes += (sex or "9").encode()
            loaded.births.append(birth.toordinal())
            loaded.places.append(index[area_id])
    return loaded


def _age(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def activity(ctx: DemoContext, county: County) -> None:
    loaded: Loaded | None = ctx.made.get("people", {}).get("bulk")
    if loaded is None:
        loaded = _loaded_from_db(county)
    rng = ctx.rng("people.activity.bulk")
    start, end = visit_window(ctx)
    years = [(dt.date(y, 1, 1) if y > start.year else start, min(dt.date(y, 12, 31), end))
             for y in range(start.year, end.year + 1)]
    tcm_tiers = ("county", "township") if county.tcm_hospital else ("township",)
    his = {inst.pk for inst in (county.hospital, county.tcm_hospital, county.mch, county.second)
           if inst is not None and inst.clinical_system == "external_his"}
    encounters = BulkTable(Encounter, ENCOUNTER_FIELDS)
    exams = BulkTable(HealthExam, EXAM_FIELDS)
    rate = Rate(ctx.log, "encounters + exams")
    external = (Encounter.objects.aggregate(n=Max("id"))["n"] or 0) + 1
    pending_e: list[tuple] = []
    pending_x: list[tuple] = []

    def flush():
        with transaction.atomic():
            encounters.write(pending_e)
            exams.write(pending_x)
        rate.add(len(pending_e) + len(pending_x))
        pending_e.clear()
        pending_x.clear()

    for i in range(len(loaded)):
        resident_id = loaded.ids[i]
        sex = chr(loaded.sexes[i])
        birth = dt.date.fromordinal(loaded.births[i])
        place: Place = county.places[loaded.places[i]]
        for first, last in years:
            if birth > last:
                continue
            age = _age(birth, last)
            share = ((last - max(first, birth)).days + 1) / 365
            for _ in range(max(0, round(demo_data.yearly_visits(rng, age) * share))):
                v = demo_data.visit(rng, age=age, sex=sex, start=max(first, birth), end=last, tcm_places=tcm_tiers)
                inst, dept = county.where(rng, place, v, age)
                if inst is None:
                    continue
                systolic = diastolic = glucose = None
                if v.diagnosis.startswith("I1"):
                    systolic, diastolic = rng.randint(118, 172), rng.randint(70, 102)
                elif v.diagnosis.startswith("E11"):
                    glucose = f"{rng.uniform(5.2, 11.5):.1f}"
                source, ext = ("his", f"{inst.code}-{external}") if inst.pk in his else ("yigongti", "")
                external += 1
                pending_e.append((
                    resident_id, inst.pk, dept.pk if dept else None, v.kind, v.visit_date, v.discharge_date,
                    v.diagnosis, systolic, diastolic, glucose, fen(v.total), fen(v.drug), fen(v.consumables),
                    fen(v.service), fen(v.insured), v.is_tcm, source, ext,
                ))
            if age >= EXAM_AGE and place.centre is not None and rng.random() < 0.72:
                pending_x.append(exam_row(rng, resident_id, place.centre.pk, first, last, sex))
        if len(pending_e) >= ACTIVITY_CHUNK:
            flush()
    if pending_e or pending_x:
        flush()
    rate.say(" (done)")


def exam_row(rng, resident_id: int, institution_id: int, first: dt.date, last: dt.date, sex: str) -> tuple:
    """A yearly check of an older person (健康体检表 essentials), mostly in the spring campaign."""
    span = (last - first).days
    day = first + dt.timedelta(days=min(span, int(abs(rng.gauss(0.3, 0.15)) * 365)))
    height = demo_data.Decimal(str(round(rng.gauss(163 if sex == "1" else 152, 6), 1)))
    weight = demo_data.Decimal(str(round(rng.gauss(62 if sex == "1" else 54, 9), 1)))
    bmi = (weight / (height / 100) ** 2).quantize(demo_data.Decimal("0.1"))
    systolic = int(rng.gauss(138, 18))
    return (resident_id, institution_id, day, demo_data.Decimal(str(round(rng.uniform(36.2, 37.0), 1))),
            rng.randint(60, 96), systolic, int(systolic * rng.uniform(0.55, 0.65)), systolic + rng.randint(-6, 6),
            int(systolic * rng.uniform(0.55, 0.65)), height, weight,
            demo_data.Decimal(str(round(rng.gauss(86 if sex == "1" else 82, 8), 1))), bmi,
            demo_data.Decimal(str(round(max(3.8, rng.gauss(6.1, 1.4)), 1))),
            rng.choice(("满意", "基本满意", "基本满意", "说不清楚", "不太满意")))
