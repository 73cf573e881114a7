"""The demo's last part rebuilds the rollups from what the bulk loaders wrote without events."""
from decimal import Decimal

from django.apps import apps

from yigongti.demo.registry import DemoContext, parts
from yigongti.kpi.models import EncounterRollup

from . import people_adapter


def test_the_kpi_part_runs_after_every_data_part():
    found = parts()
    assert found[-1].name == "kpi.rebuild" and found[-1].order == 900 and found[-1].bulk is not None


def test_the_part_rebuilds_rollups_of_rows_written_without_events(county):
    people_adapter.require()
    person = people_adapter.resident(county, "village_a")
    Encounter = apps.get_model("people", "Encounter")
    Encounter.objects.create(resident=person, institution=county.inst("centre_1"), kind="outpatient",
                             visit_date="2025-05-05", total_cost=Decimal("12.30"), primary_diagnosis="I10")
    assert not EncounterRollup.objects.exists()
    part = next(p for p in parts() if p.name == "kpi.rebuild")
    lines = []
    part.bulk(DemoContext(scale="tiny", seed=1, residents=10, log=lines.append))
    row = EncounterRollup.objects.get()
    assert (row.visits, row.total_cost) == (1, 1230) and "encounter_rollups: 1" in lines[0]
