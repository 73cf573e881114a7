"""The people part of the demo county (tiny, through the real actions): residents in households in every
village with the rural age pyramid, exams of people of 65 and over, two years of encounters priced per tier —
and the same residents again for the same seed."""
import datetime as dt

from django.db import transaction

from yigongti.demo.registry import DemoContext, generate
from yigongti.org.models import Area
from yigongti.people import crypto
from yigongti.people.models import Encounter, HealthExam, Household, Resident
from yigongti.rules import idcard


def _residents() -> list[tuple]:
    return [(r.name, r.sex, r.birth_date, crypto.decrypt(r.document_number_enc), crypto.decrypt(r.phone_enc),
             r.record_number, r.area.code, r.relation_to_head, r.household.number)
            for r in Resident.objects.select_related("area", "household").order_by("record_number")]


def _build(seed: int) -> list[tuple]:
    with transaction.atomic():
        generate(DemoContext(scale="tiny", seed=seed, log=lambda line: None))
        made = _residents()
        checks = _checks()
        transaction.set_rollback(True)
    return made, checks


def _checks() -> dict:
    today = dt.date(2026, 11, 1)
    villages = Area.objects.filter(level__in=["village", "community"])
    residents = list(Resident.objects.all())
    encounters = list(Encounter.objects.select_related("institution"))
    return {
        "every_village": all(Resident.objects.filter(area=v).exists() for v in villages),
        "ids_valid": all(idcard.validate(crypto.decrypt(r.document_number_enc)) == idcard.OK
                         and crypto.decrypt(r.document_number_enc).startswith("360199") for r in residents),
        "heads": all(h.head_id and h.head.relation_to_head == "head" for h in Household.objects.all()),
        "older": sum(1 for r in residents if (today - r.birth_date).days >= 60 * 365.25) / len(residents),
        "window": (min(e.visit_date for e in encounters), max(e.visit_date for e in encounters)),
        "tiers": {e.institution.tier for e in encounters},
        "village_costs": [e.total_cost for e in encounters if e.institution.tier == "village"],
        "exams_65": all((e.exam_date - e.resident.birth_date).days >= 64 * 365
                        for e in HealthExam.objects.select_related("resident")),
        "tcm": any(e.is_tcm for e in encounters),
    }


def test_the_tiny_build_is_complete_and_the_same_for_a_seed(db):
    first, checks = _build(seed=7)
    second, _ = _build(seed=7)
    other, _ = _build(seed=8)

    assert first and first == second
    assert first != other
    assert checks["every_village"] and checks["ids_valid"] and checks["heads"]
    assert checks["older"] > 0.2
    start, end = checks["window"]
    assert start >= dt.date(2025, 1, 1) and end <= dt.date(2026, 10, 31)
    assert checks["tiers"] == {"village", "township", "county"}
    assert all(30 <= cost <= 60 for cost in checks["village_costs"])
    assert checks["exams_65"]
    assert checks["tcm"]
