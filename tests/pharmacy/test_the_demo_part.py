"""The pharmacy part of the demo county (tiny, through the real actions): the catalog with its tiers, a
received platform order with two invoices, village cabinets stocked by batch, clinic A low with an open
request, long prescriptions dispensed, a missing drug and a scrap — every pharmacy figure has something to count."""
from django.db import transaction

from yigongti.demo.registry import DemoContext, generate
from yigongti.pharmacy.models import (
    Drug,
    Invoice,
    MissingDrug,
    Prescription,
    Replenishment,
    RxStatus,
    StockItem,
    StockMove,
)


def test_the_demo_part(db):
    with transaction.atomic():
        lines = []
        generate(DemoContext(scale="tiny", seed=1, log=lines.append))
        assert Drug.objects.count() == 28
        assert Invoice.objects.count() == 2
        assert StockItem.objects.filter(in_cabinet=True).values("institution").distinct().count() == 2
        assert Replenishment.objects.filter(status="requested").count() == 1
        assert Prescription.objects.filter(status=RxStatus.DISPENSED, long_term=True).count() == 3
        assert MissingDrug.objects.count() == 1
        assert set(StockMove.objects.values_list("kind", flat=True)) >= {
            "receipt", "transfer_out", "transfer_in", "dispense", "scrap", "stocktake"}
        assert any("pharmacy:" in line for line in lines)
        transaction.set_rollback(True)
