"""药械统一: village clinic A's stock, cabinet, prescriptions and missing-drug list belong to clinic A (its doctor
acts; township centre 1, which supplies it, sees them and reviews its prescriptions but cannot move clinic A's
stock or dispense there); centre 1's orders and the replenishment it fulfils belong to centre 1. Everybody else
gets 404 and their writes change nothing — in particular a village doctor of clinic B never dispenses, scraps
or cancels from clinic A's stock. The formulary is reference data; its edits and plan approval are the
consortium office's."""
from yigongti.org.models import Role

from ..framework import Case

ADMINS = ("system_admin", "security_admin", "audit_admin")
OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist", *ADMINS)
CENTRE_OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist", *ADMINS)


def _drug(s):
    if not hasattr(s, "_ph_drug"):
        from tests.pharmacy import helpers as h

        s._ph_drug = h.drug(s, code="ISO01", name="隔离测试阿莫西林胶囊", antibiotic_level="unrestricted")
    return s._ph_drug


def _batch(s):
    """Clinic A's batch (and centre 1's stock for the replenishment)."""
    if not hasattr(s, "_ph_batch"):
        from tests.pharmacy import helpers as h

        s._ph_batch = h.stock(s, s.clinic_a, _drug(s), 50, batch_no="ISO-A-0001")
        h.stock(s, s.centre_1, _drug(s), 500, batch_no="ISO-T-0001")
    return s._ph_batch


def _cabinet(s):
    from yigongti.pharmacy import actions

    _batch(s)
    actions.set_stock_item(s.consortium_office, s.clinic_a, _drug(s), in_cabinet=True, price="7.7700",
                           min_quantity=10)
    return {"inst": s.clinic_a.pk}


def _rx(s, key="main"):
    attr = f"_ph_rx_{key}"
    if not hasattr(s, attr):
        from tests.pharmacy import helpers as h

        _batch(s)
        setattr(s, attr, h.prescription(s, _drug(s), 2))
    return getattr(s, attr)


def _request(s):
    if not hasattr(s, "_ph_req"):
        from yigongti.pharmacy import actions

        _batch(s)
        s._ph_req = actions.request_replenishment(s.village_doctor_a, requester=s.clinic_a, lines=[(_drug(s), 20)])
    return s._ph_req


def _order(s):
    if not hasattr(s, "_ph_order"):
        from tests.pharmacy import helpers as h
        from yigongti.pharmacy import actions

        s._ph_order = actions.record_order(s.township_doctor, institution=s.centre_1, number="ISO-PO-0001",
                                           supplier="隔离医药配送公司", ordered_on=h.today(),
                                           lines=[(_drug(s), 100, "0.50")])
    return s._ph_order


def _plan(s):
    if not hasattr(s, "_ph_plan"):
        from yigongti.pharmacy import actions

        plan = actions.save_plan(s.township_doctor, institution=s.centre_1, period="2026-12", lines=[(_drug(s), 300)])
        s._ph_plan = actions.submit_plan(s.township_doctor, plan)
    return s._ph_plan


def _missing(s):
    if not hasattr(s, "_ph_missing"):
        from yigongti.pharmacy import actions

        s._ph_missing = actions.register_missing_drug(s.village_doctor_a, institution=s.clinic_a,
                                                      drug_text="隔离缺药甲钴胺片", quantity=2)
    return s._ph_missing


def _inst_a(s):
    _batch(s)
    return {"inst": s.clinic_a.pk}


def _cost_source(s):
    from yigongti.pharmacy.models import DispensingCostSource

    return list(DispensingCostSource.objects.filter(institution=s.clinic_a).values_list("since", flat=True))


def _field(model_attr, getter, field):
    def snap(s):
        obj = getter(s)
        return type(obj).objects.filter(pk=obj.pk).values_list(field, flat=True).get()
    return snap


def _clinic(**kw):
    return Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS, **kw)


def _clinic_write(**kw):
    # the township centre that supplies clinic A sees its stock but may not move it
    return Case.scoped(owner="village_doctor_a", outsiders=(*OUTSIDERS, "township_doctor"), method="POST", **kw)


def _centre(**kw):
    return Case.scoped(owner="township_doctor", outsiders=CENTRE_OUTSIDERS, **kw)


def _invoice_count(s):
    from yigongti.pharmacy.models import Invoice

    return Invoice.objects.filter(order=_order(s)).count()


def _received(s):
    from yigongti.pharmacy.models import PurchaseOrderLine

    return list(PurchaseOrderLine.objects.filter(order=_order(s)).values_list("received", flat=True))


def _delivery(s):
    from tests.pharmacy import helpers as h

    line = _order(s).lines.get()
    return {"delivered_on": str(h.today()), "order_line": line.pk, "batch_no": "ISO-D-1", "expiry": "2030-06-30",
            "quantity": 10}


def _page_delivery(s):
    d = _delivery(s)
    pk = d["order_line"]
    return {"delivered_on": d["delivered_on"], f"quantity_{pk}": 10, f"batch_no_{pk}": "ISO-D-2",
            f"expiry_{pk}": "2030-06-30"}


def _centre_plans(s):
    from yigongti.pharmacy.models import PurchasePlan

    return PurchasePlan.objects.filter(institution=s.centre_1).count()


CASES = {
    "pharmacy:plan_new": _centre(method="POST", payload=lambda s: {
        "institution": s.centre_1.pk, "period": "2027-01", "drug_0": _drug(s).pk, "quantity_0": 5, "submit": "1"},
        snapshot=_centre_plans),
    "pharmacy:order_delivery": _centre(method="POST", kwargs=lambda s: {"pk": _order(s).pk}, payload=_page_delivery,
                                       snapshot=_received),
    "pharmacy:order_invoice": _centre(method="POST", kwargs=lambda s: {"pk": _order(s).pk},
                                      payload=lambda s: {"kind": "second", "number": "ISO-INV-2",
                                                         "issuer": "隔离医药配送公司", "amount": "50.00",
                                                         "issued_on": "2026-11-01"},
                                      snapshot=_invoice_count),
    "pharmacy:home": Case.roles(
        {Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.COUNTY_SPECIALIST, Role.CONSORTIUM_OFFICE,
         Role.HEALTH_BUREAU, Role.INSTITUTION_ADMIN, Role.MENTAL_HEALTH}),
    "pharmacy:drugs": Case.signed_in(note="the consortium formulary is reference data"),
    "pharmacy:drug_new": Case.roles({Role.CONSORTIUM_OFFICE}),
    "pharmacy:drug_edit": Case.roles({Role.CONSORTIUM_OFFICE}, kwargs=lambda s: {"pk": _drug(s).pk}),
    "pharmacy:drug_import": Case.roles({Role.CONSORTIUM_OFFICE}),
    "pharmacy:stock": _clinic(kwargs=_inst_a, hidden=lambda s: _batch(s).batch_no),
    "pharmacy:moves": _clinic(kwargs=_inst_a, hidden=lambda s: _batch(s).batch_no),
    "pharmacy:stocktake": _clinic(kwargs=_inst_a, hidden=lambda s: _batch(s).batch_no),
    "pharmacy:cost_source": Case.roles({Role.CONSORTIUM_OFFICE}, kwargs=_inst_a, method="POST",
                                       payload=lambda s: {"since": "2026-01-01"}, snapshot=_cost_source),
    "pharmacy:scrap": _clinic_write(kwargs=lambda s: {"pk": _batch(s).pk},
                                    payload=lambda s: {"quantity": 1, "reason": "破损"},
                                    snapshot=_field("batch", _batch, "quantity")),
    "pharmacy:cabinet": _clinic(kwargs=_cabinet, hidden=lambda s: "7.7700"),
    "pharmacy:replenishments": _clinic(hidden=lambda s: _request(s).number),
    "pharmacy:replenishment": _clinic(kwargs=lambda s: {"pk": _request(s).pk}),
    "pharmacy:fulfil": Case.scoped(owner="township_doctor", outsiders=(*CENTRE_OUTSIDERS, "village_doctor_a"),
                                   method="POST", kwargs=lambda s: {"pk": _request(s).pk},
                                   snapshot=_field("req", _request, "status")),
    "pharmacy:prescriptions": _clinic(hidden=lambda s: _rx(s).number),
    "pharmacy:prescription_new": _clinic(query=lambda s: f"encounter={_rx(s).encounter_id}"),
    "pharmacy:prescription": _clinic(kwargs=lambda s: {"pk": _rx(s).pk}),
    "pharmacy:dispense": _clinic_write(kwargs=lambda s: {"pk": _rx(s).pk}, snapshot=_field("rx", _rx, "status")),
    "pharmacy:review": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                   method="POST", kwargs=lambda s: {"pk": _rx(s, "review").pk},
                                   payload=lambda s: {"result": "pass"},
                                   snapshot=_field("rx", lambda s: _rx(s, "review"), "review")),
    "pharmacy:cancel": _clinic_write(kwargs=lambda s: {"pk": _rx(s, "cancel").pk},
                                     payload=lambda s: {"reason": "开错"},
                                     snapshot=_field("rx", lambda s: _rx(s, "cancel"), "status")),
    "pharmacy:purchasing": _centre(hidden=lambda s: _order(s).number),
    "pharmacy:plan_decide": Case.roles({Role.CONSORTIUM_OFFICE}, kwargs=lambda s: {"pk": _plan(s).pk},
                                       method="POST", payload=lambda s: {"decision": "approve"},
                                       snapshot=_field("plan", _plan, "status")),
    "pharmacy:order": _centre(kwargs=lambda s: {"pk": _order(s).pk}),
    "pharmacy:missing": _clinic(hidden=lambda s: _missing(s).drug_text),
    # the supplying township centre may mark it supplied too (it supplies it)
    "pharmacy:missing_supplied": _clinic(method="POST", kwargs=lambda s: {"pk": _missing(s).pk},
                                         snapshot=_field("m", _missing, "status")),
    "api:drug-list": Case.signed_in(api=True, note="reference data; writes: tests/pharmacy/test_api.py"),
    "api:drug-detail": Case.signed_in(api=True, kwargs=lambda s: {"pk": _drug(s).pk}),
    "api:stock-list": _clinic(api=True, hidden=lambda s: _batch(s).batch_no),
    "api:stock-detail": _clinic(api=True, kwargs=lambda s: {"pk": _batch(s).pk}),
    "api:purchase-order-list": _centre(api=True, hidden=lambda s: _order(s).number),
    "api:purchase-order-detail": _centre(api=True, kwargs=lambda s: {"pk": _order(s).pk}),
    "api:purchase-order-deliveries": _centre(api=True, method="POST", kwargs=lambda s: {"pk": _order(s).pk},
                                             payload=_delivery, snapshot=_received),
    "api:purchase-order-invoices": _centre(api=True, method="POST", kwargs=lambda s: {"pk": _order(s).pk},
                                           payload=lambda s: {"kind": "second", "number": "ISO-INV-1",
                                                              "issuer": "隔离医药配送公司", "amount": "50.00",
                                                              "issued_on": "2026-11-01"},
                                           snapshot=_invoice_count),
    "api:prescription-list": _clinic(api=True, hidden=lambda s: _rx(s).number),
    "api:prescription-detail": _clinic(api=True, kwargs=lambda s: {"pk": _rx(s).pk}),
    "api:prescription-dispense": _clinic_write(api=True, kwargs=lambda s: {"pk": _rx(s).pk},
                                               snapshot=_field("rx", _rx, "status")),
    "api:prescription-review": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                           method="POST", api=True, kwargs=lambda s: {"pk": _rx(s, "review").pk},
                                           payload=lambda s: {"result": "pass"},
                                           snapshot=_field("rx", lambda s: _rx(s, "review"), "review")),
    "api:prescription-cancel": _clinic_write(api=True, kwargs=lambda s: {"pk": _rx(s, "cancel").pk},
                                             payload=lambda s: {"reason": "开错"},
                                             snapshot=_field("rx", lambda s: _rx(s, "cancel"), "status")),
}
