"""merge_residents / undo_merge: references re-pointed and put back."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yigongti import events
from yigongti.people import actions
from yigongti.people.models import Encounter, HealthExam, Household, Resident, ResidentTag

from .conftest import register


def test_merge_moves_everything_and_undo_puts_it_back(scenario, icd, published):
    doctor = scenario.village_doctor_a
    kept = register(scenario, phone="13812345678")
    dup = register(scenario, document_type="none", phone="13812345678")
    household = Household.objects.create(number="H1", area=scenario.village_a, head=dup)
    Resident.objects.filter(pk=dup.pk).update(household=household, relation_to_head="head")
    enc = actions.record_encounter(doctor, institution=scenario.clinic_a, resident=dup, kind="outpatient",
                                   visit_date=dt.date(2025, 1, 2), primary_diagnosis="I10.x00", total_cost="10")
    exam = actions.record_exam(doctor, institution=scenario.clinic_a, resident=dup, exam_date=dt.date(2025, 1, 3))
    actions.add_tag(doctor, dup, "disabled")
    actions.add_tag(doctor, dup, "poverty_monitored")
    actions.add_tag(doctor, kept, "poverty_monitored")

    merge = actions.merge_residents(doctor, kept, dup, "同一人重复建档")
    dup.refresh_from_db()
    assert dup.status == "merged" and dup.merged_into_id == kept.pk
    assert Encounter.objects.get(pk=enc.pk).resident_id == kept.pk
    assert HealthExam.objects.get(pk=exam.pk).resident_id == kept.pk
    assert set(ResidentTag.objects.filter(resident=kept).values_list("tag", flat=True)) == {"disabled",
                                                                                             "poverty_monitored"}
    assert Household.objects.get(pk=household.pk).head_id == kept.pk
    assert Resident.objects.get(pk=kept.pk).household_id == household.pk
    assert merge.moved["people"]["encounters"] == [enc.pk]
    assert any(isinstance(e, events.ResidentsMerged) for e in published)
    with pytest.raises(ValidationError):
        actions.record_exam(doctor, institution=scenario.clinic_a, resident=dup, exam_date=dt.date(2025, 1, 3))

    actions.undo_merge(doctor, merge)
    dup.refresh_from_db()
    assert dup.status == "active" and dup.merged_into_id is None
    assert Encounter.objects.get(pk=enc.pk).resident_id == dup.pk
    assert HealthExam.objects.get(pk=exam.pk).resident_id == dup.pk
    assert set(ResidentTag.objects.filter(resident=dup).values_list("tag", flat=True)) == {"disabled",
                                                                                            "poverty_monitored"}
    assert set(ResidentTag.objects.filter(resident=kept).values_list("tag", flat=True)) == {"poverty_monitored"}
    assert Household.objects.get(pk=household.pk).head_id == dup.pk
    assert Resident.objects.get(pk=kept.pk).household_id is None
    assert any(isinstance(e, events.ResidentsUnmerged) for e in published)
    with pytest.raises(ValidationError):
        actions.undo_merge(doctor, merge)


def test_a_record_cannot_be_merged_with_itself_or_twice(scenario):
    a = register(scenario)
    b = register(scenario, document_type="none")
    with pytest.raises(ValidationError):
        actions.merge_residents(scenario.village_doctor_a, a, a, "x")
    actions.merge_residents(scenario.village_doctor_a, a, b, "x")
    with pytest.raises(ValidationError):
        actions.merge_residents(scenario.village_doctor_a, a, b, "x")
