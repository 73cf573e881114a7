"""people.Icd10Code: the programme flag is computed by the database from rules/icd10.py, for every loader."""
import pytest

from yigongti.people.models import Icd10Code
from yigongti.rules import icd10


@pytest.mark.django_db
def test_the_programme_flag_follows_the_rule_whatever_loads_the_row():
    codes = ["I10.x00", "I15.000", "E11.900", "J44.900", "A16.200", "F20.000", "F72.000", "G40.900", "J06.900"]
    for code in codes[:4]:
        Icd10Code.objects.create(code=code, name=code)
    Icd10Code.objects.bulk_create([Icd10Code(code=code, name=code) for code in codes[4:]])
    rows = dict((c, (p, f)) for c, p, f in Icd10Code.objects.values_list("code", "programme", "is_programme"))
    for code in codes:
        expected = icd10.programme_of(code)
        assert rows[code] == (expected or "", expected is not None), code
    assert set(Icd10Code.objects.filter(is_programme=True, programme="smi").values_list("code", flat=True)) == {
        "F20.000", "F72.000"}
