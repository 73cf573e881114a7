"""The WS/T 423-2022 growth reference table (7岁以下儿童生长标准) as data the county supplies.

No copy of the standard's tables that could be checked was available, so none ships: the county's child-health
department (妇幼保健院/儿保科) supplies the SD tables as a CSV and ``yigongti chronic import-growth-table FILE
--source "..."`` loads it (``import_growth_table``: every row validated by ``rules.child.parse_rows``, a table
with any error refused whole, the load replacing the previous table in one transaction, audited). The child
visit is judged against the table in force (``current_table``); with none loaded the visit says so
("未载入生长标准参考表") and growth is not assessed.

CSV layout (UTF-8, header row, one row per line; docs/chronic.md):

    indicator,sex,x,sd_neg3,sd_neg2,sd_neg1,median,sd_pos1,sd_pos2,sd_pos3
    weight_for_age,1,0,…                 # x: age in completed months 0–83, weight kg
    height_for_age,2,12,…                # x: age in completed months, length (<2 y) / height cm
    weight_for_length,1,65.0,…           # x: length cm (children under 2), weight kg
    weight_for_height,2,90.5,…           # x: height cm (2 years and over), weight kg
"""
from __future__ import annotations

import csv
import hashlib
import io

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.rules import child as rules

from .models import GrowthReference, GrowthTableImport

ERROR_MESSAGES = {
    "missing_column": _("缺少该列"),
    "unknown_indicator": _("指标应为 weight_for_age、height_for_age、weight_for_length 或 weight_for_height"),
    "unknown_sex": _("性别应为1（男）或2（女）"),
    "bad_number": _("不是数字"),
    "x_out_of_range": _("月龄或身长/身高超出范围"),
    "x_not_whole_months": _("年龄别表的月龄应为整数"),
    "not_positive": _("数值应大于0"),
    "sd_not_increasing": _("−3SD至+3SD各列应依次增大"),
    "duplicate_row": _("同一指标、性别和月龄（身长/身高）重复"),
    "empty_table": _("文件中没有数据行"),
}
MAX_ERRORS_SHOWN = 50

_cache: dict = {"key": None, "table": rules.EMPTY_TABLE}


def _text(data: bytes | str) -> str:
    if isinstance(data, bytes):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError({"file": [_("文件应为UTF-8编码的CSV。")]}) from None
    return data.lstrip("\ufeff")


def parse_csv(data: bytes | str) -> list[rules.ReferenceRow]:
    """The rows of a supplied CSV, or a ValidationError listing every bad cell as "第N行 列: 问题"."""
    reader = csv.DictReader(io.StringIO(_text(data)))
    rows, errors = rules.parse_rows(reader)
    if errors:
        messages = [_("第%(line)s行 %(column)s：%(problem)s") % {
            "line": line, "column": column, "problem": ERROR_MESSAGES.get(code, code)}
            for line, column, code in errors[:MAX_ERRORS_SHOWN]]
        if len(errors) > MAX_ERRORS_SHOWN:
            messages.append(_("……共%(n)s处错误") % {"n": len(errors)})
        raise ValidationError({"file": messages})
    return rows


def checksum(rows: list[rules.ReferenceRow]) -> str:
    h = hashlib.sha256()
    for r in sorted(rows, key=lambda r: (r.indicator, r.sex, r.x)):
        h.update(f"{r.indicator},{r.sex},{r.x},{','.join(str(v) for v in r.values)}\n".encode())
    return h.hexdigest()


def import_growth_table(actor, *, data: bytes | str, source: str, filename: str = "") -> GrowthTableImport:
    """Load the county's reference table (replaces the one in force). ``source`` says where it comes from
    (e.g. "WS/T 423-2022 表A.1–A.8，县妇幼保健院儿保科 2026-11"); required, kept and audited."""
    source = (source or "").strip()
    if not source:
        raise ValidationError({"source": [_("请填写参考表来源（标准表号、提供单位）。")]})
    rows = parse_csv(data)
    with transaction.atomic():
        GrowthReference.objects.all().delete()
        imp = GrowthTableImport.objects.create(
            imported_by=actor if getattr(actor, "is_authenticated", False) else None, source=source[:200],
            filename=(filename or "")[:200], rows=len(rows), checksum=checksum(rows))
        GrowthReference.objects.bulk_create([
            GrowthReference(table=imp, indicator=r.indicator, sex=r.sex, x=r.x,
                            **dict(zip(rules.SD_COLUMNS, r.values, strict=True))) for r in rows], batch_size=500)
        record_change(actor, action="create", subject=imp, before=None,
                      after={"source": imp.source, "filename": imp.filename, "rows": imp.rows,
                             "checksum": imp.checksum})
    return imp


def table_in_force() -> GrowthTableImport | None:
    return GrowthTableImport.objects.order_by("-pk").first()


def current_table() -> rules.GrowthTable:
    """The table in force, built once per load (cached by the load's id and checksum: one small query)."""
    latest = GrowthTableImport.objects.order_by("-pk").values_list("pk", "checksum").first()
    if latest is None:
        return rules.EMPTY_TABLE
    if _cache["key"] != latest:
        refs = GrowthReference.objects.filter(table_id=latest[0]).values_list("indicator", "sex", "x",
                                                                                *rules.SD_COLUMNS)
        _cache["table"] = rules.build_table(rules.ReferenceRow(i, s, x, tuple(v)) for i, s, x, *v in refs)
        _cache["key"] = latest
    return _cache["table"]


def panel(user, enrolment):
    """The card on the child's management page: the table in force (or "no reference table loaded") and the
    growth findings of the latest visit with measurements."""
    from django.db.models import Q

    from . import labels
    from .models import Visit

    latest = (Visit.objects.filter(Q(details__has_key="weight_kg") | Q(details__has_key="height_cm"),
                                   enrolment=enrolment).order_by("-visit_date", "-pk").first())
    findings = [labels.reason_label(r) for r in (latest.reasons if latest else []) if r in rules.GROWTH_REASONS]
    return ("chronic/_growth.html", {"table": table_in_force(), "latest": latest, "findings": findings})
