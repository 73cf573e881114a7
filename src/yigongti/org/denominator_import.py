"""Population denominators from the health bureau's XLSX (issue 3): validate every row, keep the good ones,
report the bad ones (row, column, reason) as a downloadable XLSX. Re-importing updates, never duplicates."""
from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook

from .actions import set_denominator, set_year_figures
from .models import AgeBand, Area
from .permissions import can_edit_denominators

POPULATION_SHEET = "人口数"
FIGURES_SHEET = "年度指标"
POPULATION_COLUMNS = ["区划代码", "年度", "性别", "年龄组", "常住人口", "户籍人口"]
FIGURES_COLUMNS = ["区划代码", "年度", "活产数", "职工医保参保人数", "城乡居民医保参保人数"]
SEX = {"男": "1", "女": "2", "1": "1", "2": "2"}


@dataclass
class RowError:
    sheet: str
    row: int
    column: str
    reason: str


@dataclass
class ImportReport:
    saved: int = 0
    errors: list[RowError] = field(default_factory=list)

    def error_workbook(self) -> bytes:
        wb = Workbook()
        ws = wb.active
        ws.title = "错误"
        ws.append([_("工作表"), _("行号"), _("列"), _("原因")])
        for e in self.errors:
            ws.append([e.sheet, e.row, e.column, e.reason])
        buffer = io.BytesIO()
        wb.save(buffer)
        return buffer.getvalue()


def template_workbook() -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = POPULATION_SHEET
    ws.append(POPULATION_COLUMNS)
    ws.append(["360121100201", 2026, "男", "65+", 120, 131])
    ws2 = wb.create_sheet(FIGURES_SHEET)
    ws2.append(FIGURES_COLUMNS)
    ws2.append(["360121100201", 2026, 9, 80, 1400])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _int(value, column: str, errors: list, sheet: str, row: int) -> int | None:
    if value is None or str(value).strip() == "":
        errors.append(RowError(sheet, row, column, _("不能为空")))
        return None
    try:
        number = int(str(value).strip().replace(",", "").split(".")[0]) if not isinstance(value, int) else value
    except ValueError:
        errors.append(RowError(sheet, row, column, _("应为整数")))
        return None
    if number < 0:
        errors.append(RowError(sheet, row, column, _("不能为负数")))
        return None
    return number


def _rows(ws, columns: list[str], sheet: str, report: ImportReport):
    header = [str(c).strip() if c is not None else "" for c in next(ws.iter_rows(max_row=1, values_only=True), [])]
    missing = [c for c in columns if c not in header]
    if missing:
        report.errors.append(RowError(sheet, 1, "、".join(missing), _("缺少列")))
        return
    index = {c: header.index(c) for c in columns}
    for number, values in enumerate(ws.iter_rows(min_row=2, values_only=True), start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        yield number, {c: values[i] if i < len(values) else None for c, i in index.items()}


def import_denominators(actor, data: bytes) -> ImportReport:
    if not can_edit_denominators(actor):
        raise PermissionDenied
    report = ImportReport()
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises several types for a file that is not XLSX
        report.errors.append(RowError("", 0, "", _("无法读取文件：请上传 .xlsx 格式的 Excel 文件")))
        return report
    areas = {a.code: a for a in Area.objects.all()}
    bands = set(AgeBand.values)
    if POPULATION_SHEET in wb.sheetnames:
        for row, values in _rows(wb[POPULATION_SHEET], POPULATION_COLUMNS, POPULATION_SHEET, report) or []:
            errors: list[RowError] = []
            area = areas.get(str(values["区划代码"] or "").strip())
            if area is None:
                errors.append(RowError(POPULATION_SHEET, row, "区划代码", _("区划代码不存在")))
            year = _int(values["年度"], "年度", errors, POPULATION_SHEET, row)
            sex = SEX.get(str(values["性别"] or "").strip())
            if sex is None:
                errors.append(RowError(POPULATION_SHEET, row, "性别", _("性别应为“男”或“女”")))
            band = str(values["年龄组"] or "").strip().replace("–", "-").replace("岁", "")
            band = "65+" if band in ("≥65", ">=65", "65及以上") else band
            if band not in bands:
                errors.append(RowError(POPULATION_SHEET, row, "年龄组",
                                       _("年龄组应为 0-2、3-6、7-34、35-64、65+ 之一")))
            resident = _int(values["常住人口"], "常住人口", errors, POPULATION_SHEET, row)
            registered = _int(values["户籍人口"], "户籍人口", errors, POPULATION_SHEET, row)
            if errors:
                report.errors.extend(errors)
                continue
            try:
                with transaction.atomic():
                    set_denominator(actor, area=area, year=year, sex=sex, age_band=band, resident=resident,
                                    registered=registered)
                report.saved += 1
            except ValidationError as exc:
                for column, messages in exc.message_dict.items():
                    report.errors.append(RowError(POPULATION_SHEET, row, column, "；".join(messages)))
    if FIGURES_SHEET in wb.sheetnames:
        for row, values in _rows(wb[FIGURES_SHEET], FIGURES_COLUMNS, FIGURES_SHEET, report) or []:
            errors = []
            area = areas.get(str(values["区划代码"] or "").strip())
            if area is None:
                errors.append(RowError(FIGURES_SHEET, row, "区划代码", _("区划代码不存在")))
            numbers = {c: _int(values[c], c, errors, FIGURES_SHEET, row) for c in FIGURES_COLUMNS[1:]}
            if errors:
                report.errors.extend(errors)
                continue
            with transaction.atomic():
                set_year_figures(actor, area=area, year=numbers["年度"], live_births=numbers["活产数"],
                                 insured_employee=numbers["职工医保参保人数"],
                                 insured_resident=numbers["城乡居民医保参保人数"])
            report.saved += 1
    if POPULATION_SHEET not in wb.sheetnames and FIGURES_SHEET not in wb.sheetnames:
        report.errors.append(RowError("", 0, "", _("文件中没有“人口数”或“年度指标”工作表，请使用模板")))
    return report
