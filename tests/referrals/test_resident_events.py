"""A resident's death cancels their open referrals and frees the beds they held; a merge re-points referrals
and filings to the kept record, and its undo puts them back."""
import datetime as dt

from django.utils import timezone

from yigongti.people import actions as people_actions
from yigongti.referrals import actions, queries
from yigongti.referrals.models import OutsideFiling, Referral, Status

from . import helpers


def test_death_cancels_open_referrals_and_frees_beds(scenario):
    s = scenario
    helpers.beds(s, 1)
    patient = helpers.resident(s)
    held = helpers.accepted(s, patient=patient, reserve_bed=True)
    done = actions.complete_referral(s.county_specialist, actions.receive_referral(
        s.county_specialist, helpers.accepted(s, patient=patient)), return_plan="随访")
    people_actions.record_death(s.village_doctor_a, patient, timezone.localdate() - dt.timedelta(days=1))
    assert Referral.objects.get(pk=held.pk).status == Status.CANCELLED
    assert Referral.objects.get(pk=done.pk).status == Status.COMPLETED
    assert queries.free_beds(s.county_hospital.pk).count() == 1


def test_merge_and_undo(scenario):
    s = scenario
    kept, dup = helpers.resident(s), helpers.resident(s)
    r = helpers.submitted(s, patient=dup)
    f = actions.file_outside(s.township_doctor, institution=s.centre_1, resident=dup, destination="省人民医院",
                             primary_diagnosis="C34.900", reason="beyond_county", reason_detail="县内无法手术治疗")
    merge = people_actions.merge_residents(s.village_doctor_a, kept, dup, "重复建档")
    assert Referral.objects.get(pk=r.pk).resident_id == kept.pk
    assert OutsideFiling.objects.get(pk=f.pk).resident_id == kept.pk
    people_actions.undo_merge(s.village_doctor_a, merge)
    assert Referral.objects.get(pk=r.pk).resident_id == dup.pk
    assert OutsideFiling.objects.get(pk=f.pk).resident_id == dup.pk
