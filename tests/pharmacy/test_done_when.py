"""Issue 14 "Done when": a village cabinet runs low, the township central pharmacy replenishes it by batch, a
chronic patient gets a 12-week prescription dispensed across two batches (a 13-week one is refused), and the
drug cost shows once in 药占比."""
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from yigongti.kpi import catalog
from yigongti.kpi.queries import Reader
from yigongti.people.models import Encounter
from yigongti.pharmacy import actions, queries
from yigongti.pharmacy.models import MoveKind, RxStatus, StockBatch, StockMove
from yigongti.rules.indicators import Cut, parse_period

from . import helpers as h


def test_the_cabinet_is_replenished_and_a_twelve_week_prescription_is_dispensed_across_batches(scenario):
    s = scenario
    amlo = h.drug(s, price="0.80")
    actions.set_stock_item(s.consortium_office, s.clinic_a, amlo, in_cabinet=True, price=Decimal("0.80"))
    actions.set_stock_item(s.village_doctor_a, s.clinic_a, amlo, min_quantity=20)
    h.stock(s, s.clinic_a, amlo, 5, batch_no="V-OLD", days=60)
    # the cabinet runs low
    low = queries.low_stock(s.village_doctor_a, s.clinic_a)
    assert [(row["drug"].code, row["on_hand"], row["min_quantity"]) for row in low] == [("Y001", 5, 20)]

    # the township central pharmacy holds two batches; the earlier expiry goes first
    h.stock(s, s.centre_1, amlo, 4, batch_no="T-EARLY", days=120)
    h.stock(s, s.centre_1, amlo, 100, batch_no="T-LATE", days=700)
    req = actions.request_replenishment(s.village_doctor_a, requester=s.clinic_a, lines=[(amlo, 10)])
    assert req.supplier == s.centre_1
    actions.fulfil_replenishment(s.township_doctor, req)
    village = dict(StockBatch.objects.filter(institution=s.clinic_a, drug=amlo).values_list("batch_no", "quantity"))
    assert village == {"V-OLD": 5, "T-EARLY": 4, "T-LATE": 6}
    assert h.on_hand(s.centre_1, amlo) == 94
    assert queries.low_stock(s.village_doctor_a, s.clinic_a)[0]["on_hand"] == 15

    # a chronic patient: 13 weeks refused with a field error, 12 weeks allowed
    patient = h.patient(s, name="慢病甲")
    enc = h.encounter(s, resident=patient, total="10.00", drug_cost="0.00")
    with pytest.raises(ValidationError) as exc:
        actions.issue_prescription(s.village_doctor_a, encounter=enc, long_term=True, days=91,
                                   lines=[{"drug": amlo, "quantity": 12}])
    assert "days" in exc.value.message_dict and "12周" in exc.value.message_dict["days"][0]
    rx = actions.issue_prescription(s.village_doctor_a, encounter=enc, long_term=True, days=84,
                                    lines=[{"drug": amlo, "quantity": 12, "dosage": "每次1片 每日1次"}])
    assert rx.amount == Decimal("9.60")
    actions.dispense_prescription(s.village_doctor_a, rx)

    rx.refresh_from_db()
    assert rx.status == RxStatus.DISPENSED
    taken = list(StockMove.objects.filter(reference=rx.number, kind=MoveKind.DISPENSE)
                 .order_by("id").values_list("batch__batch_no", "quantity"))
    assert taken == [("V-OLD", -5), ("T-EARLY", -4), ("T-LATE", -3)]
    assert h.on_hand(s.clinic_a, amlo) == 3

    # the drug cost is on the encounter once, and 药占比 follows
    enc = Encounter.objects.get(pk=enc.pk)
    assert (enc.drug_cost, enc.total_cost) == (Decimal("9.60"), Decimal("19.60"))
    # a second dispense of the same prescription is refused
    with pytest.raises(ValidationError):
        actions.dispense_prescription(s.village_doctor_a, rx)
    enc.refresh_from_db()
    assert enc.drug_cost == Decimal("9.60")
    today = h.today()
    reading = Reader().reading(catalog.get("effect.drug_share"), parse_period(f"{today:%Y-%m}"),
                               Cut("institution", str(s.clinic_a.pk)))
    assert (reading.figure.numerator, reading.figure.denominator) == (Decimal("9.60"), Decimal("19.60"))
