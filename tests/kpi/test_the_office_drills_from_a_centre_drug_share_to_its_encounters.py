"""Every number drills down to the records behind it, scoped to the user: the consortium office goes from
one township centre's 药占比 to exactly its encounters, and their sums give the figure again."""
import io

from openpyxl import load_workbook

from . import people_adapter
from .fixtures import encounters


def test_the_office_drills_from_the_dashboard_to_the_encounters(county, client):
    people_adapter.require()
    encounters(county)
    centre = county.inst("centre_1")
    client.force_login(county.users["consortium_office"])
    dashboard = client.get("/kpi/dashboard/?period=2025").content.decode()
    link = f"/kpi/i/effect.drug_share/records/?period=2025&amp;cut=institution:{centre.pk}"
    assert link in dashboard
    page = client.get(link.replace("&amp;", "&")).content.decode()
    assert "30.47%" in page  # the figure and the same value recomputed from the listed records
    assert 'id="drill-numerator">1,950.00' in page and 'id="drill-denominator">6,400.00' in page
    assert page.count("<tr>") - 1 == 8  # 5 visits + 3 discharged stays; not the stay still in hospital
    export = client.get(link.replace("&amp;", "&") + "&export=records&purpose=核对药占比")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert len(rows) == 3 + 8  # watermark, note, header, 8 records
    from yigongti.audit.models import AuditEntry

    entry = AuditEntry.objects.filter(action="export", object_type="kpi.drill:effect.drug_share").get()
    assert entry.changes["rows"] == 8 and entry.user_id == county.users["consortium_office"].pk


def test_a_township_doctor_sees_only_the_records_they_may_see(county, client):
    people_adapter.require()
    encounters(county)
    client.force_login(county.users["township_doctor"])
    response = client.get(f"/kpi/i/effect.drug_share/records/?period=2025&cut=institution:{county.inst('county_hospital').pk}")
    assert response.status_code == 200
    assert "1,950.00" not in response.content.decode()
