"""Issue 14 item 5: once an institution's dispensing runs here, the drug cost of its encounters comes only
from dispensing — a typed drug cost is refused, dispensing sets it, and 药占比 counts it once. Encounters
before the switch keep what was typed; HIS encounters keep their HIS cost; switching off lets typing resume."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.audit.models import AuditEntry
from yigongti.kpi.models import EncounterRollup
from yigongti.org.models import Institution
from yigongti.people import actions as people_actions
from yigongti.pharmacy import actions

from . import helpers as h


def _switch(s, institution, since=None):
    return actions.switch_drug_cost_to_dispensing(s.consortium_office, institution, since or h.today())


def test_a_typed_drug_cost_is_refused_after_the_switch_and_dispensing_sets_it(scenario):
    s = scenario
    d = h.drug(s, price="2.00")
    h.stock(s, s.clinic_a, d, 10)
    _switch(s, s.clinic_a)
    with pytest.raises(ValidationError) as exc:
        h.encounter(s, total="20.00", drug_cost="5.00")
    assert "drug_cost" in exc.value.message_dict and "发药" in exc.value.message_dict["drug_cost"][0]

    enc = h.encounter(s, total="20.00")
    rx = h.prescription(s, d, 3, enc=enc)
    actions.dispense_prescription(s.village_doctor_a, rx)
    enc.refresh_from_db()
    assert (enc.drug_cost, enc.total_cost) == (Decimal("6.00"), Decimal("26.00"))
    assert AuditEntry.objects.filter(object_type="people.Encounter", object_id=str(enc.pk),
                                     reason__contains="发药").exists()

    # editing the encounter keeps the dispensed cost; changing it by hand is refused
    enc = people_actions.update_encounter(s.village_doctor_a, enc, enc.version, primary_diagnosis="I10.x00",
                                          total_cost=Decimal("30.00"))
    assert enc.drug_cost == Decimal("6.00")
    with pytest.raises(ValidationError) as exc:
        people_actions.update_encounter(s.village_doctor_a, enc, enc.version, drug_cost=Decimal("1.00"))
    assert "drug_cost" in exc.value.message_dict


def test_the_drug_cost_counts_once_in_the_drug_share(scenario):
    s = scenario
    d = h.drug(s, price="2.00")
    h.stock(s, s.clinic_a, d, 10)
    _switch(s, s.clinic_a)
    enc = h.encounter(s, total="20.00")
    actions.dispense_prescription(s.village_doctor_a, h.prescription(s, d, 5, enc=enc))
    rollup = EncounterRollup.objects.get(institution=s.clinic_a)
    assert (rollup.visits, rollup.drug_cost, rollup.total_cost) == (1, 1000, 3000)  # fen: 10.00 of 30.00


def test_history_before_the_switch_keeps_its_typed_cost(scenario):
    s = scenario
    _switch(s, s.clinic_a, since=h.today() + dt.timedelta(days=1))
    enc = h.encounter(s, total="20.00", drug_cost="5.00")  # visit today, before the switch date
    assert enc.drug_cost == Decimal("5.00")
    actions.switch_drug_cost_to_typed(s.consortium_office, s.clinic_a)
    _switch(s, s.clinic_a)
    with pytest.raises(ValidationError):
        h.encounter(s, total="20.00", drug_cost="5.00")
    actions.switch_drug_cost_to_typed(s.consortium_office, s.clinic_a)
    assert h.encounter(s, total="20.00", drug_cost="5.00").drug_cost == Decimal("5.00")


def test_only_the_office_switches_and_only_for_a_platform_institution(scenario):
    s = scenario
    with pytest.raises(PermissionDenied):
        actions.switch_drug_cost_to_dispensing(s.village_doctor_a, s.clinic_a, h.today())
    Institution.objects.filter(pk=s.centre_1.pk).update(clinical_system="external_his")
    s.centre_1.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        _switch(s, s.centre_1)
    assert "institution" in exc.value.message_dict


def test_his_encounters_keep_their_his_cost(scenario):
    s = scenario
    _switch(s, s.clinic_a)
    from tests.referrals import helpers as rh

    rh.icd()
    enc, status = people_actions.ingest_encounter(
        None, institution=s.clinic_a, external_id="HIS-1", resident=h.patient(s), kind="outpatient",
        visit_date=h.today(), primary_diagnosis="I10.x00", total_cost=Decimal("20.00"), drug_cost=Decimal("8.00"))
    assert (status, enc.drug_cost) == ("created", Decimal("8.00"))
