"""familydoctor test helpers: a 1+1+N team for villages A and B led by the township doctor, residents made by
the real people actions."""
from __future__ import annotations

import datetime as dt

import pytest

from tests.people.conftest import icd, published, register  # noqa: F401


@pytest.fixture
def team(scenario):
    from yigongti.familydoctor import actions

    t = actions.create_team(scenario.township_doctor, institution=scenario.centre_1, name="东湖1团队",
                            leader=scenario.township_doctor, areas=[scenario.village_a, scenario.village_b])
    actions.add_member(scenario.township_doctor, t, user=scenario.county_specialist,
                       institution=scenario.county_hospital, role="county_specialist")
    actions.add_member(scenario.township_doctor, t, user=scenario.village_doctor_a, institution=scenario.clinic_a,
                       role="village_doctor")
    return t


@pytest.fixture
def basic(db):
    from yigongti.familydoctor.models import Package

    return Package.objects.get(code="basic")


def sign(scenario, team, resident, *, actor=None, packages=None, **kw):
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.models import Package

    kw.setdefault("start_date", dt.date(2026, 1, 1))
    return actions.sign_contract(actor or scenario.township_doctor, resident=resident, team=team,
                                 doctor=kw.pop("doctor", scenario.township_doctor),
                                 packages=packages or [Package.objects.get(code="basic")], **kw)
