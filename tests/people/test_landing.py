"""The landing page's resident-record section: a search box and the records awaiting review in scope."""
from .conftest import register


def test_the_landing_lists_records_without_a_document_in_scope_only(scenario, client):
    register(scenario, name="无证人", document_type="none", sex="1")
    register(scenario, doctor=scenario.village_doctor_b, institution=scenario.clinic_b, area=scenario.village_b,
             name="柳林无证", document_type="none")
    client.force_login(scenario.village_doctor_a)
    html = client.get("/").content.decode()
    assert "查找居民" in html and "无证人" in html and "柳林无证" not in html
    client.force_login(scenario.system_admin)
    assert "查找居民" not in client.get("/").content.decode()
