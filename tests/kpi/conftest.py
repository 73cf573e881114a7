"""kpi test helpers: the shared ``scenario`` (tests/scenario.py) by name, and ``EncounterChanged`` events
with the payload agreed in docs/dev/helpers-brief.md for the tests of the live handler itself (the other
tests make encounters through the people actions, tests/kpi/people_adapter.py)."""
from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import transaction

from yigongti import events
from yigongti.org.models import Institution

_ids = itertools.count(1)

AREAS = ("county", "township_1", "township_2", "village_a", "village_b", "village_c")
INSTITUTIONS = ("county_hospital", "cdc", "centre_1", "centre_2", "clinic_a", "clinic_b", "clinic_c")
USERS = ("consortium_office", "health_bureau", "township_doctor", "other_township_doctor", "village_doctor_a",
         "county_specialist", "system_admin")


@dataclass
class County:
    """The shared ``scenario`` seen by name: ``county.inst("centre_1")``, ``county.areas["village_a"]``,
    ``county.users["consortium_office"]``."""

    areas: dict = field(default_factory=dict)
    institutions: dict = field(default_factory=dict)
    users: dict = field(default_factory=dict)

    def inst(self, name: str):
        return self.institutions[name]


@pytest.fixture
def county(scenario) -> County:
    return County(areas={n: getattr(scenario, n) for n in AREAS},
                  institutions={n: getattr(scenario, n) for n in INSTITUTIONS},
                  users={n: getattr(scenario, n) for n in USERS})


def payload(institution: Institution, *, kind="outpatient", visit_date="2025-03-10", discharge_date=None,
            total="100.00", drug="40.00", service="30.00", consumables="0.00", insurance="0.00", is_tcm=False,
            resident_id=1, area_id=None) -> dict:
    return {"resident_id": resident_id, "institution_id": institution.pk, "department_id": None, "kind": kind,
            "visit_date": str(visit_date), "discharge_date": str(discharge_date) if discharge_date else None,
            "total_cost": str(Decimal(total)), "drug_cost": str(Decimal(drug)),
            "consumables_cost": str(Decimal(consumables)), "medical_service_income": str(Decimal(service)),
            "insurance_paid": str(Decimal(insurance)), "is_tcm": is_tcm, "primary_diagnosis": "I10",
            "area_id": area_id}


def publish(before: dict | None, after: dict | None, encounter_id: int | None = None) -> int:
    encounter_id = encounter_id or next(_ids)
    with transaction.atomic():
        events.publish(events.EncounterChanged(encounter_id=encounter_id, before=before, after=after))
    return encounter_id


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)
