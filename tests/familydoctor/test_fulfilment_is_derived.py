"""Fulfilment counts services recorded anywhere in the platform, at query time: the annual exam of a
resident aged 65+ fills in when the exam is recorded; items no app records yet are shown as such."""
import datetime as dt

import time_machine

from yigongti.familydoctor import fulfilment
from yigongti.people import actions as people

from .conftest import register, sign


@time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False)
def test_an_exam_fills_in_the_older_persons_item(scenario, team):
    r = register(scenario, birth_date=dt.date(1950, 1, 1))
    c = sign(scenario, team, r)
    before = fulfilment.of_contract(c)
    exam = next(i for i in before.items if i.code == "health_exam")
    assert (exam.due, exam.done, exam.behind) == (1, 0, True)
    assert not any(i.code == "followup_hypertension" for i in before.items)  # not hypertensive: not due
    priority = next(i for i in before.items if i.label == "优先预约就诊")
    assert priority.done is None  # a service the platform does not record: shown, not counted
    people.record_exam(scenario.village_doctor_a, institution=scenario.clinic_a, resident=r,
                       exam_date=dt.date(2026, 5, 1))
    after = fulfilment.of_contract(c)
    exam = next(i for i in after.items if i.code == "health_exam")
    assert (exam.done, exam.complete, exam.behind) == (1, True, False)
    assert after.done == before.done + 1


@time_machine.travel(dt.datetime(2026, 11, 23, 8, 0, tzinfo=dt.UTC), tick=False)
def test_a_younger_resident_has_no_exam_due_in_the_basic_package(scenario, team):
    r = register(scenario, birth_date=dt.date(1990, 1, 1))
    c = sign(scenario, team, r)
    assert not any(i.code == "health_exam" for i in fulfilment.of_contract(c).items)
