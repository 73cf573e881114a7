"""queries.search: name, pinyin initials, document, phone and its last four, record number."""
import datetime as dt

import pytest

from yigongti.people.queries import search

from .conftest import register, synthetic


@pytest.fixture
def people(scenario):
    luo = register(scenario, name="罗福英", phone="13812345678", id_number=synthetic(dt.date(1948, 3, 2), "2", 1))
    wang = register(scenario, name="王建国", sex="1", birth_date=dt.date(1965, 7, 1), phone="13900009999")
    return luo, wang


def found(scenario, q):
    return list(search(scenario.village_doctor_a, q).values_list("name", flat=True))


def test_by_name_and_pinyin(scenario, people):
    assert found(scenario, "福英") == ["罗福英"]
    assert found(scenario, "lfy") == ["罗福英"]
    assert found(scenario, "LF") == ["罗福英"]
    assert found(scenario, "wangjian") == ["王建国"]


def test_by_phone_and_last_four(scenario, people):
    assert found(scenario, "13812345678") == ["罗福英"]
    assert found(scenario, "9999") == ["王建国"]
    assert found(scenario, "0000") == []


def test_by_document_and_record_number(scenario, people):
    luo, wang = people
    assert found(scenario, synthetic(dt.date(1948, 3, 2), "2", 1).lower()) == ["罗福英"]
    assert found(scenario, wang.record_number) == ["王建国"]


def test_merged_records_are_left_out_unless_asked(scenario, people):
    from yigongti.people import actions

    dup = register(scenario, name="罗福英", document_type="none", phone="13812345678")
    actions.merge_residents(scenario.village_doctor_a, people[0], dup, "重复")
    assert found(scenario, "lfy") == ["罗福英"]
    assert len(search(scenario.village_doctor_a, "lfy", status="all")) == 2
