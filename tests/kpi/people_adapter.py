"""How the kpi tests make residents and encounters: through the people app's real actions (which write
the row and publish ``EncounterChanged`` / the resident events in the same transaction). This module is the
only place in tests/kpi that knows the people actions' names."""
from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import transaction

REASON = "the people app (residents, encounters) is not built yet"
MONEY = ("total_cost", "drug_cost", "consumables_cost", "medical_service_income", "insurance_paid")
_names = itertools.count(1)


def ready() -> bool:
    try:
        apps.get_model("people", "Encounter")
    except LookupError:
        return False
    return True


def require() -> None:
    if not ready():
        pytest.skip(REASON)


def atomic():
    return transaction.atomic()


def record(encounter) -> dict:
    """An encounter as the EncounterChanged payload shape (the pure function's input)."""
    return {"resident_id": encounter.resident_id, "institution_id": encounter.institution_id,
            "department_id": encounter.department_id, "kind": encounter.kind,
            "visit_date": encounter.visit_date.isoformat(),
            "discharge_date": encounter.discharge_date.isoformat() if encounter.discharge_date else None,
            **{name: str(Decimal(getattr(encounter, name)).quantize(Decimal("0.01"))) for name in MONEY},
            "is_tcm": encounter.is_tcm, "primary_diagnosis": encounter.primary_diagnosis,
            "area_id": encounter.resident.area_id}


def all_records() -> list[dict]:
    require()
    Encounter = apps.get_model("people", "Encounter")
    return [record(e) for e in Encounter.objects.select_related("resident").order_by("pk")]


# --- residents (people.actions; actor None = the system, as imports do) ---------------------------------


def _institution_for(county, area_name: str):
    return county.inst("clinic_a" if area_name == "village_a" else "clinic_c")


def resident(county, area: str):
    require()
    from yigongti.people import actions

    n = next(_names)
    with transaction.atomic():
        return actions.register_resident(None, institution=_institution_for(county, area), force=True,
                                         name=f"测试居民{n}", sex="1", birth_date=dt.date(1960, 1, 1),
                                         document_type="none", area=county.areas[area])


def move(county, person, area: str):
    require()
    from yigongti.people import actions

    with transaction.atomic():
        return actions.update_resident(None, person, None, area=county.areas[area])


def died(county, person, on: dt.date):
    require()
    from yigongti.people import actions

    with transaction.atomic():
        return actions.record_death(None, person, on)


def merge(county, kept, merged):
    require()
    from yigongti.people import actions

    with transaction.atomic():
        return actions.merge_residents(None, kept, merged)


# --- encounters (people.actions) -----------------------------------------------------------------------


def _diagnoses() -> None:
    Icd10Code = apps.get_model("people", "Icd10Code")
    if not Icd10Code.objects.filter(code="I10").exists():
        Icd10Code.objects.create(code="I10", name="特发性（原发性）高血压")


def _values(fields: dict) -> dict:
    out = dict(fields)
    out.pop("institution", None)
    for name in ("visit_date", "discharge_date"):
        if isinstance(out.get(name), str):
            out[name] = dt.date.fromisoformat(out[name])
    out.setdefault("primary_diagnosis", "I10")
    return out


def create(county, person, **fields):
    require()
    from yigongti.people import actions

    _diagnoses()
    with transaction.atomic():
        return actions.record_encounter(None, institution=fields["institution"], resident=person, **_values(fields))


def edit(county, encounter, **changes):
    require()
    from yigongti.people import actions

    with transaction.atomic():
        return actions.update_encounter(None, encounter, None, **_values(changes))


def delete(county, encounter):
    require()
    from yigongti.people import actions

    with transaction.atomic():
        actions.delete_encounter(None, encounter)
