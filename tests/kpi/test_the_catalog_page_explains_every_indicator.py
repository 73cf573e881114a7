"""The catalog: every indicator with numerator, denominator, computation, unit, source, period rule; the
ones that cannot be computed yet say what they wait for."""
import io

from openpyxl import load_workbook

from yigongti.kpi import catalog


def test_every_declaration_is_complete_and_discovered():
    codes = {i.code for i in catalog.all_indicators()}
    assert {"national.primary_visit_share", "national.tcm_visit_share", "national.chronic_admission_rate",
            "national.insurance_in_county_share", "national.insurance_primary_share",
            "national.insured_in_county_admission_share", "national.insured_inpatient_cost",
            "effect.outpatient_visits", "effect.inpatient_stays", "effect.outpatient_avg_cost",
            "effect.inpatient_avg_cost", "effect.drug_share", "effect.service_income_share",
            "records.coverage"} <= codes
    assert catalog.get("national.chronic_admission_rate").status == "live"  # chronic/indicators.py
    assert catalog.get("national.premature_chronic_mortality").status == "needs_data"
    # the settlement indicators are live once finance owns settlements (finance/indicators.py)
    assert catalog.get("national.insurance_in_county_share").status == "live"


def test_the_catalog_page_shows_definitions_and_what_is_not_computable(county, client):
    client.force_login(county.users["township_doctor"])
    page = client.get("/kpi/").content.decode()
    assert "药占比" in page and "药品费用（门诊、急诊、住院）" in page
    assert "Σ 药品费用" in page  # the computation, not only words
    assert "死因监测数据" in page
    assert "按出院日期归入统计期" in page


def test_the_catalog_exports_to_xlsx(county, client):
    client.force_login(county.users["township_doctor"])
    response = client.get("/kpi/?export=catalog")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    names = [row[1] for row in sheet.iter_rows(values_only=True)]
    assert "医疗服务性收入占比" in names


def test_the_separated_administrators_see_no_indicators(county, client):
    client.force_login(county.users["system_admin"])
    assert client.get("/kpi/").status_code == 403


def test_english_shows_the_translated_definitions(county, client):
    client.force_login(county.users["township_doctor"])
    page = client.get("/kpi/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Drug share" in page
