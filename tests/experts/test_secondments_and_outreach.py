"""Secondments carry the staff's title; outreach activities are recorded with their counts."""
import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.experts import actions, queries


def test_a_secondment_takes_the_title_and_refuses_overlaps(scenario):
    s = scenario
    x = actions.second_staff(s.consortium_office, staff=s.county_specialist, home_institution=s.county_hospital,
                             institution=s.centre_1, role="rotating_expert", specialty="骨科",
                             start_date=dt.date(2026, 1, 2))
    assert x.title == "associate_senior"
    with pytest.raises(ValidationError) as exc:
        actions.second_staff(None, staff=s.county_specialist, home_institution=s.county_hospital,
                             institution=s.centre_1, role="rotating_expert", start_date=dt.date(2026, 3, 1))
    assert "start_date" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.second_staff(None, staff=s.township_doctor, home_institution=s.centre_1, institution=s.county_hospital,
                             role="boss", start_date=dt.date(2026, 3, 1))
    assert {"role", "home_institution", "institution"} <= set(exc.value.message_dict)
    with pytest.raises(PermissionDenied):
        actions.second_staff(s.township_doctor, staff=s.county_specialist, home_institution=s.county_hospital,
                             institution=s.centre_2, role="rotating_expert", start_date=dt.date(2026, 3, 1))
    actions.end_secondment(None, x, dt.date(2026, 6, 30))
    assert list(queries.secondments(on=dt.date(2026, 7, 1))) == []
    assert list(queries.secondments(on=dt.date(2026, 6, 30))) == [x]


def test_outreach_is_recorded_and_counted(scenario):
    s = scenario
    actions.record_outreach(s.township_doctor, kind="surgery_taught", institution=s.centre_1,
                            date=dt.date(2026, 3, 5), topic="腹腔镜阑尾切除术带教", experts=[s.county_specialist],
                            participants=4, count=2)
    actions.record_outreach(s.township_doctor, kind="lecture", institution=s.centre_1, date=dt.date(2026, 3, 9),
                            topic="高血压基层诊疗指南", experts=[s.county_specialist], participants=40)
    figures = queries.outreach_figures(start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert figures["surgery_taught"] == {"activities": 1, "count": 2, "participants": 4}
    assert figures["lecture"]["activities"] == 1
    with pytest.raises(PermissionDenied):
        actions.record_outreach(s.village_doctor_c, kind="lecture", institution=s.centre_1,
                                date=dt.date(2026, 3, 9), topic="x", experts=[s.county_specialist])
    with pytest.raises(ValidationError) as exc:
        actions.record_outreach(s.township_doctor, kind="party", institution=s.centre_1,
                                date=dt.date(2099, 1, 1), topic="", experts=[], participants=-1)
    assert {"kind", "date", "topic", "experts", "participants"} <= set(exc.value.message_dict)
