"""The formulary from a spreadsheet (XLSX or CSV): one row per item, created or updated by 目录编码, each through
actions.save_drug and set_tier; a row with a bad cell is skipped and listed in the row-level error report
(row number as Excel shows it, the column as written in the file, the reason)."""
from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from yigongti.people import import_files as f

from . import actions
from .models import AntibioticLevel, ControlledClass, Drug, ItemKind

COLUMNS = [
    f.Column("code", "目录编码", ("药品编码", "编码"), required=True, example="Y001"),
    f.Column("generic_name", "通用名", ("药品通用名", "通用名称", "名称"), required=True, example="苯磺酸氨氯地平片"),
    f.Column("kind", "类别", (), example="药品"),
    f.Column("trade_name", "商品名", (), example=""),
    f.Column("dosage_form", "剂型", (), example="片剂"),
    f.Column("strength", "规格", (), example="5mg"),
    f.Column("pack", "包装", ("包装规格",), example="7片/盒"),
    f.Column("unit", "发药单位", ("单位",), example="盒"),
    f.Column("manufacturer", "生产企业", ("厂家", "生产厂家"), example="示范制药有限公司"),
    f.Column("approval_number", "批准文号", (), example="国药准字H20000001"),
    f.Column("insurance_code", "国家医保编码", ("医保编码",), example="XC08CAA001A001010101234"),
    f.Column("insurance_category", "医保类别", ("甲乙类",), example="甲"),
    f.Column("essential", "基本药物", ("国家基本药物",), kind="bool", example="是"),
    f.Column("centrally_procured", "集采中选", ("集采",), kind="bool", example="是"),
    f.Column("antibiotic_level", "抗菌药物分级", ("抗菌药物级别",), example="非限制使用级"),
    f.Column("controlled_class", "特殊管理类别", ("特殊药品",), example=""),
    f.Column("list_price", "挂网价", ("采购价", "单价"), kind="decimal", example="0.50"),
    f.Column("reference_price", "集采前参考价", ("原价",), kind="decimal", example="1.50"),
    f.Column("tier_county", "县级", (), kind="bool", example="是"),
    f.Column("tier_township", "乡级", (), kind="bool", example="是"),
    f.Column("tier_village", "村级", (), kind="bool", example="是"),
]
_KIND = {str(label): value for value, label in ItemKind.choices} | {"耗材": "consumable"}
_CATEGORY = {"甲": "A", "甲类": "A", "a": "A", "乙": "B", "乙类": "B", "b": "B", "": ""}
_ANTIBIOTIC = {str(label): value for value, label in AntibioticLevel.choices if value} | {"": ""}
_CONTROLLED = {str(label): value for value, label in ControlledClass.choices if value} | {
    "": "", "无": "", "麻醉": "narcotic", "一类精神": "psychotropic_1", "二类精神": "psychotropic_2",
    "毒性": "toxic", "放射性": "radioactive", "易制毒": "precursor"}


@dataclass
class Report:
    created: int = 0
    updated: int = 0
    errors: list[dict] = field(default_factory=list)

    def error(self, row: int, column: str, message) -> None:
        self.errors.append({"row": row, "column": column, "message": str(message)})


def _mapped(value: str, table: dict, raw_label: str):
    key = value.strip()
    if key in table:
        return table[key]
    if key.lower() in table:
        return table[key.lower()]
    raise f.CellProblem(_("无法识别“%(value)s”，可填：%(choices)s")
                        % {"value": value, "choices": "、".join(k for k in table if k)})


def import_formulary(actor, data: bytes, filename: str = "") -> Report:
    actions._check_office(actor)
    report = Report()
    book = f.sheets(data, filename)  # keep the generator alive: it closes the workbook when it goes
    try:
        _name, rows = next(book)
    except StopIteration:
        raise f.FileProblem(_("文件中没有工作表。")) from None
    header, missing = f.find_header(rows, COLUMNS)
    if header is None:
        raise f.FileProblem(_("找不到表头，缺少列：%(cols)s") % {"cols": "、".join(missing)})
    readers = {"bool": f.boolean, "decimal": f.decimal, "text": f.text}
    for number, cells in enumerate(rows, start=header.row_number + 1):
        cells = list(cells or ())
        if f.is_blank(cells):
            continue
        values, bad = {}, False
        for column in COLUMNS:
            index = header.columns.get(column.key)
            if index is None:
                continue
            raw = cells[index] if index < len(cells) else None
            label = header.labels[column.key]
            try:
                value = readers[column.kind](raw)
                if column.key == "kind":
                    value = _mapped(value, _KIND, label) if value else "drug"
                elif column.key == "insurance_category":
                    value = _mapped(value, _CATEGORY, label)
                elif column.key == "antibiotic_level":
                    value = _mapped(value, _ANTIBIOTIC, label)
                elif column.key == "controlled_class":
                    value = _mapped(value, _CONTROLLED, label)
            except f.CellProblem as problem:
                report.error(number, label, problem.reason)
                bad = True
                continue
            values[column.key] = value
        if bad:
            continue
        tiers = {t: values.pop(f"tier_{t}", None) for t in ("county", "township", "village")}
        values = {k: v for k, v in values.items() if v is not None}
        existing = Drug.objects.filter(code=values.get("code", "")).first()
        try:
            with transaction.atomic():
                drug = actions.save_drug(actor, existing, **values)
                for tier, on in tiers.items():
                    if on is not None:
                        actions.set_tier(actor, drug, tier, may_stock=on, may_prescribe=on)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                label = header.labels.get(name, name)
                for message in messages:
                    report.error(number, label, message)
            continue
        if existing is None:
            report.created += 1
        else:
            report.updated += 1
    return report
