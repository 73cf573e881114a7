"""Issue 17: the WS/T 423-2022 reference table is supplied by the county (no verifiable copy ships): loaded
from a CSV by `yigongti chronic import-growth-table` (validated whole, audited, replacing the table in force);
the child's check is judged against whatever table is loaded; with none the page says so. The table used here
is CLEARLY SYNTHETIC (round numbers, not the standard's)."""
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from yigongti.audit.models import AuditEntry
from yigongti.chronic import growth, population
from yigongti.chronic.models import Enrolment, GrowthReference, GrowthTableImport, Visit
from yigongti.rules import child
from yigongti.rules.chronic import add_months

from . import helpers

HEADER = ",".join(child.CSV_COLUMNS)


def synthetic_csv(median_w=10, median_h=75) -> str:
    """Boys at 12 months and a 75 cm weight-for-length row; one SD = 1 kg / 1 cm (synthetic)."""
    def line(indicator, x, m):
        return ",".join([indicator, "1", str(x), *(str(m + k) for k in range(-3, 4))])

    return "\n".join([HEADER, line("weight_for_age", 12, median_w), line("height_for_age", 12, median_h),
                      line("weight_for_length", 75, median_w)]) + "\n"


def child_enrolment(s):
    today = timezone.localdate()
    kid = helpers.resident(s, name="生长评价儿童", born=add_months(today, -12))
    population.enrol_eligible(s.village_doctor_a, programme="child", institution=s.clinic_a,
                              managing_doctor=s.village_doctor_a)
    return Enrolment.objects.get(resident=kid, programme="child")


def check(s, e, weight, height):
    from yigongti.chronic import actions

    return actions.record_followup(s.village_doctor_a, e, institution=s.clinic_a, visit_date=timezone.localdate(),
                                   mode="clinic", details={"check": "12m", "weight_kg": weight, "height_cm": height})


def test_no_table_loaded_is_said_on_the_page_and_on_the_visit(scenario, client):
    e = child_enrolment(scenario)
    visit, decision = check(scenario, e, "6.0", "75.0")
    assert child.R_NO_TABLE in decision.reasons and decision.classification == child.NORMAL
    client.force_login(scenario.village_doctor_a)
    page = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert 'id="growth-no-table"' in page and "未载入生长标准参考表" in page
    assert "未载入生长标准参考表（WS/T 423-2022），未评价生长" in page


def test_a_loaded_table_judges_the_check_and_shows_on_the_page(scenario, client, tmp_path):
    path = tmp_path / "growth.csv"
    path.write_text(synthetic_csv(), encoding="utf-8-sig")
    call_command("chronic", "import-growth-table", str(path), "--source", "合成测试表（非标准数值）")
    imp = GrowthTableImport.objects.get()
    assert imp.rows == 3 and GrowthReference.objects.count() == 3
    assert AuditEntry.objects.filter(object_type="chronic.GrowthTableImport", object_id=str(imp.pk),
                                     action="create").exists()
    e = child_enrolment(scenario)
    visit, decision = check(scenario, e, "7.5", "75.0")     # weight-for-age −2SD = 8: low weight
    assert decision.classification == child.HIGH_RISK and child.R_UNDERWEIGHT in visit.reasons
    client.force_login(scenario.village_doctor_a)
    page = client.get(f"/chronic/enrolments/{e.pk}/").content.decode()
    assert "合成测试表（非标准数值）" in page and 'id="growth-no-table"' not in page
    assert "低体重" in page


def test_a_bad_file_is_refused_whole_and_the_table_in_force_stays(scenario, tmp_path, capsys):
    growth.import_growth_table(None, data=synthetic_csv(), source="合成表一")
    bad = tmp_path / "bad.csv"
    bad.write_text(synthetic_csv(median_w=20) + "weight_for_age,3,12,1,2,3,4,5,6,7\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("chronic", "import-growth-table", str(bad), "--source", "合成表二")
    assert "第5行 sex" in capsys.readouterr().err
    assert list(GrowthTableImport.objects.values_list("source", flat=True)) == ["合成表一"]
    assert growth.current_table().lookup(child.WEIGHT_FOR_AGE, "1", 12).at(0) == 10
    with pytest.raises(CommandError):
        call_command("chronic", "import-growth-table", str(bad))        # no --source


def test_a_new_load_replaces_the_table_in_force(scenario):
    growth.import_growth_table(None, data=synthetic_csv(), source="合成表一")
    assert growth.current_table().lookup(child.WEIGHT_FOR_AGE, "1", 12).at(0) == 10
    growth.import_growth_table(None, data=synthetic_csv(median_w=12).encode("utf-8-sig"), source="合成表二")
    assert growth.current_table().lookup(child.WEIGHT_FOR_AGE, "1", 12).at(0) == 12
    assert GrowthReference.objects.count() == 3


def test_the_visits_earlier_reasons_are_kept(scenario):
    e = child_enrolment(scenario)
    visit, _decision = check(scenario, e, "7.5", "75.0")
    growth.import_growth_table(None, data=synthetic_csv(), source="合成表一")
    assert Visit.objects.get(pk=visit.pk).reasons == visit.reasons    # a load never rewrites recorded visits
