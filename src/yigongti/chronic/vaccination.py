"""Vaccination records (预防接种) read from the provincial immunisation system's export (XLSX/CSV through people's
import engine: the same upload page, job, row-level error report, good rows kept). The platform does **not**
compute a vaccine schedule: the doses due are the province's, as exported, so they cannot contradict it.
Given doses count towards family-doctor contracts (``people.services`` kind ``vaccination``) and are shown on
the child's management card.

Export columns (header row may sit below title rows): 证件号码 or 健康档案编号, 姓名 (checked), 疫苗名称*, 剂次*,
接种日期 (empty for a dose due), 应种日期, 接种单位, 疫苗批号, 接种记录编号* (re-importing skips it)."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for
from yigongti.people import import_files as files
from yigongti.people import services
from yigongti.people.importing import PERSON_COLUMNS, Column, ImportKind, RowError, register, resident_of_row

SERVICE = "vaccination"
IMPORT_KIND = "vaccinations"


def payload(v) -> dict:
    return {"resident_id": v.resident_id, "vaccine": v.vaccine, "dose": v.dose, "status": v.status,
            "given_on": v.given_on.isoformat() if v.given_on else None,
            "due_on": v.due_on.isoformat() if v.due_on else None, "external_id": v.external_id}


def record_vaccination(actor, *, resident, institution, vaccine: str, dose: int, external_id: str,
                       given_on: dt.date | None = None, due_on: dt.date | None = None, site: str = "",
                       batch: str = ""):
    """One dose as the provincial system has it (given, or due when no date given). Returns (record, created);
    a record number already imported is left unchanged."""
    from django.core.exceptions import PermissionDenied

    from .models import Vaccination

    if actor is not None and not can_act_for(actor, institution.pk):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))
    errors = {}
    vaccine = (vaccine or "").strip()
    if not vaccine:
        errors["vaccine"] = [_("请填写疫苗名称。")]
    if not isinstance(dose, int) or not 1 <= dose <= 10:
        errors["dose"] = [_("剂次应为1–10。")]
    if given_on and given_on > timezone.localdate():
        errors["given_on"] = [_("接种日期不能晚于今天。")]
    if given_on and given_on < resident.birth_date:
        errors["given_on"] = [_("接种日期不能早于出生日期。")]
    if not given_on and not due_on:
        errors["given_on"] = [_("请填写接种日期或应种日期。")]
    if not (external_id or "").strip():
        errors["external_id"] = [_("请填写接种记录编号。")]
    if errors:
        raise ValidationError(errors)
    existing = Vaccination.objects.filter(external_id=external_id.strip()[:64]).first()
    if existing is not None:
        if existing.resident_id != resident.pk:
            raise ValidationError({"external_id": [_("该接种记录编号已属于另一位居民。")]})
        if existing.status == Vaccination.Status.DUE and given_on:   # the due dose has since been given
            before = payload(existing)
            existing.status, existing.given_on = Vaccination.Status.GIVEN, given_on
            existing.site, existing.batch = site[:120], batch[:40]
            existing.save(update_fields=["status", "given_on", "site", "batch"])
            record_change(actor, action="update", subject=existing, before=before, after=payload(existing),
                          institution_id=institution.pk)
        return existing, False
    try:
        with transaction.atomic():
            v = Vaccination.objects.create(
                resident=resident, vaccine=vaccine[:60], dose=dose, given_on=given_on, due_on=due_on,
                status=Vaccination.Status.GIVEN if given_on else Vaccination.Status.DUE, site=site[:120],
                batch=batch[:40], institution=institution, external_id=external_id.strip()[:64])
            record_change(actor, action="create", subject=v, before=None, after=payload(v),
                          institution_id=institution.pk)
    except IntegrityError:
        raise ValidationError({"external_id": [_("与已有记录冲突（重复的编号）")]}) from None
    return v, True


class VaccinationsKind(ImportKind):
    name = IMPORT_KIND
    label = _("预防接种记录（省免疫规划信息系统导出）")
    columns = [
        *PERSON_COLUMNS,
        Column("vaccine", "疫苗名称", ("疫苗", "疫苗种类"), required=True, example="乙肝疫苗"),
        Column("dose", "剂次", ("针次",), required=True, kind="int", example="1"),
        Column("given_on", "接种日期", (), kind="date", note=_("未接种的应种剂次留空"), example="2026-01-02"),
        Column("due_on", "应种日期", ("预约日期",), kind="date", note=_("省系统给出的应种日期"), example=""),
        Column("site", "接种单位", ("接种门诊",), example="示例乡镇卫生院预防接种门诊"),
        Column("batch", "疫苗批号", ("批号",), example="202511A"),
        Column("external_id", "接种记录编号", ("记录编号", "接种编号"), required=True,
               note=_("省系统中的记录编号；再次导入时跳过"), example="JZ-2026-0000001"),
    ]
    fields = {"vaccine": "vaccine", "dose": "dose", "given_on": "given_on", "due_on": "due_on",
              "external_id": "external_id", "__all__": ""}

    def row(self, values, ctx) -> str:
        resident = resident_of_row(self, values, ctx)
        dose = self.value(values, "dose", files.integer, required=True)
        _v, created = record_vaccination(
            ctx.actor, resident=resident, institution=ctx.institution,
            vaccine=self.value(values, "vaccine", required=True), dose=dose,
            given_on=self.value(values, "given_on", files.date), due_on=self.value(values, "due_on", files.date),
            site=self.value(values, "site") or "", batch=self.value(values, "batch") or "",
            external_id=self.value(values, "external_id", required=True))
        if not created and not (_v.given_on or _v.due_on):   # pragma: no cover - a record always has one
            raise RowError("given_on", _("请填写接种日期或应种日期。"))
        return "created" if created else "unchanged"


def services_source(resident_ids, start: dt.date, end: dt.date):
    """people.services source: doses given in the period, kind ``vaccination``. One grouped query."""
    from .models import Vaccination

    rows = (Vaccination.objects.filter(resident_id__in=resident_ids, status=Vaccination.Status.GIVEN,
                                       given_on__range=(start, end))
            .values("resident_id", "given_on").annotate(n=Count("id")).values_list("resident_id", "given_on", "n")
            .order_by())
    for rid, day, n in rows:
        yield rid, SERVICE, day, n


def records_of(resident):
    from .models import Vaccination

    return Vaccination.objects.filter(resident=resident).order_by("status", "given_on", "due_on", "vaccine", "dose")


def panel(user, resident):
    """The card on the management page: doses given and the province's doses due."""
    return ("chronic/_vaccinations.html", {"vaccinations": list(records_of(resident)), "today": timezone.localdate()})


def register_all() -> None:
    register(VaccinationsKind())
    services.register_kind(SERVICE, _("预防接种"), app="chronic")
    services.register_source("chronic_vaccination", services_source)


register_all()
