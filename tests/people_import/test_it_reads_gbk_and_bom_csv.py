"""Excel in China saves CSV as GBK; others send UTF-8 with a BOM. Both read the same."""
import pytest

from yigongti.people.models import Resident

from .conftest import RESIDENT_HEADER, csv_bytes, resident_rows, run_import


@pytest.mark.parametrize("encoding", ["gbk", "utf-8-sig", "utf-8"])
def test_it_reads_the_csv_in_any_of_the_usual_encodings(scenario, catalog, encoding):
    rows = resident_rows(scenario, 2)
    data = csv_bytes([RESIDENT_HEADER, *rows], encoding=encoding)
    if encoding == "gbk":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")
    counts = run_import("residents", data, "roster.csv", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (2, 0)
    assert set(Resident.objects.values_list("name", flat=True)) == {rows[0][0], rows[1][0]}
