"""Merging two records of one person re-points their prescriptions (and missing-drug registrations) to the kept
record; undoing the merge puts them back."""
from yigongti.people import actions as people
from yigongti.pharmacy import actions
from yigongti.pharmacy.models import MissingDrug, Prescription

from . import helpers as h


def test_prescriptions_follow_a_merge_and_its_undo(scenario):
    s = scenario
    d = h.drug(s)
    kept, dup = h.patient(s, name="合并甲"), h.patient(s, name="合并乙")
    rx = h.prescription(s, d, 1, enc=h.encounter(s, resident=dup))
    m = actions.register_missing_drug(s.village_doctor_a, institution=s.clinic_a, resident=dup, drug_text="甲钴胺")
    merge = people.merge_residents(s.village_doctor_a, kept, dup, reason="重复建档")
    assert Prescription.objects.get(pk=rx.pk).resident_id == kept.pk
    assert MissingDrug.objects.get(pk=m.pk).resident_id == kept.pk
    people.undo_merge(s.village_doctor_a, merge)
    assert Prescription.objects.get(pk=rx.pk).resident_id == dup.pk
    assert MissingDrug.objects.get(pk=m.pk).resident_id == dup.pk
