"""Green channel: the receiving institution's reserved beds (org.ReservedBed, one row per bed); the free
count is live; a bed is free again on cancel, on reject, or when the hold passes unreceived."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from yigongti.org.models import ReservedBed
from yigongti.referrals import actions, queries

from . import helpers


def test_a_chosen_bed_and_any_free_bed(scenario):
    s = scenario
    first, second = helpers.beds(s, 2)
    a = actions.accept_referral(s.county_specialist, helpers.submitted(s), bed=second)
    assert a.bed == second
    b = actions.accept_referral(s.county_specialist, helpers.submitted(s), reserve_bed=True)
    assert b.bed == first
    with pytest.raises(ValidationError) as caught:
        actions.accept_referral(s.county_specialist, helpers.submitted(s), reserve_bed=True)
    assert "bed" in caught.value.message_dict
    with pytest.raises(ValidationError):
        actions.accept_referral(s.county_specialist, helpers.submitted(s), bed=first)


def test_cancel_frees_the_bed(scenario):
    s = scenario
    helpers.beds(s, 1)
    r = helpers.accepted(s, reserve_bed=True)
    assert queries.free_beds(s.county_hospital.pk).count() == 0
    actions.cancel_referral(s.township_doctor, r, "患者转往他院")
    assert queries.free_beds(s.county_hospital.pk).count() == 1
    assert ReservedBed.objects.get().holder_ref == ""


def test_a_bed_of_another_institution_is_refused(scenario):
    s = scenario
    other = helpers.beds(s, 1, institution=s.centre_2)[0]
    with pytest.raises(ValidationError):
        actions.accept_referral(s.county_specialist, helpers.submitted(s), bed=other)


def test_the_hold_passes_and_another_referral_takes_the_bed(scenario):
    s = scenario
    helpers.beds(s, 1)
    with time_machine.travel(dt.datetime(2024, 11, 8, 1, 0, tzinfo=dt.UTC), tick=False):
        first = helpers.accepted(s, reserve_bed=True)
    with time_machine.travel(dt.datetime(2024, 11, 9, 2, 0, tzinfo=dt.UTC), tick=False):
        second = helpers.accepted(s, reserve_bed=True)
        assert second.bed == first.bed
        # the first patient comes late: receiving it must not release the bed the second one holds
        actions.receive_referral(s.county_specialist, first)
        assert ReservedBed.objects.get().holder_ref == f"referrals.Referral:{second.pk}"
