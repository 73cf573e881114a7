"""Every row goes through people.actions: good rows are saved, bad rows are reported with the column and a
Chinese reason, and the error report workbook lists them."""
import datetime as dt

from yigongti.people import crypto
from yigongti.people.importing import error_workbook
from yigongti.people.models import Household, Resident

from .conftest import (
    RESIDENT_HEADER,
    bad_check_digit,
    csv_bytes,
    person_id,
    read_xlsx,
    resident_rows,
    run_import,
)


def test_it_saves_good_rows_and_reports_bad_ones(scenario, catalog):
    good = resident_rows(scenario, 3)
    wrong_check = ["错校验", bad_check_digit(person_id(dt.date(1960, 1, 1), "1", 7)), "男", "1960-01-01",
                   scenario.village_a.code, "", "", "", ""]
    wrong_birth = ["错生日", person_id(dt.date(1961, 5, 6), "2", 8), "女", "1961-05-07", scenario.village_a.code,
                   "", "", "", ""]
    wrong_sex = ["错性别", person_id(dt.date(1962, 7, 8), "2", 9), "男", "1962-07-08", scenario.village_a.code,
                 "", "", "", ""]
    unknown_area = ["错村", person_id(dt.date(1963, 1, 2), "1", 10), "男", "1963-01-02", "360199999999",
                    "", "", "", ""]
    no_name = ["", person_id(dt.date(1964, 1, 2), "1", 11), "男", "1964-01-02", scenario.village_a.code,
               "", "", "", ""]
    data = csv_bytes([RESIDENT_HEADER, good[0], wrong_check, good[1], wrong_birth, wrong_sex, unknown_area,
                      no_name, good[2]])

    counts = run_import("residents", data, "花名册.csv", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)

    assert (counts.rows, counts.created, counts.failed) == (8, 3, 5)
    assert Resident.objects.count() == 3
    saved = Resident.objects.get(name=good[0][0])
    assert crypto.decrypt(saved.document_number_enc) == good[0][1]
    assert saved.record_number.startswith(scenario.village_a.code)
    household = Household.objects.get()
    assert household.head == saved and household.members.count() == 3
    by_row = {row: (column, reason) for row, column, reason in counts.errors}
    assert by_row[3] == ("证件号码", "身份证号码校验位错误，请核对。")
    assert by_row[5][0] == "出生日期" and "不一致" in by_row[5][1]
    assert by_row[6][0] == "性别" and "不一致" in by_row[6][1]
    assert by_row[7] == ("村/社区", "区划代码 360199999999 不是已知的村/社区。")
    assert by_row[8] == ("姓名", "不能为空")

    report = read_xlsx(error_workbook(counts.errors))
    assert report[0] == ["行号", "列", "原因"]
    assert [r[0] for r in report[1:]] == [3, 5, 6, 7, 8]
    assert report[1][1:] == ["证件号码", "身份证号码校验位错误，请核对。"]
