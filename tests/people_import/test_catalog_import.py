"""`yigongti import-catalog FILE`: the official ICD-10 XLSX (国家临床版 2.0 or 医保版 2.0), header row found below
the title, code + name upserted — loading it again changes nothing, a renamed code is updated."""
import io

import pytest
from django.core.management import CommandError, call_command

from yigongti.people.importing import import_catalog
from yigongti.people.models import Icd10Code

from .conftest import xlsx_bytes

INSURANCE = [
    ["章", "章代码范围", "章的名称", "节代码范围", "节名称", "类目代码", "类目名称", "亚目代码", "亚目名称", "诊断代码", "诊断名称"],
    ["9", "I00-I99", "循环系统疾病", "I10-I15", "高血压病", "I10", "特发性高血压", "I10.x", "特发性高血压", "I10.x00",
     "高血压"],
    ["9", "I00-I99", "循环系统疾病", "I10-I15", "高血压病", "I10", "特发性高血压", "I10.x", "特发性高血压",
     "I10.x00x002", "高血压病"],
    ["4", "E00-E90", "内分泌、营养和代谢疾病", "E10-E14", "糖尿病", "E11", "2型糖尿病", "E11.9", "不伴有并发症",
     "E11.900", "2型糖尿病"],
    ["4", "E00-E90", "", "", "", "", "", "", "", "不是编码", "坏行"],
]
CLINICAL = [["序号", "主要编码", "附加编码", "疾病名称"], [1, "A15.000", "", "肺结核，经显微镜下痰检查证实"],
            [2, "G40.900", "", "癫痫"], [3, "F06.800", "G40.900", "癫痫所致精神障碍"]]


@pytest.mark.django_db
def test_the_insurance_edition_is_read_below_its_title_and_upserted():
    data = xlsx_bytes(INSURANCE, title_rows=[["医保疾病诊断分类与代码（ICD-10）医保版2.0"], []], sheet="ICD-10")
    first = import_catalog(data, "医保版ICD-10.xlsx")
    assert (first.created, first.header_row, len(first.errors)) == (3, 3, 1)
    assert first.errors[0][1] == "诊断代码"
    assert set(Icd10Code.objects.filter(version="insurance-2.0").values_list("code", flat=True)) == {
        "I10.x00", "I10.x00x002", "E11.900"}

    again = import_catalog(data, "医保版ICD-10.xlsx")
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)

    INSURANCE[1][10] = "原发性高血压"
    renamed = import_catalog(xlsx_bytes(INSURANCE), "医保版ICD-10.xlsx")
    assert (renamed.created, renamed.updated) == (0, 1)
    assert Icd10Code.objects.get(code="I10.x00", version="insurance-2.0").name == "原发性高血压"


@pytest.mark.django_db
def test_the_command_loads_the_clinical_edition(tmp_path):
    path = tmp_path / "国家临床版2.0疾病诊断编码.xlsx"
    path.write_bytes(xlsx_bytes(CLINICAL, title_rows=[["疾病分类代码国家临床版2.0"]]))
    out = io.StringIO()
    call_command("import-catalog", str(path), stdout=out)
    assert "3 new" in out.getvalue()
    codes = dict(Icd10Code.objects.filter(version="clinical-2.0").values_list("code", "name"))
    assert codes == {"A15.000": "肺结核，经显微镜下痰检查证实", "G40.900": "癫痫", "F06.800": "癫痫所致精神障碍"}
    call_command("import-catalog", str(path), stdout=out)
    assert "0 new, 0 updated, 3 unchanged" in out.getvalue()


@pytest.mark.django_db
def test_a_file_without_the_columns_is_refused(tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(xlsx_bytes([["姓名", "电话"], ["张三", "123"]]))
    with pytest.raises(CommandError, match="没有找到表头"):
        call_command("import-catalog", str(path))
