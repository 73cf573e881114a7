"""Rows are saved chunk by chunk, each row in its own savepoint: a row that breaks (even with an unexpected
error) never takes the rows already saved with it, and importing the file again finishes the rest."""
import pytest

from yigongti.people import importing
from yigongti.people.models import Resident

from .conftest import RESIDENT_HEADER, csv_bytes, resident_rows, run_import


@pytest.mark.django_db(transaction=True)
def test_a_crash_keeps_the_chunks_already_committed(scenario, catalog, monkeypatch):
    rows = resident_rows(scenario, 6)
    data = csv_bytes([RESIDENT_HEADER, *rows])
    real_row = importing.ResidentsKind.row

    def crash_on_the_fifth(self, values, ctx):
        if values["name"] == rows[4][0]:
            raise RuntimeError("power cut")
        return real_row(self, values, ctx)

    monkeypatch.setattr(importing.ResidentsKind, "row", crash_on_the_fifth)
    with pytest.raises(RuntimeError):
        run_import("residents", data, "a.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a,
                   chunk=2)
    assert Resident.objects.count() == 4  # two committed chunks

    monkeypatch.setattr(importing.ResidentsKind, "row", real_row)
    again = run_import("residents", data, "a.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a,
                       chunk=2)
    assert (again.created, again.unchanged) == (2, 4)
    assert Resident.objects.count() == 6


def test_a_bad_row_in_the_middle_of_a_chunk_keeps_its_neighbours(scenario, catalog):
    rows = resident_rows(scenario, 3)
    rows[1][4] = "不存在的村"
    counts = run_import("residents", csv_bytes([RESIDENT_HEADER, *rows]), "a.csv", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (2, 1)
    assert set(Resident.objects.values_list("name", flat=True)) == {rows[0][0], rows[2][0]}
