"""Population denominators: the sum query, editing and the XLSX import with its error report."""
import io

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook, load_workbook

from yigongti.org import actions
from yigongti.org.denominator_import import import_denominators, template_workbook
from yigongti.org.models import PopulationDenominator
from yigongti.org.queries import denominator, year_figure


def _xlsx(rows, figures=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "人口数"
    ws.append(["区划代码", "年度", "性别", "年龄组", "常住人口", "户籍人口"])
    for r in rows:
        ws.append(r)
    if figures is not None:
        ws2 = wb.create_sheet("年度指标")
        ws2.append(["区划代码", "年度", "活产数", "职工医保参保人数", "城乡居民医保参保人数"])
        for r in figures:
            ws2.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_denominator_sums_a_subtree_by_sex_and_band(scenario):
    office = scenario.consortium_office
    actions.set_denominator(office, area=scenario.village_a, year=2026, sex="1", age_band="65+", resident=40,
                            registered=44)
    actions.set_denominator(office, area=scenario.village_a, year=2026, sex="2", age_band="65+", resident=50,
                            registered=52)
    actions.set_denominator(office, area=scenario.village_c, year=2026, sex="1", age_band="35-64", resident=70,
                            registered=75)
    assert denominator(scenario.township_1, 2026) == 90
    assert denominator(None, 2026) == 160
    assert denominator(scenario.county, 2026, "registered") == 171
    assert denominator(scenario.county, 2026, sex="1") == 110
    assert denominator(scenario.county, 2026, age_bands=["65+"]) == 90
    assert denominator(scenario.county, 2025) == 0


def test_import_keeps_good_rows_and_reports_bad_ones(scenario):
    data = _xlsx([
        ["360199100201", 2026, "男", "65+", 40, 44],
        ["360199100201", 2026, "女", "65+", 50, 52],
        ["999999999999", 2026, "男", "65+", 1, 1],          # unknown area
        ["360199100202", 2026, "未知", "65+", 1, 1],          # bad sex
        ["360199100202", 2026, "男", "70+", 1, 1],            # bad band
        ["360199100202", 2026, "男", "0-2", -3, 1],           # negative
        ["360199100202", 2026, "男", "3-6", "很多", 1],        # not a number
    ], figures=[["360199100201", 2026, 3, 20, 300], ["360199100201", "x", 1, 1, 1]])
    report = import_denominators(scenario.consortium_office, data)
    assert report.saved == 3
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert reasons[(4, "区划代码")] == "区划代码不存在"
    assert "男" in reasons[(5, "性别")]
    assert "65+" in reasons[(6, "年龄组")]
    assert reasons[(7, "常住人口")] == "不能为负数"
    assert reasons[(8, "常住人口")] == "应为整数"
    assert ("年度指标", 3, "年度") in {(e.sheet, e.row, e.column) for e in report.errors}
    assert denominator(scenario.village_a, 2026) == 90
    assert year_figure(scenario.county, 2026, "insured_resident") == 300
    sheet = load_workbook(io.BytesIO(report.error_workbook())).active
    assert [c.value for c in sheet[1]] == ["工作表", "行号", "列", "原因"]
    assert sheet.max_row == len(report.errors) + 1


def test_reimporting_updates_instead_of_duplicating(scenario):
    data = _xlsx([["360199100201", 2026, "男", "65+", 40, 44]])
    import_denominators(scenario.consortium_office, data)
    import_denominators(scenario.consortium_office, data)
    assert PopulationDenominator.objects.count() == 1
    import_denominators(scenario.consortium_office, _xlsx([["360199100201", 2026, "男", "65+", 41, 44]]))
    assert PopulationDenominator.objects.get().resident == 41


def test_the_template_imports_cleanly_after_editing_codes(scenario):
    wb = load_workbook(io.BytesIO(template_workbook()))
    assert [c.value for c in wb["人口数"][1]] == ["区划代码", "年度", "性别", "年龄组", "常住人口", "户籍人口"]


def test_a_file_that_is_not_xlsx_is_reported_not_a_500(scenario):
    report = import_denominators(scenario.consortium_office, b"not an excel file")
    assert report.saved == 0 and "xlsx" in report.errors[0].reason


def test_only_the_office_bureau_or_sysadmin_edit_denominators(scenario):
    with pytest.raises(PermissionDenied):
        import_denominators(scenario.township_doctor, _xlsx([]))
    with pytest.raises(PermissionDenied):
        actions.set_denominator(scenario.institution_admin_t1, area=scenario.village_a, year=2026, sex="1",
                                age_band="65+", resident=1, registered=1)
    actions.set_denominator(scenario.health_bureau, area=scenario.village_a, year=2026, sex="1", age_band="65+",
                            resident=1, registered=1)
