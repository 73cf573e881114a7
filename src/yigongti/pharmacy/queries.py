"""Reads of 药械统一, scoped to the user: stock and prescriptions of the institutions a user acts for (the
oversight roles see every institution's stock; prescriptions carry personal data and follow the resident
scope as well)."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from yigongti.org.access import OVERSIGHT_ROLES, can_act_for, has_role, institution_ids
from yigongti.org.models import Institution, Tier
from yigongti.people.queries import visible_residents
from yigongti.rules import prescribing as rules

from . import conf
from .models import (
    Drug,
    MissingDrug,
    PlanStatus,
    Prescription,
    PurchaseOrder,
    PurchasePlan,
    Replenishment,
    StockBatch,
    StockItem,
    StockMove,
    TierCatalogEntry,
)


def is_oversight(user) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def acting_institutions(user) -> QuerySet[Institution]:
    """Institutions whose stock the user may move (members, not the three administrators)."""
    ids = [i for i in institution_ids(user) if can_act_for(user, i)]
    return Institution.objects.filter(pk__in=ids, active=True).order_by("tier", "code")


def stock_institution_ids(user) -> list[int] | None:
    """None = every institution (oversight); otherwise the user's own institutions and, for a township
    centre's staff, the village clinics it supplies."""
    if is_oversight(user):
        return None
    own = [i for i in institution_ids(user) if can_act_for(user, i)]
    villages = Institution.objects.filter(parent_id__in=own, tier=Tier.VILLAGE).values_list("pk", flat=True)
    return sorted(set(own) | set(villages))


def visible_institutions(user) -> QuerySet[Institution]:
    ids = stock_institution_ids(user)
    qs = Institution.objects.filter(active=True)
    return qs if ids is None else qs.filter(pk__in=ids)


def get_institution_for(user, pk) -> Institution:
    try:
        return visible_institutions(user).get(pk=int(pk))
    except (Institution.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def drugs(q: str = "", *, tier: str = "", active_only: bool = True) -> QuerySet[Drug]:
    """The formulary is reference data every signed-in user may read."""
    qs = Drug.objects.all()
    if active_only:
        qs = qs.filter(active=True)
    if q:
        qs = qs.filter(Q(generic_name__icontains=q) | Q(trade_name__icontains=q) | Q(code__iexact=q)
                       | Q(insurance_code__iexact=q))
    if tier:
        qs = qs.filter(tiers__tier=tier, tiers__may_stock=True)
    return qs.order_by("generic_name", "code")


def tier_catalog(drug: Drug) -> dict[str, TierCatalogEntry]:
    return {e.tier: e for e in drug.tiers.all()}


def batches(user, institution_id: int | None = None, *, include_empty: bool = False) -> QuerySet[StockBatch]:
    ids = stock_institution_ids(user)
    qs = StockBatch.objects.select_related("drug", "institution")
    if ids is not None:
        qs = qs.filter(institution_id__in=ids)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    if not include_empty:
        qs = qs.filter(quantity__gt=0)
    return qs.order_by("institution_id", "drug__generic_name", "expiry", "id")


def moves(user, institution_id: int) -> QuerySet[StockMove]:
    ids = stock_institution_ids(user)
    if ids is not None and institution_id not in ids:
        return StockMove.objects.none()
    return StockMove.objects.filter(institution_id=institution_id).select_related("drug", "batch", "counterpart")


def on_hand(institution: Institution, today: dt.date | None = None) -> dict[int, int]:
    """{drug id: unexpired quantity}."""
    today = today or timezone.localdate()
    rows = (StockBatch.objects.filter(institution=institution, expiry__gte=today).values("drug_id")
            .annotate(n=Sum("quantity")))
    return {r["drug_id"]: r["n"] or 0 for r in rows}


def low_stock(user, institution: Institution) -> list[dict]:
    """Items below their threshold (unexpired stock only)."""
    ids = stock_institution_ids(user)
    if ids is not None and institution.pk not in ids:
        raise Http404
    have = on_hand(institution)
    out = []
    for item in StockItem.objects.filter(institution=institution, min_quantity__gt=0).select_related("drug"):
        n = have.get(item.drug_id, 0)
        if n < item.min_quantity:
            out.append({"drug": item.drug, "on_hand": n, "min_quantity": item.min_quantity,
                        "short": item.min_quantity - n})
    return sorted(out, key=lambda r: r["drug"].generic_name)


def expiry_alerts(user, institution_id: int | None = None, today: dt.date | None = None) -> dict[str, list]:
    today = today or timezone.localdate()
    days = conf.get("NEAR_EXPIRY_DAYS")
    qs = batches(user, institution_id)
    near = [b for b in qs.filter(expiry__gte=today - dt.timedelta(days=1), expiry__lte=today + dt.timedelta(days=days))
            if rules.near_expiry(b.expiry, today, days)]
    return {"near": near, "expired": list(qs.filter(expiry__lt=today))}


def cabinet(institution: Institution) -> list[dict]:
    """A village clinic's cabinet (便民小药柜): the consortium's list with zero-markup prices and stock."""
    have = on_hand(institution)
    rows = StockItem.objects.filter(institution=institution, in_cabinet=True).select_related("drug")
    return [{"drug": r.drug, "price": r.price if r.price is not None else r.drug.list_price,
             "on_hand": have.get(r.drug_id, 0), "min_quantity": r.min_quantity}
            for r in sorted(rows, key=lambda r: r.drug.generic_name)]


def replenishments(user) -> QuerySet[Replenishment]:
    ids = stock_institution_ids(user)
    qs = Replenishment.objects.select_related("requester", "supplier")
    if ids is not None:
        qs = qs.filter(Q(requester_id__in=ids) | Q(supplier_id__in=ids))
    return qs.order_by("-id")


def get_replenishment_for(user, pk) -> Replenishment:
    try:
        return replenishments(user).get(pk=int(pk))
    except (Replenishment.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def prescriptions(user, *, institution_id: int | None = None, status: str = "") -> QuerySet[Prescription]:
    """Prescriptions of the user's institutions (and those its township centre reviews) whose resident the
    user may see; the oversight roles see those of residents in their scope."""
    if not getattr(user, "is_authenticated", False):
        return Prescription.objects.none()
    qs = Prescription.objects.select_related("resident", "institution", "prescriber")
    ids = stock_institution_ids(user)
    if ids is not None:
        qs = qs.filter(institution_id__in=ids)
    else:
        qs = qs.filter(resident__in=visible_residents(user).values("pk"))
    if institution_id:
        qs = qs.filter(institution_id=institution_id)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-id")


def get_prescription_for(user, pk) -> Prescription:
    from yigongti.audit.log import record_read

    try:
        rx = prescriptions(user).prefetch_related("lines__drug").get(pk=int(pk))
    except (Prescription.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
    record_read(user, subject=rx, institution_id=rx.institution_id, reason="relationship:prescription",
                detail="prescription")
    return rx


def review_queue(user) -> QuerySet[Prescription]:
    """Prescriptions waiting for review (before dispensing) or sampled and not yet reviewed."""
    return prescriptions(user).filter(review="").filter(
        Q(status="issued") | Q(status="dispensed", sampled=True)).exclude(prescriber=user)


def purchase_plans(user) -> QuerySet[PurchasePlan]:
    ids = stock_institution_ids(user)
    qs = PurchasePlan.objects.select_related("institution").prefetch_related("lines__drug")
    return qs if ids is None else qs.filter(institution_id__in=ids)


def aggregate_plans(period: str) -> list[dict]:
    """The consortium's aggregate of the submitted and approved plans of a month, per drug."""
    rows = (PurchasePlan.objects.filter(period=period, status__in=[PlanStatus.SUBMITTED, PlanStatus.APPROVED])
            .values("lines__drug_id").annotate(quantity=Sum("lines__quantity")))
    by_drug = {r["lines__drug_id"]: r["quantity"] for r in rows if r["lines__drug_id"]}
    drugs_ = Drug.objects.in_bulk(list(by_drug))
    return [{"drug": drugs_[k], "quantity": v, "value": (Decimal(v) * drugs_[k].list_price).quantize(Decimal("0.01"))}
            for k, v in sorted(by_drug.items(), key=lambda kv: drugs_[kv[0]].generic_name)]


def purchase_orders(user) -> QuerySet[PurchaseOrder]:
    ids = stock_institution_ids(user)
    qs = PurchaseOrder.objects.select_related("institution")
    return qs if ids is None else qs.filter(institution_id__in=ids)


def get_order_for(user, pk) -> PurchaseOrder:
    try:
        return purchase_orders(user).prefetch_related("lines__drug", "invoices", "deliveries").get(pk=int(pk))
    except (PurchaseOrder.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def reconcile(order: PurchaseOrder) -> list[dict]:
    """Planned (the institution's plan of the order's month) vs ordered vs received, per drug."""
    planned = dict(PurchasePlan.objects.filter(institution_id=order.institution_id, period=order.period)
                   .values_list("lines__drug_id", "lines__quantity"))
    return [{"drug": ln.drug, "planned": planned.get(ln.drug_id), "ordered": ln.quantity, "received": ln.received,
             "outstanding": ln.quantity - ln.received} for ln in order.lines.all()]


def missing_drugs(user) -> QuerySet[MissingDrug]:
    ids = stock_institution_ids(user)
    qs = MissingDrug.objects.select_related("institution", "drug", "resident")
    return qs if ids is None else qs.filter(institution_id__in=ids)


def stock_value(institution_ids_: list[int] | None = None) -> Decimal:
    qs = StockBatch.objects.all()
    if institution_ids_ is not None:
        qs = qs.filter(institution_id__in=institution_ids_)
    total = qs.aggregate(v=Sum(F("quantity") * F("unit_cost")))["v"]
    return Decimal(total or 0).quantize(Decimal("0.01"))


def current_medications(resident_id: int, on: dt.date | None = None) -> list[dict]:
    """The resident's current medication lines from dispensed prescriptions still running on ``on`` (a
    follow-up form — chronic — pre-fills its 用药情况 from these): [{drug, name, dosage, quantity, since,
    until, long_term, prescription}], latest first, one line per drug."""
    on = on or timezone.localdate()
    from .models import PrescriptionLine, RxStatus

    lines = (PrescriptionLine.objects.filter(prescription__resident_id=resident_id,
                                             prescription__status=RxStatus.DISPENSED,
                                             prescription__issued_on__lte=on,
                                             prescription__issued_on__gte=on - dt.timedelta(days=rules.LONG_MAX_DAYS))
             .select_related("drug", "prescription").order_by("-prescription__issued_on", "-id"))
    out, seen = [], set()
    for ln in lines:
        rx = ln.prescription
        until = rx.issued_on + dt.timedelta(days=rx.days - 1)
        if until < on or ln.drug_id in seen:
            continue
        seen.add(ln.drug_id)
        out.append({"drug": ln.drug, "name": str(ln.drug), "dosage": ln.dosage, "quantity": ln.quantity,
                    "since": rx.issued_on, "until": until, "long_term": rx.long_term, "prescription": rx.number})
    return out


def drug_cost_source(institution):
    """The institution's switch to drug cost from dispensing (None: typed or from its HIS)."""
    from .models import DispensingCostSource

    return DispensingCostSource.objects.filter(institution=institution).first()
