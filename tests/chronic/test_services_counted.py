"""people.services: face-to-face follow-ups count under followup_<programme>, phone ones under followup_phone, home
visits also as home_visit, a diabetes visit with a fasting glucose also as fasting_glucose_test."""
import datetime as dt

from yigongti.people import services

from . import helpers


def test_kinds_are_counted(scenario):
    ht = helpers.enrolment(scenario)
    helpers.followup(scenario, ht, visit_date=dt.date(2026, 3, 1))
    helpers.followup(scenario, ht, visit_date=dt.date(2026, 6, 1), mode="home")
    helpers.followup(scenario, ht, visit_date=dt.date(2026, 9, 1), mode="phone")
    dm = helpers.enrolment(scenario, programme="diabetes")
    helpers.followup(scenario, dm, visit_date=dt.date(2026, 3, 1), fasting_glucose="6.5")
    got = services.delivered([ht.resident_id, dm.resident_id], dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert got[ht.resident_id]["followup_hypertension"] == 2
    assert got[ht.resident_id]["home_visit"] == 1
    assert got[ht.resident_id]["followup_phone"] == 1
    assert got[dm.resident_id]["followup_diabetes"] == 1
    assert got[dm.resident_id]["fasting_glucose_test"] == 1
    assert {"followup_hypertension", "followup_diabetes", "fasting_glucose_test", "followup_mental", "followup_tb",
            "followup_phone", "home_visit"} <= set(services.kinds())
