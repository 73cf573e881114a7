"""rules/icd10.py: the programme of an ICD-10 code (identifiers.md "ICD-10 codes of the programmes")."""
import pytest

from yigongti.rules import icd10


@pytest.mark.parametrize(("code", "programme"), [
    ("I10.x00", "hypertension"), ("I11.900", "hypertension"), ("I13.000", "hypertension"),
    ("E10.900", "diabetes"), ("E11.900", "diabetes"), ("e14.9", "diabetes"), ("J44.100", "copd"),
    ("A15.000", "tb"), ("A19.900", "tb"), ("F20.000", "smi"), ("F22.000", "smi"), ("F25.000", "smi"),
    ("F31.900", "smi"), ("F06.800", "smi"), ("F70.000", "smi"), ("F79.900", "smi"),
])
def test_programme_codes(code, programme):
    assert icd10.programme_of(code) == programme


@pytest.mark.parametrize("code", ["I15.000", "I20.000", "E13.900", "G40.900", "F32.900", "A14", "", None])
def test_secondary_hypertension_and_epilepsy_alone_are_not_programme_codes(code):
    assert icd10.programme_of(code) is None
