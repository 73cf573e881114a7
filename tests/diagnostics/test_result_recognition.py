"""结果互认: a repeat request inside the test's window shows the earlier result and needs a reason; the
window's edges (China dates); the doctor may use the earlier result instead (an avoided repeat)."""
import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from yigongti.diagnostics import actions
from yigongti.diagnostics.models import Recognition

from . import helpers

pytestmark = pytest.mark.django_db
# Published 2026-03-02 23:30 China time (15:30 UTC): the result's day is 2 March.
PUBLISHED = dt.datetime(2026, 3, 2, 15, 30, tzinfo=dt.UTC)


def _china(day: int, hour: int = 9):
    return dt.datetime(2026, 3, day, hour, tzinfo=dt.UTC) - dt.timedelta(hours=8)


@pytest.fixture
def earlier(scenario):
    with time_machine.travel(PUBLISHED, tick=False):
        return helpers.published(scenario)  # ECG: 7 days by default


def test_inside_the_window_a_reason_is_needed(scenario, earlier):
    s = scenario
    with time_machine.travel(_china(9, 23), tick=False):  # day 7 after 2 March: still recognised
        with pytest.raises(ValidationError) as exc:
            helpers.request(s, patient=earlier.resident, doctor=s.township_doctor, institution=s.centre_1)
        err = exc.value.error_dict["repeat_reason"][0]
        assert err.code == "recognised" and err.params["number"] == earlier.number
        assert err.params["date"] == "2026-03-02"
        r = helpers.request(s, patient=earlier.resident, doctor=s.township_doctor, institution=s.centre_1,
                            repeat_reason="症状加重，需复查")
    assert r.earlier_result == earlier and r.repeat_reason == "症状加重，需复查"
    rec = Recognition.objects.get()
    assert not rec.avoided and rec.repeat_request == r


def test_the_day_after_the_window_needs_nothing(scenario, earlier):
    with time_machine.travel(_china(10, 0) + dt.timedelta(minutes=1), tick=False):  # 00:01 China on day 8
        r = helpers.request(scenario, patient=earlier.resident)
    assert r.earlier_result is None and not Recognition.objects.exists()


def test_the_window_is_per_test(scenario, earlier):
    with time_machine.travel(_china(3), tick=False):
        assert helpers.request(scenario, "DR-CHEST", patient=earlier.resident).earlier_result is None


def test_a_test_may_set_its_own_window(scenario):
    s = scenario
    test = helpers.test_of("LAB-CBC")
    assert test.recognition_days == 3
    with time_machine.travel(PUBLISHED, tick=False):
        first = helpers.published(s, "LAB-CBC", impression="正常")
    with time_machine.travel(_china(5, 23), tick=False):
        assert actions.recognised_result(first.resident_id, test) == first
    with time_machine.travel(_china(6, 0), tick=False):
        assert actions.recognised_result(first.resident_id, test) is None
    test.recognition_days = -1
    test.save()
    with time_machine.travel(_china(3), tick=False):
        assert actions.recognised_result(first.resident_id, test) is None


def test_using_the_earlier_result_is_an_avoided_repeat(scenario, earlier):
    s = scenario
    with time_machine.travel(_china(4), tick=False):
        rec = actions.use_earlier_result(s.village_doctor_a, institution=s.clinic_a, resident=earlier.resident,
                                         test=earlier.test)
    assert rec.avoided and rec.earlier_result == earlier
    with time_machine.travel(_china(20), tick=False), pytest.raises(ValidationError):
        actions.use_earlier_result(s.village_doctor_a, institution=s.clinic_a, resident=earlier.resident,
                                   test=earlier.test)
