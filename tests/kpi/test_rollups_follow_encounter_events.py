"""Live: EncounterChanged subtracts ``before`` and adds ``after`` in the rollup rows."""
from decimal import Decimal

from yigongti.kpi import catalog
from yigongti.kpi.models import EncounterRollup
from yigongti.kpi.queries import Reader
from yigongti.rules.indicators import Cut, parse_period

from .conftest import payload, publish


def _rows():
    return {(r.institution_id, r.month.isoformat(), r.kind, r.is_tcm): (r.visits, r.total_cost, r.drug_cost)
            for r in EncounterRollup.objects.exclude(visits=0)}


def test_a_created_encounter_is_added_in_its_month(county):
    centre = county.inst("centre_1")
    publish(None, payload(centre, total="120.50", drug="50.25"))
    assert _rows() == {(centre.pk, "2025-03-01", "outpatient", False): (1, 12050, 5025)}


def test_a_back_dated_edit_moves_the_encounter_to_its_new_month(county):
    centre = county.inst("centre_1")
    before = payload(centre, visit_date="2025-03-10")
    eid = publish(None, before)
    publish(before, payload(centre, visit_date="2025-01-31", total="80.00"), eid)
    assert _rows() == {(centre.pk, "2025-01-01", "outpatient", False): (1, 8000, 4000)}


def test_a_deleted_encounter_is_subtracted(county):
    centre = county.inst("centre_1")
    first = payload(centre)
    eid = publish(None, first)
    publish(None, payload(centre, total="50.00", drug="10.00"))
    publish(first, None, eid)
    assert _rows() == {(centre.pk, "2025-03-01", "outpatient", False): (1, 5000, 1000)}


def test_a_stay_counts_only_once_discharged(county):
    hospital = county.inst("county_hospital")
    admitted = payload(hospital, kind="inpatient", visit_date="2025-02-25", total="3000.00")
    eid = publish(None, admitted)
    assert _rows() == {}
    publish(admitted, {**admitted, "discharge_date": "2025-03-04"}, eid)
    assert _rows() == {(hospital.pk, "2025-03-01", "inpatient", False): (1, 300000, 4000)}


def test_figures_read_from_the_rollups(county):
    centre = county.inst("centre_1")
    publish(None, payload(centre, total="100.00", drug="40.00"))
    publish(None, payload(centre, total="300.00", drug="60.00", is_tcm=True))
    publish(None, payload(county.inst("clinic_a"), total="20.00", drug="20.00"))
    reader = Reader()
    get = catalog.catalog()
    march = parse_period("2025-03")
    drug = reader.reading(get["effect.drug_share"], march, Cut("institution", str(centre.pk)))
    assert (drug.figure.numerator, drug.figure.denominator, drug.value) == (
        Decimal("100.00"), Decimal("400.00"), Decimal("25.00"))
    township = reader.reading(get["effect.outpatient_visits"], march, Cut("township", str(county.areas["township_1"].pk)))
    assert township.value == 3
    primary = reader.reading(get["national.primary_visit_share"], march, Cut())
    assert primary.value == Decimal("100.00")
    assert reader.reading(get["national.tcm_visit_share"], parse_period("2025-Q1"), Cut()).value == Decimal("33.33")
