"""The formulary from XLSX: rows created or updated by 目录编码 with their tiers; a bad cell skips its row and
is reported with the row number Excel shows, the column as written and the reason."""
import io

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied

from yigongti.pharmacy import importing
from yigongti.pharmacy.models import Drug, TierCatalogEntry

from . import helpers as h

HEADER = ["目录编码", "通用名", "规格", "包装", "生产企业", "批准文号", "国家医保编码", "医保类别", "基本药物",
          "集采中选", "抗菌药物分级", "特殊管理类别", "挂网价", "集采前参考价", "县级", "乡级", "村级"]


def _xlsx(rows) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["示范县医共体统一用药目录（2026版）"])
    sheet.append(HEADER)
    for r in rows:
        sheet.append(r)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_rows_are_imported_and_bad_cells_reported(scenario):
    s = scenario
    h.drug(s, code="Y001", price="0.50")
    data = _xlsx([
        ["Y001", "苯磺酸氨氯地平片", "5mg", "7片/盒", "甲制药", "国药准字H1", "XC1", "甲", "是", "是", "", "", 0.45, 1.5,
         "是", "是", "是"],
        ["Y010", "阿莫西林胶囊", "0.25g", "24粒/盒", "乙制药", "国药准字H2", "XC2", "乙", "是", "否", "非限制使用级", "",
         "0.80", "", "是", "是", "是"],
        ["Y011", "吗啡注射液", "10mg", "10支/盒", "丙制药", "国药准字H3", "XC3", "甲", "是", "否", "", "麻醉药品", "3",
         "", "是", "否", "否"],
        ["Y012", "某药", "", "", "", "", "", "丙", "是", "否", "", "", "abc", "", "是", "是", "否"],
        ["Y013", "头孢某某", "", "", "", "", "", "", "否", "否", "三级", "", "1", "", "是", "是", "否"],
    ])
    report = importing.import_formulary(s.consortium_office, data, "目录.xlsx")
    assert (report.created, report.updated) == (2, 1)
    assert [(e["row"], e["column"]) for e in report.errors] == [(6, "医保类别"), (6, "挂网价"), (7, "抗菌药物分级")]
    assert str(Drug.objects.get(code="Y001").list_price) == "0.4500"
    morphine = Drug.objects.get(code="Y011")
    assert morphine.controlled_class == "narcotic"
    assert set(TierCatalogEntry.objects.filter(drug=morphine, may_stock=True).values_list("tier", flat=True)) == {
        "county"}
    with pytest.raises(PermissionDenied):
        importing.import_formulary(s.township_doctor, data, "目录.xlsx")
