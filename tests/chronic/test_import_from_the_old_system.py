"""Import of enrolments and follow-up history from the previous public-health system: the row-level error report
(an I15 row, an unknown record), the good rows kept and classified by the rules, a second run unchanged."""
import pytest

from yigongti.chronic.models import Enrolment, Visit
from yigongti.people.importing import import_file

from . import helpers

pytestmark = pytest.mark.django_db(transaction=True)


def test_enrolments_then_followups(scenario):
    a = helpers.resident(scenario, name="导入甲")
    b = helpers.resident(scenario, name="导入乙")
    enrolments = ("原公卫系统慢病名单\n"
                  "健康档案编号,姓名,管理项目,诊断编码,确诊日期,纳入管理日期,原系统编号\n"
                  f"{a.record_number},导入甲,高血压,I10.x00,2019-05-06,2019-05-20,GXY-1\n"
                  f"{b.record_number},导入乙,高血压,I15.900,2019-05-06,2019-05-20,GXY-2\n"
                  "36019900000000099,不存在,高血压,I10.x00,2019-05-06,2019-05-20,GXY-3\n").encode()
    counts = import_file("chronic_enrolments", enrolments, "名单.csv", actor=scenario.village_doctor_a,
                         institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (1, 2)
    assert any("转诊" in str(err[2]) for err in counts.errors)
    followups = ("健康档案编号,姓名,管理项目,随访日期,随访方式,收缩压,舒张压,随访分类,用药情况,原系统随访编号\n"
                 f"{a.record_number},导入甲,高血压,2026-03-01,门诊,150,95,控制不满意,氨氯地平 1 5mg,SF-1\n"
                 f"{a.record_number},导入甲,高血压,2026-06-01,电话,132,80,控制满意,,SF-2\n"
                 f"{a.record_number},导入甲,高血压,2026-07-01,传真,132,80,,,SF-3\n").encode()
    counts = import_file("chronic_followups", followups, "随访.csv", actor=scenario.village_doctor_a,
                         institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (2, 1)
    visits = list(Visit.objects.order_by("visit_date"))
    assert [(v.classification, v.mode) for v in visits] == [("unsatisfied", "clinic"), ("satisfied", "phone")]
    assert visits[0].medications == [{"drug": "氨氯地平", "times": "1", "dose": "5mg"}]
    again = import_file("chronic_followups", followups, "随访.csv", actor=scenario.village_doctor_a,
                        institution=scenario.clinic_a)
    assert again.unchanged == 2 and Visit.objects.count() == 2
    assert Enrolment.objects.get().last_visit_on.isoformat() == "2026-06-01"
