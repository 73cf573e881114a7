"""`yigongti import residents|exams|encounters FILE --institution CODE --user USERNAME`: the same import from
the command line, with its progress printed and the error report written on request."""
import io

import pytest
from django.core.management import CommandError, call_command

from yigongti.people.models import Resident

from .conftest import RESIDENT_HEADER, csv_bytes, read_xlsx, resident_rows


def test_the_command_imports_a_gbk_csv_and_writes_the_error_report(scenario, catalog, tmp_path):
    rows = resident_rows(scenario, 3)
    rows[2][4] = "360199999999"
    path = tmp_path / "花名册.csv"
    path.write_bytes(csv_bytes([RESIDENT_HEADER, *rows], encoding="gbk"))
    out = io.StringIO()
    call_command("import", "residents", str(path), institution=scenario.clinic_a.code,
                 user=scenario.village_doctor_a.username, errors=str(tmp_path / "errors.xlsx"), stdout=out)
    text = out.getvalue()
    assert "3/3 rows (100%)" in text and "rows/s" in text
    assert "3 rows: 2 new, 0 updated, 0 unchanged, 1 with errors" in text
    assert Resident.objects.count() == 2
    assert read_xlsx((tmp_path / "errors.xlsx").read_bytes())[1][:2] == [4, "村/社区"]


def test_the_command_needs_a_known_institution_and_user(scenario, tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(csv_bytes([RESIDENT_HEADER]))
    with pytest.raises(CommandError, match="no institution"):
        call_command("import", "residents", str(path), institution="NOPE", user="village-doctor-a")
    with pytest.raises(CommandError, match="no user"):
        call_command("import", "residents", str(path), institution=scenario.clinic_a.code, user="nobody")
