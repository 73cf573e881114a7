"""Importing the same file again creates 0 new rows: residents match on the document number's blind index
(or name + sex + birth date in the village), encounters on their HIS number, exams on resident + date."""
import datetime as dt

from yigongti.people.models import Encounter, HealthExam, Household, Resident

from .conftest import RESIDENT_HEADER, csv_bytes, resident_rows, run_import


def test_residents_are_matched_on_their_document_number(scenario, catalog):
    rows = resident_rows(scenario, 4)
    no_document = ["无证件人", "", "女", "1940-02-03", scenario.village_a.code, "", "", "", ""]
    data = csv_bytes([RESIDENT_HEADER, *rows, no_document])
    first = run_import("residents", data, "a.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a)
    again = run_import("residents", data, "a.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a)

    assert (first.created, first.failed) == (5, 0)
    assert (again.created, again.updated, again.unchanged, again.failed) == (0, 0, 5, 0)
    assert Resident.objects.count() == 5 and Household.objects.count() == 1


def test_a_changed_row_updates_the_record(scenario, catalog):
    rows = resident_rows(scenario, 2)
    run_import("residents", csv_bytes([RESIDENT_HEADER, *rows]), "a.csv", actor=scenario.village_doctor_a,
               institution=scenario.clinic_a)
    rows[1][5] = "13900001111"
    again = run_import("residents", csv_bytes([RESIDENT_HEADER, *rows]), "a.csv",
                       actor=scenario.village_doctor_a, institution=scenario.clinic_a)

    assert (again.created, again.updated, again.unchanged) == (0, 1, 1)
    from yigongti.people import crypto

    changed = Resident.objects.get(name=rows[1][0])
    assert crypto.decrypt(changed.phone_enc) == "13900001111" and changed.version == 2


def test_encounters_and_exams_are_not_duplicated(scenario, catalog):
    rows = resident_rows(scenario, 1)
    run_import("residents", csv_bytes([RESIDENT_HEADER, *rows]), "a.csv", actor=scenario.village_doctor_a,
               institution=scenario.clinic_a)
    encounters = csv_bytes([
        ["就诊流水号", "证件号码", "就诊类型", "就诊日期", "主要诊断编码", "总费用", "药品费", "医保支付"],
        ["MZ001", rows[0][1], "门诊", "2026-03-01", "I10.x00", "120.00", "60.00", "50.00"],
        ["MZ002", rows[0][1], "门诊", "2026-04-01", "J06.900", "90.00", "40.00", "30.00"],
    ])
    exams = csv_bytes([["证件号码", "体检日期", "收缩压", "舒张压", "身高", "体重"],
                       [rows[0][1], "2026-04-12", "138", "86", "160", "60"]])
    for _ in range(2):
        enc = run_import("encounters", encounters, "his.csv", actor=scenario.township_doctor,
                         institution=scenario.centre_1)
        ex = run_import("exams", exams, "exam.csv", actor=scenario.township_doctor, institution=scenario.centre_1)
    assert (enc.created, enc.unchanged, ex.created, ex.unchanged) == (0, 2, 0, 1)
    assert Encounter.objects.count() == 2 and HealthExam.objects.count() == 1
    assert HealthExam.objects.get().exam_date == dt.date(2026, 4, 12)
