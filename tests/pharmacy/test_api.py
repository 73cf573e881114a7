"""/api/v1/drugs/, /stock/, /purchase-orders/, /prescriptions/: scoped lists, writes through the actions, field
errors in the one JSON shape, and no write in another institution's name."""
from decimal import Decimal

from yigongti.pharmacy.models import StockBatch

from . import helpers as h


def _post(client, url, data):
    return client.post(url, data, content_type="application/json")


def test_the_formulary_is_read_by_all_and_written_by_the_office(scenario, client):
    d = h.drug(scenario)
    client.force_login(scenario.village_doctor_a)
    listing = client.get("/api/v1/drugs/?q=氨氯地平").json()
    assert [r["code"] for r in listing["results"]] == ["Y001"] and listing["results"][0]["tiers"] == [
        "county", "township", "village"]
    assert _post(client, "/api/v1/drugs/", {"code": "Y002", "generic_name": "二甲双胍"}).status_code == 403
    client.force_login(scenario.consortium_office)
    created = _post(client, "/api/v1/drugs/", {"code": "Y002", "generic_name": "盐酸二甲双胍片", "list_price": "0.12",
                                               "antibiotic_level": "unrestricted"})
    assert created.status_code == 201, created.content
    dup = _post(client, "/api/v1/drugs/", {"code": "Y002", "generic_name": "x"})
    assert dup.status_code == 400 and "code" in dup.json()["error"]["fields"]
    ok = client.patch(f"/api/v1/drugs/{d.pk}/", {"version": 1, "list_price": "0.60"}, content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == 2
    stale = client.patch(f"/api/v1/drugs/{d.pk}/", {"version": 1, "list_price": "0.70"}, content_type="application/json")
    assert stale.status_code == 409


def test_stock_receipts_only_for_ones_own_institution(scenario, client):
    d = h.drug(scenario)
    client.force_login(scenario.village_doctor_a)
    body = {"institution": scenario.clinic_b.pk, "drug": d.pk, "batch_no": "X1", "expiry": "2030-01-01",
            "quantity": 5}
    assert _post(client, "/api/v1/stock/", body).status_code == 403
    assert not StockBatch.objects.exists()
    ok = _post(client, "/api/v1/stock/", {**body, "institution": scenario.clinic_a.pk})
    assert ok.status_code == 201 and ok.json()["quantity"] == 5
    bad = _post(client, "/api/v1/stock/", {**body, "institution": scenario.clinic_a.pk, "expiry": "2020-01-01"})
    assert bad.status_code == 400 and "expiry" in bad.json()["error"]["fields"]
    client.force_login(scenario.village_doctor_b)
    assert client.get("/api/v1/stock/").json()["results"] == []
    client.force_login(scenario.township_doctor)  # the centre sees the villages it supplies
    assert [r["batch_no"] for r in client.get("/api/v1/stock/").json()["results"]] == ["X1"]


def test_prescribe_and_dispense_through_the_api(scenario, client):
    s = scenario
    d = h.drug(s, price="1.25")
    h.stock(s, s.clinic_a, d, 10)
    enc = h.encounter(s)
    client.force_login(s.village_doctor_a)
    too_long = _post(client, "/api/v1/prescriptions/", {"encounter": enc.pk, "long_term": True, "days": 91,
                                                        "lines": [{"drug": d.pk, "quantity": 3}]})
    assert too_long.status_code == 400 and "days" in too_long.json()["error"]["fields"]
    made = _post(client, "/api/v1/prescriptions/", {"encounter": enc.pk, "long_term": True, "days": 84,
                                                    "lines": [{"drug": d.pk, "quantity": 3, "dosage": "每日1片"}]})
    assert made.status_code == 201, made.content
    rx = made.json()
    assert rx["amount"] == "3.75" and rx["status"] == "issued"
    client.force_login(s.village_doctor_b)
    assert client.post(f"/api/v1/prescriptions/{rx['id']}/dispense/").status_code == 404
    client.force_login(s.village_doctor_a)
    done = client.post(f"/api/v1/prescriptions/{rx['id']}/dispense/")
    assert done.status_code == 200 and done.json()["status"] == "dispensed"
    again = client.post(f"/api/v1/prescriptions/{rx['id']}/dispense/")
    assert again.status_code == 400
    enc.refresh_from_db()
    assert enc.drug_cost == Decimal("3.75")


def test_purchase_orders_deliveries_and_invoices(scenario, client):
    s = scenario
    d = h.drug(s)
    client.force_login(s.township_doctor)
    made = _post(client, "/api/v1/purchase-orders/", {
        "number": "PT-2026-0001", "institution": s.centre_1.pk, "supplier": "示范医药配送有限公司",
        "ordered_on": str(h.today()), "lines": [{"drug": d.pk, "quantity": 100, "unit_price": "0.45"}]})
    assert made.status_code == 201, made.content
    order = made.json()
    line = order["lines"][0]["id"]
    over = _post(client, f"/api/v1/purchase-orders/{order['id']}/deliveries/", {
        "delivered_on": str(h.today()), "lines": [{"order_line": line, "batch_no": "P1", "expiry": "2029-01-01",
                                                   "quantity": 101}]})
    assert over.status_code == 400
    got = _post(client, f"/api/v1/purchase-orders/{order['id']}/deliveries/", {
        "delivered_on": str(h.today()), "lines": [{"order_line": line, "batch_no": "P1", "expiry": "2029-01-01",
                                                   "quantity": 60}]})
    assert got.status_code == 201 and got.json()["status"] == "partial"
    assert h.on_hand(s.centre_1, d) == 60
    inv = _post(client, f"/api/v1/purchase-orders/{order['id']}/invoices/", {
        "kind": "second", "number": "No.0001", "issuer": "示范医药配送有限公司", "amount": "27.00",
        "issued_on": str(h.today())})
    assert inv.status_code == 201
    client.force_login(s.other_township_doctor)
    assert client.get(f"/api/v1/purchase-orders/{order['id']}/").status_code == 404
