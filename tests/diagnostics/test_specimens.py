"""Laboratory specimens: barcode label, collected → received → tested → verified, a misread label refused."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.diagnostics import actions
from yigongti.rules import diagnostics as rules

from . import helpers

pytestmark = pytest.mark.django_db


def test_a_specimen_moves_through_its_states(scenario):
    s = scenario
    r = helpers.request(s, "LAB-BMP")
    sp = actions.collect_specimen(s.village_doctor_a, r)
    assert sp.state == "collected" and rules.barcode_is_valid(sp.barcode) and sp.barcode.startswith("H001")
    second = actions.collect_specimen(s.village_doctor_a, helpers.request(s, "LAB-CBC"))
    assert int(second.barcode[8:14]) == int(sp.barcode[8:14]) + 1
    with pytest.raises(ValidationError) as exc:
        actions.receive_specimen(s.county_specialist, sp, barcode=second.barcode)
    assert "barcode" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.mark_tested(s.county_specialist, sp)  # not received yet
    with pytest.raises(PermissionDenied):
        actions.receive_specimen(s.township_doctor, sp, barcode=sp.barcode)
    actions.receive_specimen(s.county_specialist, sp, barcode=sp.barcode)
    actions.claim_request(s.county_specialist, r)
    actions.save_report(s.county_specialist, r, results={"K": "4.2", "NA": "140", "GLU": "5.0", "CREA": "80"})
    with pytest.raises(ValidationError) as exc:
        actions.sign_report(s.county_specialist, r)
    assert "specimen" in exc.value.message_dict
    actions.mark_tested(s.county_specialist, sp)
    actions.sign_report(s.county_specialist, r)
    actions.publish_report(s.county_specialist, r)
    sp.refresh_from_db()
    assert sp.state == "verified" and sp.verified_by == s.county_specialist
    assert sp.collected_at <= sp.received_at <= sp.tested_at <= sp.verified_at


def test_a_specimen_is_collected_once_and_only_for_lab(scenario):
    r = helpers.request(scenario, "LAB-CBC")
    actions.collect_specimen(scenario.village_doctor_a, r)
    with pytest.raises(ValidationError):
        actions.collect_specimen(scenario.village_doctor_a, r)
    with pytest.raises(ValidationError):
        actions.collect_specimen(scenario.village_doctor_a, helpers.request(scenario))
