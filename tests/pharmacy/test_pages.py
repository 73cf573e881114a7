"""The pharmacy pages: a village doctor prescribes on an encounter (13 weeks refused on the page with the
field's message), dispenses, requests replenishment; the township centre fulfils; the office edits the
formulary and the cabinet. Chinese pages, no inline scripts."""
from yigongti.pharmacy.models import Prescription, Replenishment, RxStatus, StockItem

from . import helpers as h


def test_the_pages_open_for_their_users(scenario, client):
    s = scenario
    d = h.drug(s)
    h.stock(s, s.clinic_a, d, 30)
    rx = h.prescription(s, d, 2)
    client.force_login(s.village_doctor_a)
    for url in ("/pharmacy/", "/pharmacy/drugs/", f"/pharmacy/stock/{s.clinic_a.pk}/",
                f"/pharmacy/stock/{s.clinic_a.pk}/moves/", f"/pharmacy/stock/{s.clinic_a.pk}/stocktake/",
                f"/pharmacy/cabinet/{s.clinic_a.pk}/", "/pharmacy/replenishments/", "/pharmacy/prescriptions/",
                f"/pharmacy/prescriptions/{rx.pk}/", "/pharmacy/purchasing/", "/pharmacy/missing/",
                f"/pharmacy/prescriptions/new/?encounter={rx.encounter_id}"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert " on" not in response.content.decode().split("<body")[1].split(">")[0]
    assert client.get(f"/pharmacy/stock/{s.clinic_b.pk}/").status_code == 404
    assert client.get("/pharmacy/drugs/new/").status_code == 403


def test_prescribe_and_dispense_on_the_pages(scenario, client):
    s = scenario
    d = h.drug(s, price="1.00")
    h.stock(s, s.clinic_a, d, 30)
    enc = h.encounter(s)
    client.force_login(s.village_doctor_a)
    url = f"/pharmacy/prescriptions/new/?encounter={enc.pk}"
    refused = client.post(url, {"long_term": "on", "days": "91", "drug_0": d.pk, "quantity_0": "13"})
    assert refused.status_code == 200 and "长期处方最长不超过12周" in refused.content.decode()
    made = client.post(url, {"long_term": "on", "days": "84", "drug_0": d.pk, "quantity_0": "12",
                             "dosage_0": "每日1片"})
    rx = Prescription.objects.get()
    assert made.status_code == 302 and made["Location"] == f"/pharmacy/prescriptions/{rx.pk}/"
    page = client.get(made["Location"]).content.decode()
    assert "12.00" in page and 'id="dispense"' in page
    client.post(f"/pharmacy/prescriptions/{rx.pk}/dispense/")
    rx.refresh_from_db()
    assert rx.status == RxStatus.DISPENSED and h.on_hand(s.clinic_a, d) == 18


def test_replenish_on_the_pages(scenario, client):
    s = scenario
    d = h.drug(s)
    h.stock(s, s.centre_1, d, 100)
    client.force_login(s.village_doctor_a)
    client.post("/pharmacy/replenishments/", {"drug_0": d.pk, "quantity_0": "25", "note": "药柜补货"})
    req = Replenishment.objects.get()
    client.force_login(s.township_doctor)
    page = client.get(f"/pharmacy/replenishments/{req.pk}/").content.decode()
    assert 'id="fulfil-form"' in page and "配送" in page
    client.post(f"/pharmacy/replenishments/{req.pk}/fulfil/", {f"supplied_{req.lines.get().pk}": "20"})
    assert h.on_hand(s.clinic_a, d) == 20 and h.on_hand(s.centre_1, d) == 80


def test_the_office_keeps_the_formulary_and_the_cabinet(scenario, client):
    s = scenario
    client.force_login(s.consortium_office)
    response = client.post("/pharmacy/drugs/new/", {"code": "Y100", "kind": "drug", "generic_name": "二甲双胍片",
                                                    "unit": "盒", "list_price": "0.10", "active": "on",
                                                    "tier_township": "on", "tier_village": "on"})
    assert response.status_code == 302
    from yigongti.pharmacy.models import Drug

    d = Drug.objects.get(code="Y100")
    response = client.post(f"/pharmacy/cabinet/{s.clinic_a.pk}/", {"drug": d.pk, "price": "0.10",
                                                                   "min_quantity": "20", "in_cabinet": "on"})
    assert response.status_code == 302
    assert StockItem.objects.get(institution=s.clinic_a, drug=d).in_cabinet
    client.force_login(s.village_doctor_a)
    assert client.post(f"/pharmacy/cabinet/{s.clinic_a.pk}/", {"drug": d.pk, "price": "5"}).status_code == 403


def test_the_landing_page_shows_what_waits(scenario, client):
    from yigongti.pharmacy import actions

    s = scenario
    d = h.drug(s)
    actions.set_stock_item(s.village_doctor_a, s.clinic_a, d, min_quantity=5)
    h.stock(s, s.centre_1, d, 50)
    actions.request_replenishment(s.village_doctor_a, requester=s.clinic_a, lines=[(d, 10)])
    client.force_login(s.township_doctor)
    page = client.get("/").content.decode()
    assert "待配送请领单" in page
    client.force_login(s.village_doctor_a)
    assert "低于下限的品种" in client.get("/").content.decode()


def test_the_office_switches_the_drug_cost_to_dispensing_on_the_stock_page(scenario, client):
    from yigongti.pharmacy.models import DispensingCostSource

    s = scenario
    url = f"/pharmacy/stock/{s.clinic_a.pk}/"
    client.force_login(s.village_doctor_a)
    assert "手工录入" in client.get(url).content.decode()
    assert client.post(f"{url}cost-source/", {"since": "2026-01-01"}).status_code == 403

    client.force_login(s.consortium_office)
    response = client.post(f"{url}cost-source/", {"since": "2026-02-30"}, follow=True)
    assert "请填写起始日期" in response.content.decode()
    assert not DispensingCostSource.objects.exists()
    response = client.post(f"{url}cost-source/", {"since": "2026-01-01"}, follow=True)
    assert "自 2026-01-01 起由本平台发药自动计入" in response.content.decode()
    client.post(f"{url}cost-source/", {"switch": "off"})
    assert not DispensingCostSource.objects.exists()


def test_plan_order_delivery_and_invoices_on_the_pages(scenario, client):
    """Issue 14 §2 on the pages: a member writes and sends its month's plan, the order recorded from the
    provincial platform is received by batch and expiry (never more than outstanding) and its two invoices kept."""
    from yigongti.pharmacy import actions
    from yigongti.pharmacy.models import Invoice, PlanStatus, PurchasePlan

    s = scenario
    d = h.drug(s, price="0.50")
    client.force_login(s.township_doctor)
    assert client.get("/pharmacy/purchasing/").content.decode().count("编制本机构采购计划") == 1
    response = client.post("/pharmacy/purchasing/plans/new/", {"institution": s.centre_1.pk, "period": "2026-13",
                                                               "drug_0": d.pk, "quantity_0": 100, "submit": "1"})
    assert response.status_code == 200 and "计划期间请写成" in response.content.decode()
    client.post("/pharmacy/purchasing/plans/new/", {"institution": s.centre_1.pk, "period": "2026-12",
                                                    "drug_0": d.pk, "quantity_0": 100, "submit": "1"})
    plan = PurchasePlan.objects.get(institution=s.centre_1, period="2026-12")
    assert plan.status == PlanStatus.SUBMITTED and plan.lines.get().quantity == 100

    order = actions.record_order(s.township_doctor, institution=s.centre_1, number="PO-PAGE-1", supplier="甲配送",
                                 ordered_on=h.today(), lines=[(d, 100, "0.45")])
    line = order.lines.get()
    page = client.get(f"/pharmacy/purchasing/orders/{order.pk}/").content.decode()
    assert 'id="delivery-form"' in page and 'id="invoice-form"' in page
    url = f"/pharmacy/purchasing/orders/{order.pk}/delivery/"
    form = {"delivered_on": str(h.today()), f"batch_no_{line.pk}": "PG-B1", f"expiry_{line.pk}": "2030-01-31"}
    client.post(url, {**form, f"quantity_{line.pk}": 120}, follow=True)  # more than ordered: refused
    line.refresh_from_db()
    assert line.received == 0
    client.post(url, {**form, f"quantity_{line.pk}": 60})
    line.refresh_from_db()
    assert line.received == 60 and h.on_hand(s.centre_1, d) == 60
    client.post(f"/pharmacy/purchasing/orders/{order.pk}/invoice/",
                {"kind": "second", "number": "INV-2", "issuer": "甲配送", "amount": "27.00", "issued_on": "2026-11-01"})
    assert Invoice.objects.get(order=order).number == "INV-2"

    client.force_login(s.village_doctor_b)  # another institution: neither sees nor acts on the order
    assert client.post(url, {**form, f"quantity_{line.pk}": 10}).status_code in (403, 404)
