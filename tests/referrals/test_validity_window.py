"""The form is valid for 3 days in China time, single use: after the window an open referral shows as
expired (derived, never stored), cannot be accepted or received, and its bed is free."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from yigongti.referrals import actions, queries
from yigongti.referrals.models import Referral, Status

from . import helpers


def test_window_in_china_time(scenario):
    # 23:30 UTC on 7 Nov is 07:30 on 8 Nov in China: the form is issued on the 8th (seed 000).
    with time_machine.travel(dt.datetime(2024, 11, 7, 23, 30, tzinfo=dt.UTC), tick=False):
        r = helpers.submitted(scenario)
    assert (r.valid_from, r.valid_until) == (dt.date(2024, 11, 8), dt.date(2024, 11, 11))


def test_expired_is_derived_and_refuses_receipt(scenario):
    s = scenario
    helpers.beds(s, 1)
    with time_machine.travel(dt.datetime(2024, 11, 8, 9, 0, tzinfo=dt.UTC), tick=False):
        r = helpers.accepted(s, reserve_bed=True)
        assert queries.free_beds(s.county_hospital.pk).count() == 0
    # the last day of the window is still valid ...
    with time_machine.travel(dt.datetime(2024, 11, 11, 15, 0, tzinfo=dt.UTC), tick=False):  # 23:00 China
        assert queries.search(s.county_specialist, state="expired").count() == 0
        assert queries.free_beds(s.county_hospital.pk).count() == 1  # the 24-hour hold passed unreceived
    # ... the next China day it is expired
    with time_machine.travel(dt.datetime(2024, 11, 11, 16, 30, tzinfo=dt.UTC), tick=False):  # 00:30 China
        assert Referral.objects.get(pk=r.pk).status == Status.ACCEPTED  # stored state unchanged
        assert list(queries.search(s.county_specialist, state="expired")) == [r]
        assert queries.search(s.county_specialist, state="accepted").count() == 0
        with pytest.raises(ValidationError) as caught:
            actions.receive_referral(s.county_specialist, r)
        assert "有效期" in caught.value.message_dict["status"][0]


def test_single_use(scenario):
    s = scenario
    r = actions.receive_referral(s.county_specialist, helpers.accepted(s))
    with pytest.raises(ValidationError):
        actions.receive_referral(s.county_specialist, r)


def test_an_appointment_must_fall_inside_the_window(scenario):
    s = scenario
    r = helpers.submitted(s)
    from django.utils import timezone

    with pytest.raises(ValidationError) as caught:
        actions.accept_referral(s.county_specialist, r, appointment_at=timezone.now() + dt.timedelta(days=9))
    assert "appointment_at" in caught.value.message_dict
