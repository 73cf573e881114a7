"""Encounters from the HIS (ingest_encounter) and health exams (record_exam), with their own bad rows:
an unknown resident, a code not in the catalogue, parts above the total, a diastolic above the systolic."""
from decimal import Decimal

from yigongti.people.models import Encounter, HealthExam

from .conftest import RESIDENT_HEADER, csv_bytes, resident_rows, run_import, xlsx_bytes


def _residents(scenario):
    rows = resident_rows(scenario, 2)
    run_import("residents", csv_bytes([RESIDENT_HEADER, *rows]), "r.csv", actor=scenario.village_doctor_a,
               institution=scenario.clinic_a)
    return rows


def test_it_imports_encounters_from_the_his(scenario, catalog):
    rows = _residents(scenario)
    header = ["就诊流水号", "证件号码", "姓名", "科室", "就诊类型", "入院日期", "出院日期", "主要诊断编码", "总费用",
              "药品费", "耗材费", "医疗服务性收入", "医保支付", "中医"]
    data = xlsx_bytes([
        header,
        ["ZY01", rows[0][1], rows[0][0], "", "住院", "2026-02-01", "2026-02-08", "J18.900", "3200.50", "1500",
         "300", "900", "2100", "否"],
        ["MZ02", rows[1][1], rows[1][0], "", "门诊", "2026-03-05", "", "M54.500", "85", "30", "", "40", "40", "是"],
        ["MZ03", "360199190001010000", "", "", "门诊", "2026-03-05", "", "I10.x00", "85", "30", "", "", "", ""],
        ["MZ04", rows[0][1], "别人", "", "门诊", "2026-03-05", "", "I10.x00", "85", "30", "", "", "", ""],
        ["MZ05", rows[0][1], "", "", "门诊", "2026-03-06", "", "Q99.999", "85", "30", "", "", "", ""],
        ["MZ06", rows[0][1], "", "", "门诊", "2026-03-07", "", "I10.x00", "85", "90", "", "", "", ""],
        ["MZ07", rows[0][1], "", "", "挂号", "2026-03-07", "", "I10.x00", "85", "30", "", "", "", ""],
    ])
    counts = run_import("encounters", data, "his.xlsx", actor=scenario.township_doctor,
                        institution=scenario.centre_1)

    assert (counts.created, counts.failed) == (2, 5)
    stay = Encounter.objects.get(external_id="ZY01")
    assert stay.kind == "inpatient" and stay.total_cost == Decimal("3200.50") and stay.source == "his"
    assert Encounter.objects.get(external_id="MZ02").is_tcm is True
    columns = {row: column for row, column, _reason in counts.errors}
    assert columns == {4: "证件号码", 5: "姓名", 6: "主要诊断编码", 7: "药品费", 8: "就诊类型"}


def test_it_imports_health_exams(scenario, catalog):
    rows = _residents(scenario)
    data = csv_bytes([
        ["健康档案编号", "证件号码", "体检日期", "收缩压(左)", "舒张压(左)", "身高", "体重", "空腹血糖"],
        ["", rows[0][1], "2026-04-12", "142", "88", "158", "61.5", "6.4"],
        ["", rows[1][1], "2026-04-13", "80", "95", "", "", ""],
        ["", rows[1][1], "2026/4/13", "130", "80", "", "", ""],
        ["", rows[1][1], "明天", "130", "80", "", "", ""],
    ])
    counts = run_import("exams", data, "exam.csv", actor=scenario.township_doctor, institution=scenario.centre_1)

    assert (counts.created, counts.failed) == (2, 2)
    exam = HealthExam.objects.get(resident__name=rows[0][0])
    assert exam.systolic_left == 142 and exam.bmi == Decimal("24.6")
    assert sorted({(r, c) for r, c, _ in counts.errors}) == [(3, "舒张压(左)"), (5, "体检日期")]
