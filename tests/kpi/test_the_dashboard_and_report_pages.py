"""The consortium office dashboard, the indicator page, the printable report and their XLSX exports."""
import io
import json
import re

import pytest
from openpyxl import load_workbook

from .conftest import payload, publish


@pytest.fixture
def activity(county):
    for year, visits in ((2024, 2), (2025, 3)):
        for n in range(visits):
            publish(None, payload(county.inst("centre_1"), visit_date=f"{year}-04-0{n + 1}"))
        publish(None, payload(county.inst("county_hospital"), kind="inpatient", visit_date=f"{year}-04-01",
                              discharge_date=f"{year}-04-09", total="5000.00", drug="1500.00"))
    return county


def _charts(page: str) -> list[dict]:
    return [json.loads(m) for m in re.findall(r'<script id="[^"]+" type="application/json">(.*?)</script>', page, re.S)]


def test_the_dashboard_shows_figures_charts_and_tables(activity, client):
    client.force_login(activity.users["consortium_office"])
    response = client.get("/kpi/dashboard/?period=2025")
    page = response.content.decode()
    assert response.status_code == 200
    assert "东湖镇中心卫生院" in page and "+50.00%" in page  # outpatient visits 2 → 3 at the township centre
    assert len(_charts(page)) >= 4
    assert "<script>" not in page  # no inline scripts (CSP)
    for table in ("townships", "institutions", "league"):
        export = client.get(f"/kpi/dashboard/?period=2025&export={table}")
        assert export.status_code == 200 and load_workbook(io.BytesIO(export.content)).active.max_row >= 2


def test_only_oversight_roles_open_the_dashboard(activity, client):
    client.force_login(activity.users["township_doctor"])
    assert client.get("/kpi/dashboard/").status_code == 403


def test_a_bad_period_is_a_message_not_a_500(activity, client):
    client.force_login(activity.users["consortium_office"])
    response = client.get("/kpi/dashboard/?period=2025-99")
    assert response.status_code == 200 and "统计期格式不正确" in response.content.decode()


def test_the_indicator_page_cuts_and_exports(activity, client):
    client.force_login(activity.users["township_doctor"])
    page = client.get("/kpi/i/effect.inpatient_avg_cost/?period=2025&by=tier").content.decode()
    assert "5,000.00" in page
    export = client.get("/kpi/i/effect.inpatient_avg_cost/?period=2025&by=tier&export=values")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert any(r[0] == "县级" and r[1] == "5,000.00" for r in rows)
    assert client.get("/kpi/i/national.insured_inpatient_cost/").status_code == 200
    assert client.get("/kpi/i/nope/").status_code == 404


def test_the_report_prints_each_figure_with_its_change_and_a_small_chart(activity, client):
    client.force_login(activity.users["consortium_office"])
    page = client.get("/kpi/report/?period=2025").content.decode()
    assert "医共体建设成效" in page and "2025年" in page and "+50.00%" in page
    assert page.count('class="chart chart-small"') >= 8
    township_doctor_view = client.get(f"/kpi/report/?period=2025&cut=institution:{activity.inst('centre_1').pk}")
    assert "东湖镇中心卫生院" in township_doctor_view.content.decode()
    export = client.get("/kpi/report/?period=2025&export=report")
    assert export.status_code == 200


def test_the_landing_page_shows_the_role_indicators(activity, client):
    client.force_login(activity.users["township_doctor"])
    page = client.get("/").content.decode()
    assert "我的指标" in page and "东湖镇中心卫生院" in page and "门诊均次费用" in page
    client.force_login(activity.users["consortium_office"])
    page = client.get("/").content.decode()
    assert "全县" in page and "县域内基层医疗卫生机构诊疗人次数占比" in page


def test_the_dashboard_reads_a_bounded_number_of_queries(activity, client, django_assert_max_num_queries):
    client.force_login(activity.users["consortium_office"])
    client.get("/kpi/dashboard/?period=2025")
    for n in range(3):  # more data and more institutions do not add queries
        publish(None, payload(activity.inst("centre_2"), visit_date=f"2025-0{n + 1}-11"))
    with django_assert_max_num_queries(50):  # + the secondment and four settlement cards, one query each
        assert client.get("/kpi/dashboard/?period=2025").status_code == 200
