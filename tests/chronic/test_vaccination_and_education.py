"""Vaccination records from the provincial immunisation system's export (every rejected row reported with its
reason, re-import unchanged, a due dose later given), shown on the child's card, counted as a service; health
education activities recorded on the page and counted with the education given at visits."""
import datetime as dt

import pytest
from django.utils import timezone

from yigongti.chronic.models import EducationActivity, Vaccination
from yigongti.people import services
from yigongti.people.importing import import_file

from . import helpers

pytestmark = pytest.mark.django_db(transaction=True)


def test_import_reports_every_rejected_row_and_counts_towards_contracts(scenario, client):
    today = timezone.localdate()
    baby = helpers.resident(scenario, name="接种婴儿", born=today - dt.timedelta(days=200), sex="1")
    born = baby.birth_date
    csv = ("省免疫规划信息系统 接种记录导出\n"
           "健康档案编号,姓名,疫苗名称,剂次,接种日期,应种日期,接种单位,疫苗批号,接种记录编号\n"
           f"{baby.record_number},接种婴儿,乙肝疫苗,1,{born.isoformat()},,乡卫生院接种门诊,B1,JZ-1\n"
           f"{baby.record_number},接种婴儿,乙肝疫苗,2,{(born + dt.timedelta(days=31)).isoformat()},,乡卫生院接种门诊,B2,JZ-2\n"
           f"{baby.record_number},接种婴儿,乙肝疫苗,3,,{(today + dt.timedelta(days=5)).isoformat()},,,JZ-3\n"
           f"{baby.record_number},别人,卡介苗,1,{born.isoformat()},,,,JZ-4\n"
           f"{baby.record_number},接种婴儿,脊灰疫苗,1,,,,,JZ-5\n"
           f"{baby.record_number},接种婴儿,百白破疫苗,1,{(born - dt.timedelta(days=3)).isoformat()},,,,JZ-6\n"
           f"{baby.record_number},接种婴儿,,1,{born.isoformat()},,,,JZ-7\n"
           "99999999999999999,不存在,乙肝疫苗,1,2026-01-01,,,,JZ-8\n").encode()
    counts = import_file("vaccinations", csv, "接种.csv", actor=scenario.village_doctor_a,
                         institution=scenario.clinic_a)
    assert (counts.created, counts.failed) == (3, 5)
    reasons = " ".join(str(e[2]) for e in counts.errors)
    for text in ("姓名与", "请填写接种日期或应种日期", "接种日期不能早于出生日期", "不能为空", "没有该健康档案编号"):
        assert text in reasons
    assert len({e[0] for e in counts.errors}) == 5       # one line per rejected row at least
    due = Vaccination.objects.get(external_id="JZ-3")
    assert due.status == "due" and due.given_on is None
    again = import_file("vaccinations", csv, "接种.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a)
    assert again.unchanged == 3 and Vaccination.objects.count() == 3
    given = (f"健康档案编号,姓名,疫苗名称,剂次,接种日期,接种记录编号\n"
             f"{baby.record_number},接种婴儿,乙肝疫苗,3,{today.isoformat()},JZ-3\n").encode()
    import_file("vaccinations", given, "补种.csv", actor=scenario.village_doctor_a, institution=scenario.clinic_a)
    due.refresh_from_db()
    assert due.status == "given" and due.given_on == today
    delivered = services.delivered([baby.pk], born, today)
    assert delivered[baby.pk]["vaccination"] == 3
    assert "vaccination" in services.kinds()
    from yigongti.chronic import population

    e = population.enrol_eligible(scenario.village_doctor_a, programme="child", institution=scenario.clinic_a,
                                  managing_doctor=scenario.village_doctor_a)
    e = next(x for x in e if x.resident_id == baby.pk)
    client.force_login(scenario.village_doctor_a)
    card = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert "乙肝疫苗" in card and "乡卫生院接种门诊" in card
    client.force_login(scenario.village_doctor_b)
    assert client.get(f"/chronic/enrolments/{e.pk}/").status_code == 404


def test_education_activities_and_education_at_visits_are_counted(scenario, client):
    today = timezone.localdate()
    client.force_login(scenario.village_doctor_a)
    page = client.get("/chronic/education/")
    assert page.status_code == 200
    bad = client.post("/chronic/education/", {"institution": scenario.clinic_a.pk, "kind": "lecture",
                                              "held_on": (today + dt.timedelta(days=2)).isoformat(), "topic": "x",
                                              "audience": "30"})
    assert "活动日期不能晚于今天" in bad.content.decode() and not EducationActivity.objects.exists()
    r = client.post("/chronic/education/", {"institution": scenario.clinic_a.pk, "kind": "lecture",
                                            "held_on": today.isoformat(), "topic": "高血压防治讲座",
                                            "place": "村委会", "audience": "32", "materials": "40"})
    assert r.status_code == 302
    elder = helpers.resident(scenario, name="宣教老人", born=dt.date(1950, 1, 1))
    from yigongti.chronic import population, programmes

    e = next(x for x in population.enrol_eligible(scenario.village_doctor_a, programme="older",
                                                  institution=scenario.clinic_a) if x.resident_id == elder.pk)
    programmes.get("older").record(scenario.village_doctor_a, e, institution=scenario.clinic_a, visit_date=today,
                                   mode="clinic", details={"self_care_score": 0, "education": "防跌倒"})
    page = client.get(f"/chronic/education/?year={today.year}").content.decode()
    assert "高血压防治讲座" in page and "32" in page
    assert "随访中开展健康教育 1 人次" in page
    assert services.delivered([elder.pk], today, today)[elder.pk]["health_education"] == 1
    client.force_login(scenario.village_doctor_b)
    assert "高血压防治讲座" not in client.get("/chronic/education/").content.decode()
    denied = client.post("/chronic/education/", {"institution": scenario.clinic_a.pk, "kind": "lecture",
                                                 "held_on": today.isoformat(), "topic": "越权", "audience": "1"})
    assert denied.status_code == 200 and EducationActivity.objects.count() == 1
