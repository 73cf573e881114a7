"""rules/duplicates.py: likely-duplicate scores (name + birth date + phone similarity)."""
import datetime as dt

from yigongti.rules import duplicates as d

BORN = dt.date(1948, 3, 2)


def person(**kw):
    return {"name": "罗福英", "birth_date": BORN, "sex": "2", "phone_index": "p1", **kw}


def test_same_name_and_birth_date_warns():
    m = d.score(person(phone_index=""), person(phone_index="p2"))
    assert m.warns and d.SAME_NAME in m.reasons and d.SAME_BIRTH in m.reasons


def test_same_name_and_phone_warns():
    assert d.score(person(), person(birth_date=dt.date(1950, 1, 1))).warns


def test_a_homophone_and_a_swapped_date_with_the_same_phone_warn():
    m = d.score(person(), person(name="罗富英", birth_date=dt.date(1948, 2, 3)))
    assert m.warns and d.SIMILAR_NAME in m.reasons and d.NEAR_BIRTH in m.reasons


def test_only_a_shared_name_does_not_warn():
    assert not d.score(person(), person(birth_date=dt.date(1970, 5, 5), phone_index="x")).warns


def test_another_sex_lowers_the_score():
    same = d.score(person(), person())
    other = d.score(person(), person(sex="1"))
    assert other.score < same.score and d.OTHER_SEX in other.reasons
