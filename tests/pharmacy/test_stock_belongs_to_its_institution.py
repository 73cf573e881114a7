"""Every stock write checks org.access.can_act_for on the institution whose stock moves: a village doctor of
clinic B never dispenses, scraps or counts clinic A's stock, and clinic A's stock never leaves for B's patient."""
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from yigongti.pharmacy import actions
from yigongti.pharmacy.models import RxStatus, StockMove

from . import helpers as h


def test_clinic_b_cannot_move_clinic_a_stock(scenario):
    s = scenario
    d = h.drug(s)
    batch = h.stock(s, s.clinic_a, d, 10)
    rx = h.prescription(s, d, 3)
    for write in (lambda: actions.dispense_prescription(s.village_doctor_b, rx),
                  lambda: actions.remove_stock(s.village_doctor_b, batch, 1, "scrap", reason="x"),
                  lambda: actions.record_stocktake(s.village_doctor_b, s.clinic_a, {batch.pk: 0}),
                  lambda: actions.transfer_stock(s.village_doctor_b, source=s.clinic_a, target=s.clinic_b, drug=d,
                                                 quantity=1),
                  lambda: actions.receive_stock(s.village_doctor_b, institution=s.clinic_a, drug=d, batch_no="Z",
                                                expiry=batch.expiry, quantity=1),
                  lambda: actions.dispense_prescription(s.township_doctor, rx),
                  lambda: actions.dispense_prescription(s.system_admin, rx)):
        with pytest.raises(PermissionDenied):
            write()
    rx.refresh_from_db()
    assert rx.status == RxStatus.ISSUED and h.on_hand(s.clinic_a, d) == 10
    assert not StockMove.objects.exclude(kind="receipt").exists()


def test_clinic_b_dispenses_only_from_its_own_stock(scenario):
    s = scenario
    d = h.drug(s)
    h.stock(s, s.clinic_a, d, 10)
    rx = h.prescription(s, d, 3, doctor=s.village_doctor_b,
                        enc=h.encounter(s, doctor=s.village_doctor_b, institution=s.clinic_b,
                                        resident=h.patient(s, village="village_b")))
    with pytest.raises(ValidationError) as exc:
        actions.dispense_prescription(s.village_doctor_b, rx)
    assert "quantity" in exc.value.message_dict
    rx.refresh_from_db()
    assert rx.status == RxStatus.ISSUED and h.on_hand(s.clinic_a, d) == 10


def test_expired_batches_are_never_dispensed_and_scrap_and_stocktake_are_ledgered(scenario):
    s = scenario
    d = h.drug(s)
    good = h.stock(s, s.clinic_a, d, 5, days=10)
    from yigongti.pharmacy.models import StockBatch

    StockBatch.objects.filter(pk=good.pk).update(expiry=h.today().replace(year=h.today().year - 1))
    rx = h.prescription(s, d, 1)
    with pytest.raises(ValidationError):
        actions.dispense_prescription(s.village_doctor_a, rx)
    good.refresh_from_db()
    actions.remove_stock(s.village_doctor_a, good, 5, "scrap", reason="过期")
    fresh = h.stock(s, s.clinic_a, d, 20)
    report = actions.record_stocktake(s.village_doctor_a, s.clinic_a, {fresh.pk: 18}, reason="月末盘点")
    assert [(r["book"], r["counted"], r["variance"], str(r["value"])) for r in report] == [(20, 18, -2, "-1.00")]
    kinds = list(StockMove.objects.order_by("id").values_list("kind", "quantity", "balance_after"))
    assert kinds == [("receipt", 5, 5), ("scrap", -5, 0), ("receipt", 20, 20), ("stocktake", -2, 18)]
    with pytest.raises(ValidationError):
        actions.remove_stock(s.village_doctor_a, fresh, 19, "scrap", reason="x")
