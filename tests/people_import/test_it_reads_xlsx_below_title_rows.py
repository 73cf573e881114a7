"""XLSX as offices make it: a title and a date line above the header; and the downloaded template filled in.
An ID number that Excel stored as a number (digits lost) is reported plainly."""
from yigongti.people.importing import template_workbook
from yigongti.people.models import Resident

from .conftest import RESIDENT_HEADER, read_xlsx, resident_rows, run_import, xlsx_bytes


def test_it_finds_the_header_below_title_rows(scenario, catalog):
    rows = resident_rows(scenario, 2)
    numeric = list(rows[1])
    numeric[0] = "数字号码"
    numeric[1] = float(rows[1][1][:17] + "1")  # Excel keeps 15 significant digits
    data = xlsx_bytes([RESIDENT_HEADER, *rows, numeric],
                      title_rows=[["东湖镇桃源村居民花名册"], ["填报日期：2026年10月"], []])
    counts = run_import("residents", data, "花名册.xlsx", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (2, 1)
    assert counts.errors[0][0] == 7 and counts.errors[0][1] == "证件号码"
    assert "Excel 存成了数字" in counts.errors[0][2]


def test_the_template_can_be_filled_in_and_imported(scenario, catalog):
    template = read_xlsx(template_workbook("residents"))
    header = template[0]
    assert header[0] == "姓名*" and "村/社区*" in header and "证件号码" in header
    notes = read_xlsx(template_workbook("residents"), sheet=1)
    assert notes[0] == ["列", "必填", "说明", "示例"]
    row = resident_rows(scenario, 1)[0]
    values = dict(zip(RESIDENT_HEADER, row, strict=True))
    filled = [values.get(h.rstrip("*"), "") for h in header]
    counts = run_import("residents", xlsx_bytes([header, filled]), "模板.xlsx", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (1, 0)
    assert Resident.objects.get().name == row[0]
