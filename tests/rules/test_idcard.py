"""rules/idcard.py: GB 11643 check character, dates, sex, 15→18, 港澳台, synthetic numbers (identifiers.md)."""
import datetime as dt
import random

import pytest

from yigongti.rules import idcard


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "34052419800101001X"])
def test_it_accepts_the_documentation_examples(number):
    assert idcard.validate(number) == idcard.OK


def test_it_normalises_a_lower_case_x():
    info = idcard.parse(" 11010519491231002x ")
    assert info.number == "11010519491231002X"


def test_it_derives_birth_date_and_sex():
    info = idcard.parse("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.sex == idcard.FEMALE  # 17th digit 2: even
    male = idcard.parse("440524188001010014")
    assert male.sex == idcard.MALE and male.birth_date == dt.date(1880, 1, 1)


def test_it_accepts_a_retired_address_code_and_an_1880s_date():
    assert idcard.parse("440524188001010014").address_code == "440524"


@pytest.mark.parametrize("number", ["110105194912310021", "440524188001010015", "340524198001010010"])
def test_it_rejects_a_wrong_check_digit(number):
    assert idcard.validate(number) == idcard.BAD_CHECK


def test_it_reports_length_format_and_date_codes():
    assert idcard.validate("") == idcard.EMPTY
    assert idcard.validate("1234") == idcard.BAD_LENGTH
    assert idcard.validate("11010519491231A02X") == idcard.BAD_FORMAT
    first17 = "11010519491332002"
    assert idcard.validate(first17 + idcard.check_character(first17)) == idcard.BAD_DATE
    first17 = "00010519491231002"
    assert idcard.validate(first17 + idcard.check_character(first17)) == idcard.BAD_ADDRESS


def test_it_rejects_a_birth_date_in_the_future():
    first17 = "36019920990101001"
    assert idcard.validate(first17 + idcard.check_character(first17), today=dt.date(2026, 1, 1)) == idcard.BAD_DATE


def test_it_converts_a_15_digit_number():
    assert idcard.convert_15_to_18("110105491231002") == "11010519491231002X"
    info = idcard.parse("110105491231002")
    assert info.number == "11010519491231002X" and info.converted_from_15


@pytest.mark.parametrize("code", ["810000", "820000", "830000"])
def test_it_validates_hmt_residence_permits_with_the_same_rule(code):
    first17 = f"{code}19900101003"
    info = idcard.parse(first17 + idcard.check_character(first17))
    assert info.is_hmt_permit and info.sex == idcard.MALE


def test_synthetic_numbers_are_valid_and_use_360199():
    rng = random.Random(7)
    for sex in ("1", "2") * 50:
        born = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
        number = idcard.synthetic_id(rng, born, sex)
        info = idcard.parse(number)
        assert number.startswith("360199")
        assert info.birth_date == born and info.sex == sex
