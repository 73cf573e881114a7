"""Every change in 药械统一: one function per state change, each checking that the actor may act for the
institution whose stock or records change (org.access.can_act_for), in a transaction, with an audit entry.

    drug = save_drug(office, code="Y001", generic_name="苯磺酸氨氯地平片", strength="5mg", ...)
    set_tier(office, drug, "village", may_stock=True, may_prescribe=True)
    set_stock_item(office, clinic, drug, min_quantity=20, in_cabinet=True, price=Decimal("3.20"))
    batch = receive_stock(user, institution=centre, drug=drug, batch_no="B1", expiry=d, quantity=100, unit_cost=…)
    req = request_replenishment(village_doctor, requester=clinic, lines=[(drug, 30)])
    fulfil_replenishment(township_user, req)                 # FEFO from the centre into the clinic, by batch
    rx = issue_prescription(doctor, encounter=enc, long_term=True, days=84,
                            lines=[{"drug": drug, "quantity": 12, "dosage": "每日1片"}])
    review_prescription(reviewer, rx, "pass")     dispense_prescription(user, rx)
    plan = save_plan(...); submit_plan(...); approve_plan(office, plan)
    order = record_order(...); receive_delivery(...); record_invoice(...)
    m = register_missing_drug(village_doctor, institution=clinic, resident=r, drug_text="…")

Stock batches are contested: taken in a fixed order (drug id, expiry, id), locked with select_for_update on
PostgreSQL and claimed with ``UPDATE … SET quantity = quantity - n WHERE id = … AND quantity >= n`` whose
row count is checked, so neither database ever goes below zero; the CHECK constraint backs both.
"""
from __future__ import annotations

import datetime as dt
import logging
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, has_role, roles_by_institution
from yigongti.org.models import ClinicalSystem, Institution, Role, Tier
from yigongti.people import actions as people_actions
from yigongti.rules import prescribing as rules
from yigongti.tasks.actions import create_task

from . import conf
from .models import (
    Delivery,
    DeliveryLine,
    DispensingCostSource,
    Drug,
    Invoice,
    MissingDrug,
    MissingStatus,
    MoveKind,
    OrderStatus,
    PlanStatus,
    Prescription,
    PrescriptionLine,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchasePlan,
    PurchasePlanLine,
    Replenishment,
    ReplenishmentLine,
    RequestStatus,
    ReviewResult,
    RxStatus,
    StockBatch,
    StockItem,
    StockMove,
    TierCatalogEntry,
)

log = logging.getLogger("yigongti.notifications")

CENT = Decimal("0.01")
PRESCRIBER_ROLES = frozenset({Role.VILLAGE_DOCTOR, Role.TOWNSHIP_DOCTOR, Role.COUNTY_SPECIALIST,
                              Role.DEPARTMENT_HEAD, Role.TEAM_LEADER, Role.MENTAL_HEALTH})
# No pharmacist role exists yet in org.Role: reviewers are the township/county clinicians and admins of the
# prescribing institution or of the township centre that supplies it (the report asks for Role.PHARMACIST).
REVIEWER_ROLES = frozenset({Role.TOWNSHIP_DOCTOR, Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD,
                            Role.INSTITUTION_ADMIN})
FORMULARY_ROLES = frozenset({Role.CONSORTIUM_OFFICE})

DRUG_FIELDS = ("code", "kind", "generic_name", "trade_name", "dosage_form", "strength", "pack", "unit",
               "manufacturer", "approval_number", "insurance_code", "insurance_category", "essential",
               "centrally_procured", "antibiotic_level", "controlled_class", "list_price", "reference_price",
               "active")


# --- helpers ------------------------------------------------------------------------------------------------


def _check_acting(actor, institution: Institution | None) -> None:
    if actor is None:
        return
    if institution is None or not can_act_for(actor, institution.pk):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))


def _check_office(actor) -> None:
    if actor is not None and not has_role(actor, *FORMULARY_ROLES):
        raise PermissionDenied(_("只有医共体办公室可以维护统一目录和村卫生室药柜。"))


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def money(value, name: str, errors: dict, places: str = "0.0001") -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal(places), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        errors.setdefault(name, []).append(ValidationError(_("请输入金额（元）。"), code="invalid"))
        return None
    if amount < 0:
        errors.setdefault(name, []).append(ValidationError(_("金额不能为负数。"), code="negative"))
    elif amount >= Decimal("100000000"):
        errors.setdefault(name, []).append(ValidationError(_("金额过大。"), code="too_large"))
    return amount


def _positive(value, name: str, errors: dict) -> int:
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if n < 1:
        errors.setdefault(name, []).append(ValidationError(_("数量须为正整数。"), code="positive"))
    elif n > 10_000_000:
        errors.setdefault(name, []).append(ValidationError(_("数量过大。"), code="too_large"))
    return n


def _number(prefix: str) -> str:
    return f"{prefix}{timezone.localdate():%Y%m%d}{uuid.uuid4().hex[:6].upper()}"


def _drug_snapshot(d: Drug) -> dict:
    return {name: str(getattr(d, name)) if isinstance(getattr(d, name), Decimal) else getattr(d, name)
            for name in DRUG_FIELDS}


def unit_price(institution: Institution, drug: Drug) -> Decimal:
    """Zero markup (零差率): the platform's listed price, or the cabinet price the consortium set."""
    price = StockItem.objects.filter(institution=institution, drug=drug).values_list("price", flat=True).first()
    return Decimal(price if price is not None else drug.list_price)


def line_amount(quantity: int, price: Decimal) -> Decimal:
    return (Decimal(quantity) * price).quantize(CENT, rounding=ROUND_HALF_UP)


# --- formulary and tier catalog -------------------------------------------------------------------------------


def _validate_drug(data: dict, existing: Drug | None) -> None:
    from .models import AntibioticLevel, ControlledClass, DrugCategory, ItemKind

    errors: dict = {}
    for name in ("code", "generic_name"):
        if not str(data.get(name) or "").strip():
            errors[name] = [ValidationError(_("此项必填。"), code="required")]
        else:
            data[name] = str(data[name]).strip()
    if "code" not in errors:
        clash = Drug.objects.filter(code=data["code"])
        if existing is not None:
            clash = clash.exclude(pk=existing.pk)
        if clash.exists():
            errors["code"] = [ValidationError(_("目录编码已存在。"), code="duplicate")]
    choices = {"kind": ItemKind, "insurance_category": DrugCategory, "antibiotic_level": AntibioticLevel,
               "controlled_class": ControlledClass}
    for name, enum in choices.items():
        if data.get(name) not in (None, "") and data[name] not in enum.values:
            errors[name] = [ValidationError(_("请选择有效的选项。"), code="invalid_choice")]
    for name in ("list_price", "reference_price"):
        value = money(data.get(name), name, errors)
        data[name] = value if value is not None or name == "reference_price" else Decimal("0")
    _raise(errors)


def save_drug(actor, drug: Drug | None = None, expected_version: int | None = None, **fields) -> Drug:
    """Create (``drug`` None) or change one catalog item. Consortium office only; a stale version → 409."""
    _check_office(actor)
    unknown = set(fields) - set(DRUG_FIELDS)
    if unknown:
        raise TypeError(f"drug: unknown fields {sorted(unknown)}")
    data = {**(_drug_snapshot(drug) if drug else {}), **fields}
    if drug is not None:
        data.setdefault("list_price", drug.list_price)
    _validate_drug(data, drug)
    with transaction.atomic():
        if drug is None:
            d = Drug(**{k: v for k, v in data.items() if v is not None or k == "reference_price"})
            d.save()
            record_change(actor, action="create", subject=d, before=None, after=_drug_snapshot(d))
            return d
        current = Drug.objects.select_for_update().get(pk=drug.pk)
        if expected_version is not None and current.version != expected_version:
            from yigongti.people.actions import StaleVersion

            raise StaleVersion()
        before = _drug_snapshot(current)
        for k, v in data.items():
            setattr(current, k, v)
        current.version += 1
        current.save()
        record_change(actor, action="update", subject=current, before=before, after=_drug_snapshot(current))
        return current


def set_tier(actor, drug: Drug, tier: str, *, may_stock: bool = True, may_prescribe: bool = True) -> TierCatalogEntry:
    """Put a drug on (or take it off, both flags False) a tier's catalog."""
    _check_office(actor)
    if tier not in Tier.values:
        raise ValidationError({"tier": [_("请选择层级。")]})
    with transaction.atomic():
        entry, created = TierCatalogEntry.objects.update_or_create(
            drug=drug, tier=tier, defaults={"may_stock": may_stock, "may_prescribe": may_prescribe})
        record_change(actor, action="create" if created else "update", subject=entry, before=None,
                      after={"drug": drug.code, "tier": tier, "may_stock": may_stock, "may_prescribe": may_prescribe})
        return entry


def set_stock_item(actor, institution: Institution, drug: Drug, *, min_quantity: int | None = None,
                   in_cabinet: bool | None = None, price=None) -> StockItem:
    """An institution sets its own low-stock threshold; the cabinet list and price of a village clinic are
    the consortium's (seed 004: 各村设置便民小药柜，配置20种零差率药品)."""
    if in_cabinet is not None or price is not None:
        _check_office(actor)
    else:
        _check_acting(actor, institution)
    errors: dict = {}
    amount = money(price, "price", errors)
    if min_quantity is not None and (not isinstance(min_quantity, int) or min_quantity < 0):
        errors["min_quantity"] = [ValidationError(_("库存下限须为非负整数。"))]
    if in_cabinet and institution.tier != Tier.VILLAGE:
        errors["in_cabinet"] = [ValidationError(_("便民药柜只设在村卫生室。"))]
    if in_cabinet and not TierCatalogEntry.objects.filter(drug=drug, tier=Tier.VILLAGE, may_stock=True).exists():
        errors["drug"] = [ValidationError(_("该药品不在村级用药目录中。"))]
    _raise(errors)
    with transaction.atomic():
        item, created = StockItem.objects.get_or_create(institution=institution, drug=drug)
        before = {"min_quantity": item.min_quantity, "in_cabinet": item.in_cabinet,
                  "price": str(item.price) if item.price is not None else None}
        if min_quantity is not None:
            item.min_quantity = min_quantity
        if in_cabinet is not None:
            item.in_cabinet = in_cabinet
        if amount is not None:
            item.price = amount
        item.save()
        record_change(actor, action="create" if created else "update", subject=item, before=before,
                      after={"min_quantity": item.min_quantity, "in_cabinet": item.in_cabinet,
                             "price": str(item.price) if item.price is not None else None},
                      institution_id=institution.pk)
        return item


def tier_allows(drug: Drug, tier: str, *, prescribe: bool) -> bool:
    flag = "may_prescribe" if prescribe else "may_stock"
    return TierCatalogEntry.objects.filter(drug=drug, tier=tier, **{flag: True}).exists()


# --- the ledger ---------------------------------------------------------------------------------------------


def _batch(institution: Institution, drug: Drug, batch_no: str, expiry: dt.date, unit_cost: Decimal) -> StockBatch:
    """The batch row at this institution (created at zero when new). A batch number names one expiry."""
    batch = StockBatch.objects.filter(institution=institution, drug=drug, batch_no=batch_no).first()
    if batch is None:
        try:
            with transaction.atomic():
                batch = StockBatch.objects.create(institution=institution, drug=drug, batch_no=batch_no,
                                                  expiry=expiry, unit_cost=unit_cost, quantity=0)
        except IntegrityError:
            batch = StockBatch.objects.get(institution=institution, drug=drug, batch_no=batch_no)
    if batch.expiry != expiry:
        raise ValidationError({"expiry": [_("批号 %(no)s 已登记的有效期为 %(date)s，与本次不符。")
                                          % {"no": batch_no, "date": batch.expiry.isoformat()}]})
    return batch


def _ledger(actor, batch: StockBatch, kind: str, quantity: int, balance: int, *, counterpart=None,
            reference: str = "", reason: str = "", on: dt.date | None = None) -> StockMove:
    return StockMove.objects.create(
        institution_id=batch.institution_id, batch=batch, drug_id=batch.drug_id, kind=kind, quantity=quantity,
        balance_after=balance, unit_cost=batch.unit_cost, counterpart=counterpart, reference=reference,
        reason=reason, actor=actor if getattr(actor, "is_authenticated", False) else None,
        occurred_on=on or timezone.localdate())


def _add(actor, batch: StockBatch, quantity: int, kind: str, **kw) -> StockMove:
    StockBatch.objects.filter(pk=batch.pk).update(quantity=F("quantity") + quantity)
    balance = StockBatch.objects.filter(pk=batch.pk).values_list("quantity", flat=True).get()
    return _ledger(actor, batch, kind, quantity, balance, **kw)


class OutOfStock(ValidationError):
    pass


def _claim(actor, batch: StockBatch, quantity: int, kind: str, **kw) -> StockMove:
    """Take ``quantity`` from one batch with a conditional UPDATE whose row count is checked."""
    taken = StockBatch.objects.filter(pk=batch.pk, quantity__gte=quantity).update(quantity=F("quantity") - quantity)
    if taken != 1:
        raise OutOfStock({"quantity": [_("批号 %(no)s 库存不足。") % {"no": batch.batch_no}]})
    balance = StockBatch.objects.filter(pk=batch.pk).values_list("quantity", flat=True).get()
    return _ledger(actor, batch, kind, -quantity, balance, **kw)


def _locked_lots(institution: Institution, drug: Drug, today: dt.date) -> list[StockBatch]:
    """Unexpired, non-empty batches in (expiry, id) order, row-locked on PostgreSQL (SQLite's IMMEDIATE
    transaction already holds the write lock)."""
    qs = StockBatch.objects.filter(institution=institution, drug=drug, quantity__gt=0, expiry__gte=today).order_by(
        "expiry", "id")
    if connection.vendor == "postgresql":
        qs = qs.select_for_update()
    return list(qs)


def _take_fefo(actor, institution: Institution, drug: Drug, quantity: int, kind: str,
               **kw) -> list[tuple[StockBatch, int]]:
    today = timezone.localdate()
    lots = _locked_lots(institution, drug, today)
    try:
        plan = rules.allocate_fefo([rules.Lot(b.pk, b.expiry, b.quantity) for b in lots], quantity, today)
    except rules.Shortage as short:
        raise OutOfStock({"quantity": [_("%(drug)s 可用库存 %(have)s，不足 %(want)s。")
                                       % {"drug": drug, "have": short.available, "want": quantity}]}) from None
    by_id = {b.pk: b for b in lots}
    out = []
    for batch_id, n in plan:
        _claim(actor, by_id[batch_id], n, kind, **kw)
        out.append((by_id[batch_id], n))
    return out


def receive_stock(actor, *, institution: Institution, drug: Drug, batch_no: str, expiry: dt.date, quantity: int,
                  unit_cost=None, reference: str = "", kind: str = MoveKind.RECEIPT, reason: str = "") -> StockBatch:
    """Stock coming in (purchase receipt, or a return/adjustment upwards) on one batch."""
    _check_acting(actor, institution)
    errors: dict = {}
    n = _positive(quantity, "quantity", errors)
    cost = money(unit_cost, "unit_cost", errors)
    batch_no = str(batch_no or "").strip()
    if not batch_no:
        errors["batch_no"] = [ValidationError(_("请填写批号。"), code="required")]
    if not isinstance(expiry, dt.date):
        errors["expiry"] = [ValidationError(_("请填写有效期。"), code="required")]
    elif kind == MoveKind.RECEIPT and expiry < timezone.localdate():
        errors["expiry"] = [ValidationError(_("已过期的药品不能入库。"), code="expired")]
    if kind == MoveKind.RECEIPT and not tier_allows(drug, institution.tier, prescribe=False):
        errors["drug"] = [ValidationError(_("该药品不在本级用药目录中，不能配备。"), code="tier")]
    _raise(errors)
    with transaction.atomic():
        batch = _batch(institution, drug, batch_no, expiry, cost if cost is not None else drug.list_price)
        move = _add(actor, batch, n, kind, reference=reference, reason=reason)
        record_change(actor, action="create", subject=move, before=None,
                      after={"kind": kind, "batch": batch_no, "quantity": n}, institution_id=institution.pk)
        batch.refresh_from_db()
        return batch


def remove_stock(actor, batch: StockBatch, quantity: int, kind: str, reason: str = "") -> StockMove:
    """Scrap (报损, e.g. expired or damaged) or a downward adjustment of one batch."""
    if kind not in (MoveKind.SCRAP, MoveKind.ADJUSTMENT):
        raise ValueError(kind)
    _check_acting(actor, batch.institution)
    errors: dict = {}
    n = _positive(quantity, "quantity", errors)
    if not reason.strip():
        errors["reason"] = [ValidationError(_("请填写原因。"), code="required")]
    _raise(errors)
    with transaction.atomic():
        move = _claim(actor, batch, n, kind, reason=reason)
        record_change(actor, action="create", subject=move, before=None,
                      after={"kind": kind, "batch": batch.batch_no, "quantity": -n, "reason": reason},
                      institution_id=batch.institution_id)
        return move


def record_stocktake(actor, institution: Institution, counts: dict[int, int], reason: str = "") -> list[dict]:
    """盘点: the counted quantity of each batch; the difference is booked as a stocktake move. Returns the
    variance report [{batch, book, counted, variance, value}]."""
    _check_acting(actor, institution)
    errors: dict = {}
    for batch_id, counted in counts.items():
        if not isinstance(counted, int) or counted < 0:
            errors[f"count_{batch_id}"] = [ValidationError(_("盘点数量须为非负整数。"))]
    _raise(errors)
    report = []
    with transaction.atomic():
        qs = StockBatch.objects.filter(institution=institution, pk__in=list(counts)).order_by("expiry", "id")
        if connection.vendor == "postgresql":
            qs = qs.select_for_update()
        batches = list(qs)
        if len(batches) != len(counts):
            raise ValidationError({"counts": [_("有批次不属于该机构。")]})
        reference = _number("PD")
        for b in batches:
            variance = counts[b.pk] - b.quantity
            if variance > 0:
                _add(actor, b, variance, MoveKind.STOCKTAKE, reference=reference, reason=reason)
            elif variance < 0:
                _claim(actor, b, -variance, MoveKind.STOCKTAKE, reference=reference, reason=reason)
            report.append({"batch": b, "book": b.quantity, "counted": counts[b.pk], "variance": variance,
                           "value": (Decimal(variance) * b.unit_cost).quantize(CENT)})
        record_change(actor, action="create", subject=institution, before=None,
                      after={"stocktake": reference, "batches": len(batches),
                             "variances": sum(1 for r in report if r["variance"])}, institution_id=institution.pk)
    return report


def transfer_stock(actor, *, source: Institution, target: Institution, drug: Drug, quantity: int,
                   reference: str = "") -> list[tuple[StockBatch, int]]:
    """Move stock between two member institutions, batch by batch (FEFO at the source); the receiving batch
    keeps its number, expiry and cost. The actor acts for the source (who gives)."""
    _check_acting(actor, source)
    errors: dict = {}
    n = _positive(quantity, "quantity", errors)
    if source.pk == target.pk:
        errors["target"] = [ValidationError(_("调入机构不能与调出机构相同。"))]
    if not tier_allows(drug, target.tier, prescribe=False):
        errors["drug"] = [ValidationError(_("该药品不在调入机构层级的用药目录中。"))]
    _raise(errors)
    with transaction.atomic():
        reference = reference or _number("DB")
        taken = _take_fefo(actor, source, drug, n, MoveKind.TRANSFER_OUT, counterpart=target, reference=reference)
        received = []
        for batch, k in taken:
            into = _batch(target, drug, batch.batch_no, batch.expiry, batch.unit_cost)
            _add(actor, into, k, MoveKind.TRANSFER_IN, counterpart=source, reference=reference)
            received.append((into, k))
        record_change(actor, action="create", subject=source, before=None,
                      after={"transfer": reference, "to": target.code, "drug": drug.code, "quantity": n},
                      institution_id=source.pk)
        return received


# --- village replenishment ------------------------------------------------------------------------------------


def supplier_of(clinic: Institution) -> Institution | None:
    """The township central pharmacy (中心药库) that supplies a village clinic: its parent institution."""
    return clinic.parent if clinic.tier == Tier.VILLAGE else None


def request_replenishment(actor, *, requester: Institution, lines, note: str = "") -> Replenishment:
    """A village clinic asks its township central pharmacy for ``lines`` [(drug, quantity)]."""
    _check_acting(actor, requester)
    errors: dict = {}
    supplier = supplier_of(requester)
    if supplier is None:
        errors["requester"] = [ValidationError(_("只有村卫生室向乡镇中心药库请领。"))]
    clean = []
    seen = set()
    for i, (drug, quantity) in enumerate(lines or []):
        n = _positive(quantity, f"lines.{i}.quantity", errors)
        if drug.pk in seen:
            errors[f"lines.{i}.drug"] = [ValidationError(_("同一药品只能出现一次。"))]
        seen.add(drug.pk)
        if not tier_allows(drug, Tier.VILLAGE, prescribe=False):
            errors[f"lines.{i}.drug"] = [ValidationError(_("%(drug)s 不在村级用药目录中。") % {"drug": drug})]
        clean.append((drug, n))
    if not clean:
        errors["lines"] = [ValidationError(_("请至少填写一种药品。"), code="required")]
    _raise(errors)
    with transaction.atomic():
        req = Replenishment.objects.create(number=_number("QL"), requester=requester, supplier=supplier, note=note,
                                           requested_by=actor if getattr(actor, "is_authenticated", False) else None)
        ReplenishmentLine.objects.bulk_create([ReplenishmentLine(request=req, drug=d, quantity=n) for d, n in clean])
        record_change(actor, action="create", subject=req, before=None,
                      after={"number": req.number, "lines": [(d.code, n) for d, n in clean]},
                      institution_id=requester.pk)
        create_task(title=str(_("请领单 %(no)s：%(clinic)s") % {"no": req.number, "clinic": requester.name}),
                    kind="pharmacy_replenishment", role=Role.TOWNSHIP_DOCTOR, institution=supplier, source=req,
                    source_url=f"/pharmacy/replenishments/{req.pk}/",
                    created_by=actor if getattr(actor, "is_authenticated", False) else None)
        return req


def fulfil_replenishment(actor, request: Replenishment, supplied: dict[int, int] | None = None) -> Replenishment:
    """The township central pharmacy sends each line (all of it, or ``supplied[line_id]``) from its batches,
    first-expiry-first-out, into the clinic's stock under the same batch numbers. All or nothing."""
    req = Replenishment.objects.select_related("requester", "supplier").get(pk=request.pk)
    _check_acting(actor, req.supplier)
    if req.status != RequestStatus.REQUESTED:
        raise ValidationError({"status": [_("该请领单已处理。")]})
    with transaction.atomic():
        claimed = Replenishment.objects.filter(pk=req.pk, status=RequestStatus.REQUESTED).update(
            status=RequestStatus.FULFILLED, fulfilled_at=timezone.now(),
            fulfilled_by=actor if getattr(actor, "is_authenticated", False) else None)
        if claimed != 1:
            raise ValidationError({"status": [_("该请领单已处理。")]})
        lines = sorted(req.lines.select_related("drug"), key=lambda ln: ln.drug_id)
        sent = {}
        for line in lines:
            n = line.quantity if supplied is None else int(supplied.get(line.pk, 0))
            if n < 0 or n > line.quantity:
                raise ValidationError({f"supplied_{line.pk}": [_("配送数量须在 0 到申请数量之间。")]})
            if n == 0:
                continue
            list(_transfer_lines(actor, req, line.drug, n))
            ReplenishmentLine.objects.filter(pk=line.pk).update(supplied=n)
            sent[line.drug.code] = n
        record_change(actor, action="update", subject=req, before={"status": RequestStatus.REQUESTED},
                      after={"status": RequestStatus.FULFILLED, "supplied": sent}, institution_id=req.supplier_id)
        _close_missing(actor, req.requester, [ln.drug_id for ln in lines], via=req.number)
        req.refresh_from_db()
        return req


def _transfer_lines(actor, req: Replenishment, drug: Drug, n: int):
    taken = _take_fefo(actor, req.supplier, drug, n, MoveKind.TRANSFER_OUT, counterpart=req.requester,
                       reference=req.number)
    for batch, k in taken:
        into = _batch(req.requester, drug, batch.batch_no, batch.expiry, batch.unit_cost)
        _add(actor, into, k, MoveKind.TRANSFER_IN, counterpart=req.supplier, reference=req.number)
        yield into, k


def cancel_replenishment(actor, request: Replenishment) -> Replenishment:
    _check_acting(actor, request.requester)
    with transaction.atomic():
        if Replenishment.objects.filter(pk=request.pk, status=RequestStatus.REQUESTED).update(
                status=RequestStatus.CANCELLED) != 1:
            raise ValidationError({"status": [_("该请领单已处理。")]})
        record_change(actor, action="update", subject=request, before={"status": RequestStatus.REQUESTED},
                      after={"status": RequestStatus.CANCELLED}, institution_id=request.requester_id)
    request.refresh_from_db()
    return request


# --- prescribing and dispensing -----------------------------------------------------------------------------

RULE_MESSAGES = {
    "inactive": _("%(drug)s 已停用。"),
    "not_in_tier_catalog": _("%(drug)s 不在本级用药目录中。"),
    "antibiotic_level": _("%(drug)s 的抗菌药物级别超出您的处方权限（乡村医生仅限非限制使用级）。"),
    "controlled_long_term": _("%(drug)s 属特殊管理药品，不得开具长期处方。"),
    "controlled_village": _("%(drug)s 为麻醉药品或第一类精神药品，基层村级不得开具。"),
}
DURATION_MESSAGES = {
    "days_required": _("请填写用药天数。"),
    "long_too_long": _("长期处方最长不超过12周（%(max)s天）。"),
    "ordinary_too_long": _("普通处方最长 %(max)s 天；病情稳定的慢性病患者请开长期处方。"),
}


def _is_village_prescriber(actor, institution: Institution) -> bool:
    if institution.tier == Tier.VILLAGE:
        return True
    held = roles_by_institution(actor).get(institution.pk, set()) if actor else set()
    return Role.VILLAGE_DOCTOR in held and Role.TOWNSHIP_DOCTOR not in held


def _line_codes(actor, institution: Institution, drug: Drug, long_term: bool) -> list[str]:
    return rules.check_line(
        tier=institution.tier, prescriber_is_village_doctor=_is_village_prescriber(actor, institution),
        prescriber_title=getattr(actor, "title", "") or "", long_term=long_term,
        drug=rules.DrugFacts(antibiotic_level=drug.antibiotic_level, controlled_class=drug.controlled_class,
                             active=drug.active),
        in_tier_catalog=tier_allows(drug, institution.tier, prescribe=True))


def issue_prescription(actor, *, encounter, long_term: bool = False, days: int, lines, diagnosis: str = "") -> Prescription:
    """A prescription on an encounter at the actor's institution, checked against the tier catalog, the
    prescriber's antibiotic level and the controlled-drug and long-prescription rules."""
    institution = encounter.institution
    _check_acting(actor, institution)
    if actor is not None and not can_act_for(actor, institution.pk, PRESCRIBER_ROLES):
        raise PermissionDenied(_("您没有处方权。"))
    if institution.clinical_system != ClinicalSystem.YIGONGTI:
        raise ValidationError(_("%(inst)s的处方来自其HIS系统，不能在本平台开具。") % {"inst": institution.name})
    errors: dict = {}
    try:
        days = int(days)
    except (TypeError, ValueError):
        days = 0
    long_max, ordinary_max = conf.get("LONG_MAX_DAYS"), conf.get("ORDINARY_MAX_DAYS")
    code = rules.check_duration(long_term=bool(long_term), days=days, ordinary_max_days=ordinary_max,
                                long_max_days=min(long_max, rules.LONG_MAX_DAYS))
    if code:
        errors["days"] = [ValidationError(DURATION_MESSAGES[code] % {
            "max": long_max if code == "long_too_long" else ordinary_max}, code=code)]
    clean = []
    seen = set()
    for i, line in enumerate(lines or []):
        drug = line.get("drug")
        if not isinstance(drug, Drug):
            errors[f"lines.{i}.drug"] = [ValidationError(_("请选择药品。"), code="required")]
            continue
        n = _positive(line.get("quantity"), f"lines.{i}.quantity", errors)
        if drug.pk in seen:
            errors[f"lines.{i}.drug"] = [ValidationError(_("同一药品只能出现一次。"), code="duplicate")]
        seen.add(drug.pk)
        for c in _line_codes(actor, institution, drug, bool(long_term)):
            errors.setdefault(f"lines.{i}.drug", []).append(ValidationError(RULE_MESSAGES[c] % {"drug": drug}, code=c))
        clean.append((drug, n, str(line.get("dosage") or "")[:100]))
    if not clean and not any(k.startswith("lines.") for k in errors):
        errors["lines"] = [ValidationError(_("请至少开一种药品。"), code="required")]
    _raise(errors)
    with transaction.atomic():
        rx = Prescription(number=_number("RX"), institution=institution, encounter=encounter,
                          resident_id=encounter.resident_id, long_term=bool(long_term), days=days,
                          diagnosis=diagnosis or encounter.primary_diagnosis, issued_on=timezone.localdate(),
                          prescriber=actor if getattr(actor, "is_authenticated", False) else None)
        rx.save()
        objs = []
        for drug, n, dosage in clean:
            price = unit_price(institution, drug)
            objs.append(PrescriptionLine(prescription=rx, drug=drug, quantity=n, dosage=dosage, unit_price=price,
                                         amount=line_amount(n, price)))
        PrescriptionLine.objects.bulk_create(objs)
        rx.amount = sum((o.amount for o in objs), Decimal("0.00"))
        every = max(1, int(conf.get("SAMPLE_EVERY")))
        rx.sampled = conf.get("REVIEW_MODE") == "sampled" and (
            Prescription.objects.filter(institution=institution).count() % every == 0)
        rx.save(update_fields=["amount", "sampled"])
        record_change(actor, action="create", subject=rx, before=None, after=_rx_snapshot(rx),
                      institution_id=institution.pk)
        if conf.get("REVIEW_MODE") == "before":
            _review_task(actor, rx)
        return rx


def _rx_snapshot(rx: Prescription) -> dict:
    return {"number": rx.number, "status": rx.status, "long_term": rx.long_term, "days": rx.days,
            "amount": str(rx.amount), "review": rx.review,
            "lines": [(ln.drug.code, ln.quantity) for ln in rx.lines.select_related("drug")]}


def _review_task(actor, rx: Prescription) -> None:
    where = rx.institution.parent if rx.institution.tier == Tier.VILLAGE and rx.institution.parent_id else rx.institution
    create_task(title=str(_("处方审核：%(no)s") % {"no": rx.number}), kind="pharmacy_review",
                role=Role.TOWNSHIP_DOCTOR, institution=where, source=rx,
                source_url=f"/pharmacy/prescriptions/{rx.pk}/",
                created_by=actor if getattr(actor, "is_authenticated", False) else None)


def may_review(user, rx: Prescription) -> bool:
    if rx.prescriber_id == getattr(user, "pk", None):
        return False
    ids = [rx.institution_id]
    if rx.institution.tier == Tier.VILLAGE and rx.institution.parent_id:
        ids.append(rx.institution.parent_id)
    return any(can_act_for(user, i, REVIEWER_ROLES) for i in ids)


def review_prescription(actor, rx: Prescription, result: str, note: str = "") -> Prescription:
    """Pharmacist review: before dispensing ("before" mode: pass → approved, fail → rejected) or afterwards
    on a dispensed prescription (sampled; the result is recorded, the status stays)."""
    rx = Prescription.objects.select_related("institution").get(pk=rx.pk)
    if actor is not None and not may_review(actor, rx):
        raise PermissionDenied(_("您不能审核该处方。"))
    if result not in (ReviewResult.PASS, ReviewResult.FAIL):
        raise ValidationError({"result": [_("请选择审核结果。")]})
    if result == ReviewResult.FAIL and not note.strip():
        raise ValidationError({"note": [_("审核不通过时请填写意见。")]})
    if rx.review:
        raise ValidationError({"result": [_("该处方已审核。")]})
    if rx.status not in (RxStatus.ISSUED, RxStatus.DISPENSED):
        raise ValidationError({"result": [_("该处方当前状态不能审核。")]})
    with transaction.atomic():
        before = _rx_snapshot(rx)
        status = rx.status
        if status == RxStatus.ISSUED:
            status = RxStatus.APPROVED if result == ReviewResult.PASS else RxStatus.REJECTED
        changed = Prescription.objects.filter(pk=rx.pk, review="", version=rx.version).update(
            review=result, review_note=note[:200], reviewed_at=timezone.now(), status=status,
            reviewed_by=actor if getattr(actor, "is_authenticated", False) else None, version=F("version") + 1)
        if changed != 1:
            raise ValidationError({"result": [_("该处方已审核。")]})
        rx.refresh_from_db()
        record_change(actor, action="update", subject=rx, before=before, after=_rx_snapshot(rx),
                      institution_id=rx.institution_id)
        return rx


def dispense_prescription(actor, rx: Prescription) -> Prescription:
    """Give out every line first-expiry-first-out across batches; all or nothing. For an institution whose
    clinical system is yigongti the encounter's drug cost becomes the sum of its dispensed prescriptions
    (the one source of that figure: never typed and dispensed twice)."""
    rx = Prescription.objects.select_related("institution", "encounter").get(pk=rx.pk)
    _check_acting(actor, rx.institution)
    allowed = {RxStatus.APPROVED} if conf.get("REVIEW_MODE") == "before" else {RxStatus.ISSUED, RxStatus.APPROVED}
    if rx.status not in allowed:
        msg = (_("该处方须经药师审核通过后才能发药。") if rx.status == RxStatus.ISSUED
               else _("该处方当前状态不能发药。"))
        raise ValidationError({"status": [msg]})
    with transaction.atomic():
        claimed = Prescription.objects.filter(pk=rx.pk, status=rx.status, version=rx.version).update(
            status=RxStatus.DISPENSED, dispensed_at=timezone.now(), version=F("version") + 1,
            dispensed_by=actor if getattr(actor, "is_authenticated", False) else None)
        if claimed != 1:
            raise ValidationError({"status": [_("该处方已被他人处理，请刷新。")]})
        # One fixed order for every lock: drug id, then (expiry, id) within the drug.
        for line in sorted(rx.lines.select_related("drug"), key=lambda ln: ln.drug_id):
            _take_fefo(actor, rx.institution, line.drug, line.quantity, MoveKind.DISPENSE, reference=rx.number)
        rx.refresh_from_db()
        record_change(actor, action="update", subject=rx, before={"status": RxStatus.ISSUED},
                      after=_rx_snapshot(rx), institution_id=rx.institution_id)
        if rx.sampled and not rx.review:
            _review_task(actor, rx)
        _sync_drug_cost(actor, rx.encounter)
        return rx


def _sync_drug_cost(actor, encounter) -> None:
    """The encounter's drug cost := its dispensed prescriptions, through the people action that owns the
    field (never typed and dispensed twice: design "Who owns which data"). HIS-ingested encounters keep
    their HIS cost, whatever the institution's setting is now."""
    from yigongti.people.models import EncounterSource

    if encounter.source != EncounterSource.YIGONGTI:
        return
    dispensed = (Prescription.objects.filter(encounter_id=encounter.pk, status=RxStatus.DISPENSED)
                 .aggregate(s=Sum("amount"))["s"] or Decimal("0.00"))
    people_actions.set_encounter_drug_cost(actor, encounter, dispensed, reason=str(_("发药计入药品费")))


# --- drug cost source ----------------------------------------------------------------------------------------


def dispensing_owns_drug_cost(institution_id: int, visit_date) -> bool:
    """Registered with people (people.actions.register_drug_cost_owner): from the switch date on, a
    platform institution's encounters take their drug cost only from dispensing."""
    if visit_date is None:
        return False
    return DispensingCostSource.objects.filter(
        institution_id=institution_id, since__lte=visit_date,
        institution__clinical_system=ClinicalSystem.YIGONGTI).exists()


def switch_drug_cost_to_dispensing(actor, institution: Institution, since: dt.date) -> DispensingCostSource:
    """The consortium office switches an institution's drug cost to dispensing from ``since`` on. Earlier
    encounters keep their typed or imported cost (history is not rewritten)."""
    _check_office(actor)
    if institution.clinical_system != ClinicalSystem.YIGONGTI:
        raise ValidationError({"institution": [_("%(inst)s的就诊和药品费来自其HIS系统，不能改为本平台发药计费。")
                                               % {"inst": institution.name}]})
    if since is None:
        raise ValidationError({"since": [_("请填写起始日期。")]})
    with transaction.atomic():
        row = DispensingCostSource.objects.select_for_update().filter(institution=institution).first()
        before = {"since": row.since.isoformat()} if row else None
        row = row or DispensingCostSource(institution=institution)
        row.since, row.switched_by = since, actor
        row.save()
        record_change(actor, action="update" if before else "create", subject=row, before=before,
                      after={"since": since.isoformat()}, institution_id=institution.pk)
        return row


def switch_drug_cost_to_typed(actor, institution: Institution) -> None:
    """Switch off: the institution's drug cost may be typed again (e.g. its pharmacy goes back to paper)."""
    _check_office(actor)
    with transaction.atomic():
        row = DispensingCostSource.objects.select_for_update().filter(institution=institution).first()
        if row is None:
            return
        record_change(actor, action="delete", subject=row, before={"since": row.since.isoformat()}, after=None,
                      institution_id=institution.pk)
        row.delete()


def cancel_prescription(actor, rx: Prescription, reason: str = "") -> Prescription:
    _check_acting(actor, rx.institution)
    with transaction.atomic():
        if Prescription.objects.filter(pk=rx.pk, status__in=[RxStatus.ISSUED, RxStatus.APPROVED,
                                                             RxStatus.REJECTED]).update(
                status=RxStatus.CANCELLED, review_note=reason[:200] if not rx.review_note else rx.review_note,
                version=F("version") + 1) != 1:
            raise ValidationError({"status": [_("已发药的处方不能作废，请办理退药。")]})
        rx.refresh_from_db()
        record_change(actor, action="update", subject=rx, before=None, after={"status": rx.status, "reason": reason},
                      institution_id=rx.institution_id)
        return rx


def return_prescription(actor, rx: Prescription, reason: str) -> Prescription:
    """退药: the whole dispensed prescription comes back into the batches it left; the encounter's drug
    cost follows."""
    rx = Prescription.objects.select_related("institution", "encounter").get(pk=rx.pk)
    _check_acting(actor, rx.institution)
    if not reason.strip():
        raise ValidationError({"reason": [_("请填写退药原因。")]})
    with transaction.atomic():
        if Prescription.objects.filter(pk=rx.pk, status=RxStatus.DISPENSED).update(
                status=RxStatus.CANCELLED, review_note=reason[:200], version=F("version") + 1) != 1:
            raise ValidationError({"status": [_("只有已发药的处方可以退药。")]})
        for move in StockMove.objects.filter(reference=rx.number, kind=MoveKind.DISPENSE).select_related("batch"):
            _add(actor, move.batch, -move.quantity, MoveKind.RETURN, reference=rx.number, reason=reason)
        rx.refresh_from_db()
        record_change(actor, action="update", subject=rx, before={"status": RxStatus.DISPENSED},
                      after={"status": rx.status, "reason": reason}, institution_id=rx.institution_id)
        _sync_drug_cost(actor, rx.encounter)
        return rx


# --- purchasing records ---------------------------------------------------------------------------------------


def _plan_lines(lines, errors) -> list[tuple[Drug, int]]:
    clean, seen = [], set()
    for i, (drug, quantity) in enumerate(lines or []):
        n = _positive(quantity, f"lines.{i}.quantity", errors)
        if drug.pk in seen:
            errors[f"lines.{i}.drug"] = [ValidationError(_("同一药品只能出现一次。"))]
        seen.add(drug.pk)
        clean.append((drug, n))
    if not clean:
        errors["lines"] = [ValidationError(_("请至少填写一种药品。"), code="required")]
    return clean


def save_plan(actor, *, institution: Institution, period: str, lines, note: str = "") -> PurchasePlan:
    """A member's purchase plan for a month (draft; replaces the lines of an unsent plan)."""
    _check_acting(actor, institution)
    errors: dict = {}
    try:
        dt.date.fromisoformat(f"{period}-01")
    except (TypeError, ValueError):
        errors["period"] = [ValidationError(_("计划期间请写成 2026-12。"))]
    clean = _plan_lines(lines, errors)
    for i, (drug, _n) in enumerate(clean):
        if not tier_allows(drug, institution.tier, prescribe=False):
            errors[f"lines.{i}.drug"] = [ValidationError(_("%(drug)s 不在本级用药目录中。") % {"drug": drug})]
    _raise(errors)
    with transaction.atomic():
        plan, created = PurchasePlan.objects.get_or_create(
            institution=institution, period=period,
            defaults={"note": note, "created_by": actor if getattr(actor, "is_authenticated", False) else None})
        if plan.status not in (PlanStatus.DRAFT, PlanStatus.REJECTED):
            raise ValidationError({"period": [_("该期间的计划已上报，不能修改。")]})
        plan.lines.all().delete()
        PurchasePlanLine.objects.bulk_create([PurchasePlanLine(plan=plan, drug=d, quantity=n) for d, n in clean])
        plan.status, plan.note = PlanStatus.DRAFT, note
        plan.save(update_fields=["status", "note"])
        record_change(actor, action="create" if created else "update", subject=plan, before=None,
                      after={"period": period, "lines": [(d.code, n) for d, n in clean]}, institution_id=institution.pk)
        return plan


def submit_plan(actor, plan: PurchasePlan) -> PurchasePlan:
    _check_acting(actor, plan.institution)
    with transaction.atomic():
        if PurchasePlan.objects.filter(pk=plan.pk, status=PlanStatus.DRAFT).update(status=PlanStatus.SUBMITTED) != 1:
            raise ValidationError({"status": [_("只有草稿可以上报。")]})
        record_change(actor, action="update", subject=plan, before={"status": PlanStatus.DRAFT},
                      after={"status": PlanStatus.SUBMITTED}, institution_id=plan.institution_id)
    plan.refresh_from_db()
    return plan


def approve_plan(actor, plan: PurchasePlan, approve: bool = True, note: str = "") -> PurchasePlan:
    """The consortium aggregates the members' plans (queries.aggregate_plans) and approves or returns each."""
    _check_office(actor)
    new = PlanStatus.APPROVED if approve else PlanStatus.REJECTED
    with transaction.atomic():
        if PurchasePlan.objects.filter(pk=plan.pk, status=PlanStatus.SUBMITTED).update(
                status=new, approved_by=actor if getattr(actor, "is_authenticated", False) else None,
                note=note[:200] or plan.note) != 1:
            raise ValidationError({"status": [_("只有已上报的计划可以审批。")]})
        record_change(actor, action="update", subject=plan, before={"status": PlanStatus.SUBMITTED},
                      after={"status": new, "note": note}, institution_id=plan.institution_id)
    plan.refresh_from_db()
    return plan


def record_order(actor, *, institution: Institution, number: str, supplier: str, ordered_on: dt.date, lines,
                 on_platform: bool = True, period: str = "") -> PurchaseOrder:
    """An order placed on the provincial platform, recorded with its lines [(drug, quantity, unit_price)]."""
    _check_acting(actor, institution)
    errors: dict = {}
    number = str(number or "").strip()
    if not number:
        errors["number"] = [ValidationError(_("请填写订单号。"), code="required")]
    elif PurchaseOrder.objects.filter(number=number).exists():
        errors["number"] = [ValidationError(_("订单号已存在。"), code="duplicate")]
    if not str(supplier or "").strip():
        errors["supplier"] = [ValidationError(_("请填写配送企业。"), code="required")]
    if not isinstance(ordered_on, dt.date):
        errors["ordered_on"] = [ValidationError(_("请填写下单日期。"), code="required")]
    elif ordered_on > timezone.localdate():
        errors["ordered_on"] = [ValidationError(_("下单日期不能晚于今天。"), code="future")]
    clean, seen = [], set()
    for i, (drug, quantity, price) in enumerate(lines or []):
        n = _positive(quantity, f"lines.{i}.quantity", errors)
        p = money(price if price not in (None, "") else drug.list_price, f"lines.{i}.unit_price", errors)
        if drug.pk in seen:
            errors[f"lines.{i}.drug"] = [ValidationError(_("同一药品只能出现一次。"))]
        seen.add(drug.pk)
        clean.append((drug, n, p))
    if not clean:
        errors["lines"] = [ValidationError(_("请至少填写一种药品。"), code="required")]
    _raise(errors)
    with transaction.atomic():
        order = PurchaseOrder.objects.create(
            number=number, institution=institution, supplier=supplier.strip(), ordered_on=ordered_on,
            on_platform=bool(on_platform), period=period or f"{ordered_on:%Y-%m}",
            created_by=actor if getattr(actor, "is_authenticated", False) else None)
        PurchaseOrderLine.objects.bulk_create([PurchaseOrderLine(order=order, drug=d, quantity=n, unit_price=p)
                                               for d, n, p in clean])
        record_change(actor, action="create", subject=order, before=None,
                      after={"number": number, "supplier": supplier, "lines": [(d.code, n, str(p)) for d, n, p in clean]},
                      institution_id=institution.pk)
        return order


def receive_delivery(actor, order: PurchaseOrder, *, delivered_on: dt.date, lines) -> Delivery:
    """到货验收: each line {order_line, batch_no, expiry, quantity} goes into stock as a receipt at the
    order's price; no line may exceed what is still outstanding on the order."""
    order = PurchaseOrder.objects.select_related("institution").get(pk=order.pk)
    _check_acting(actor, order.institution)
    errors: dict = {}
    if not isinstance(delivered_on, dt.date) or delivered_on > timezone.localdate():
        errors["delivered_on"] = [ValidationError(_("请填写到货日期（不晚于今天）。"))]
    if not lines:
        errors["lines"] = [ValidationError(_("请至少填写一行到货。"), code="required")]
    _raise(errors)
    with transaction.atomic():
        delivery = Delivery.objects.create(order=order, delivered_on=delivered_on,
                                           received_by=actor if getattr(actor, "is_authenticated", False) else None)
        for i, line in enumerate(lines):
            ol = PurchaseOrderLine.objects.select_related("drug").filter(
                pk=getattr(line.get("order_line"), "pk", None), order=order).first()
            if ol is None:
                raise ValidationError({f"lines.{i}.order_line": [_("不是该订单的明细。")]})
            n = _positive(line.get("quantity"), f"lines.{i}.quantity", errors)
            if n and PurchaseOrderLine.objects.filter(pk=ol.pk, received__lte=F("quantity") - n).update(
                    received=F("received") + n) != 1:
                errors[f"lines.{i}.quantity"] = [ValidationError(_("到货数量超过订单未到数量。"))]
            _raise(errors)
            try:
                batch = receive_stock(actor, institution=order.institution, drug=ol.drug, batch_no=line.get("batch_no"),
                                      expiry=line.get("expiry"), quantity=n, unit_cost=ol.unit_price,
                                      reference=order.number)
            except ValidationError as exc:
                raise ValidationError({f"lines.{i}.{k}": v for k, v in exc.message_dict.items()}) from None
            DeliveryLine.objects.create(delivery=delivery, order_line=ol, batch=batch, quantity=n)
        outstanding = PurchaseOrderLine.objects.filter(order=order, received__lt=F("quantity")).exists()
        order.status = OrderStatus.PARTIAL if outstanding else OrderStatus.RECEIVED
        order.save(update_fields=["status"])
        record_change(actor, action="create", subject=delivery, before=None,
                      after={"order": order.number, "status": order.status}, institution_id=order.institution_id)
        return delivery


def record_invoice(actor, order: PurchaseOrder, *, kind: str, number: str, issuer: str, amount,
                   issued_on: dt.date) -> Invoice:
    """Keep an invoice of the 两票制 trail (first: manufacturer → distributor; second: distributor → us)."""
    from .models import InvoiceKind

    _check_acting(actor, order.institution)
    errors: dict = {}
    if kind not in InvoiceKind.values:
        errors["kind"] = [ValidationError(_("请选择票据类型。"))]
    for name, value in (("number", number), ("issuer", issuer)):
        if not str(value or "").strip():
            errors[name] = [ValidationError(_("此项必填。"), code="required")]
    value = money(amount, "amount", errors, places="0.01")
    if value is None and "amount" not in errors:
        errors["amount"] = [ValidationError(_("请填写金额。"), code="required")]
    if not isinstance(issued_on, dt.date):
        errors["issued_on"] = [ValidationError(_("请填写开票日期。"), code="required")]
    if not errors and Invoice.objects.filter(order=order, kind=kind, number=number.strip()).exists():
        errors["number"] = [ValidationError(_("该发票已登记。"), code="duplicate")]
    _raise(errors)
    with transaction.atomic():
        inv = Invoice.objects.create(order=order, kind=kind, number=number.strip(), issuer=issuer.strip(),
                                     amount=value, issued_on=issued_on)
        record_change(actor, action="create", subject=inv, before=None,
                      after={"order": order.number, "kind": kind, "number": inv.number, "amount": str(value)},
                      institution_id=order.institution_id)
        return inv


# --- missing drugs ----------------------------------------------------------------------------------------------


def register_missing_drug(actor, *, institution: Institution, resident=None, drug: Drug | None = None,
                          drug_text: str = "", quantity: int = 1) -> MissingDrug:
    """基层缺药登记: the township central pharmacy gets a to-do to supply it (by transfer or purchase)."""
    _check_acting(actor, institution)
    errors: dict = {}
    if drug is None and not drug_text.strip():
        errors["drug"] = [ValidationError(_("请选择药品或填写药品名称。"), code="required")]
    n = _positive(quantity, "quantity", errors)
    _raise(errors)
    with transaction.atomic():
        m = MissingDrug.objects.create(institution=institution, resident=resident, drug=drug,
                                       drug_text=drug_text.strip()[:100] or (str(drug) if drug else ""), quantity=n,
                                       registered_by=actor if getattr(actor, "is_authenticated", False) else None)
        record_change(actor, action="create", subject=m, before=None,
                      after={"drug": m.drug_text, "quantity": n, "resident_id": getattr(resident, "pk", None)},
                      institution_id=institution.pk)
        supplier = supplier_of(institution) or institution
        create_task(title=str(_("缺药登记：%(clinic)s 需要 %(drug)s ×%(n)s")
                              % {"clinic": institution.name, "drug": m.drug_text, "n": n}),
                    kind="pharmacy_missing", role=Role.TOWNSHIP_DOCTOR, institution=supplier, source=m,
                    source_url="/pharmacy/missing/",
                    created_by=actor if getattr(actor, "is_authenticated", False) else None)
        return m


def _close_missing(actor, institution: Institution, drug_ids: list[int], via: str) -> None:
    for m in MissingDrug.objects.filter(institution=institution, drug_id__in=drug_ids, status=MissingStatus.OPEN):
        _supplied(actor, m, via)


def mark_missing_supplied(actor, missing: MissingDrug, via: str) -> MissingDrug:
    """The drug arrived (a purchase, or a transfer outside a request): the registering doctor gets a to-do
    and the resident a message through the notification backend."""
    supplier = supplier_of(missing.institution) or missing.institution
    if actor is not None and not (can_act_for(actor, supplier.pk) or can_act_for(actor, missing.institution_id)):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))
    if missing.status != MissingStatus.OPEN:
        raise ValidationError({"status": [_("该缺药登记已处理。")]})
    with transaction.atomic():
        _supplied(actor, missing, via)
    missing.refresh_from_db()
    return missing


def _supplied(actor, m: MissingDrug, via: str) -> None:
    if MissingDrug.objects.filter(pk=m.pk, status=MissingStatus.OPEN).update(
            status=MissingStatus.SUPPLIED, supplied_via=via[:60], supplied_at=timezone.now()) != 1:
        return
    record_change(actor, action="update", subject=m, before={"status": MissingStatus.OPEN},
                  after={"status": MissingStatus.SUPPLIED, "via": via}, institution_id=m.institution_id)
    title = str(_("缺药已到：%(drug)s，请通知居民取药") % {"drug": m.drug_text})
    if m.registered_by_id:
        create_task(title=title, kind="pharmacy_missing_supplied", assignee=m.registered_by, source=m,
                    source_url="/pharmacy/missing/")
    else:
        create_task(title=title, kind="pharmacy_missing_supplied", role=Role.VILLAGE_DOCTOR, institution=m.institution,
                    source=m, source_url="/pharmacy/missing/")
    if m.resident_id:
        resident_id, drug, place = m.resident_id, m.drug_text, m.institution.name
        # The notification backend is console/log by default (design: "Shared concepts").
        transaction.on_commit(lambda: log.info("notify resident %s: %s 已到 %s，请前往领取", resident_id, drug, place))


# --- handlers of people's events (subscribed in apps.py) -----------------------------------------------------


def on_residents_merged(event) -> None:
    """Re-point the merged record's prescriptions and missing-drug registrations to the kept one; remember
    them in the merge for an undo."""
    from yigongti.people.models import ResidentMerge

    rx_ids = list(Prescription.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    missing_ids = list(MissingDrug.objects.filter(resident_id=event.merged_id).values_list("pk", flat=True))
    Prescription.objects.filter(pk__in=rx_ids).update(resident_id=event.kept_id)
    MissingDrug.objects.filter(pk__in=missing_ids).update(resident_id=event.kept_id)
    merge = ResidentMerge.objects.select_for_update().get(pk=event.merge_id)
    merge.moved = {**(merge.moved or {}), "pharmacy": {"prescriptions": rx_ids, "missing": missing_ids}}
    merge.save(update_fields=["moved"])


def on_residents_unmerged(event) -> None:
    from yigongti.people.models import ResidentMerge

    moved = (ResidentMerge.objects.get(pk=event.merge_id).moved or {}).get("pharmacy") or {}
    Prescription.objects.filter(pk__in=moved.get("prescriptions", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)
    MissingDrug.objects.filter(pk__in=moved.get("missing", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)
