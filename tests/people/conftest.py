"""people test helpers: ICD-10 codes, a recorder of published events, and residents made by the real action."""
from __future__ import annotations

import datetime as dt
import itertools
import random

import pytest

from yigongti import events
from yigongti.rules import idcard

_seq = itertools.count(1)


@pytest.fixture
def icd(db):
    from yigongti.people.models import Icd10Code

    for code, name in [("I10.x00", "原发性高血压"), ("E11.900", "2型糖尿病"), ("J06.900", "急性上呼吸道感染"),
                       ("J44.900", "慢性阻塞性肺疾病")]:
        Icd10Code.objects.get_or_create(code=code, defaults={"name": name})


@pytest.fixture
def published():
    """Every event published during the test, in order."""
    seen: list = []

    def record(event):
        seen.append(event)

    for event_type in events.EVENT_TYPES:
        events.subscribe(event_type, record, app="tests")
    yield seen
    for event_type in events.EVENT_TYPES:
        events.unsubscribe(event_type, record)


_issued: set[str] = set()


def synthetic(born: dt.date, sex: str, seed: int | None = None) -> str:
    """A valid synthetic ID number; without a seed, never one this process has handed out already (two draws
    for one birth date could otherwise collide and make a test flaky)."""
    if seed is not None:
        return idcard.synthetic_id(random.Random(seed), born, sex)
    while True:
        number = idcard.synthetic_id(random.Random(next(_seq)), born, sex)
        if number not in _issued:
            _issued.add(number)
            return number


def register(scenario, *, doctor=None, institution=None, area=None, **fields):
    """A resident of village A registered by its village doctor, unless told otherwise."""
    from yigongti.people import actions

    born = fields.pop("birth_date", dt.date(1948, 3, 2))
    sex = fields.pop("sex", "2")
    fields.setdefault("name", "罗福英")
    if "id_number" not in fields and fields.get("document_type", "id_card") == "id_card":
        fields["id_number"] = synthetic(born, sex)
    fields.setdefault("force", True)
    return actions.register_resident(doctor or scenario.village_doctor_a, institution=institution or scenario.clinic_a,
                                     area=area or scenario.village_a, birth_date=born, sex=sex, **fields)
