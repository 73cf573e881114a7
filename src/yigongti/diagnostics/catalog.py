"""The starting catalog of orderable tests (LOINC-coded), lab analytes with reference ranges and critical
limits, and report templates. ``ensure_catalog()`` is idempotent and never overwrites a row that is there (the
office's edits in the admin win); the data migration 0002_catalogue runs it on every install, with the
migration's historical models, and the demo and the tests call it again (a transactional test database is
flushed). Recognition windows: a test's own ``recognition_days`` here, else the modality default in conf.py. Reference ranges are adult ranges after WS/T 404 and WS/T 405; the
critical limits are common hospital values [U] — each centre sets its own."""
from __future__ import annotations

from decimal import Decimal as D

from django.db import transaction

TESTS = [
    # code, name, modality, LOINC, recognition days (None: the modality's default)
    ("ECG12", "常规12导联心电图", "ecg", "11524-6", None),
    ("DR-CHEST", "胸部正侧位DR", "dr", "36643-5", None),
    ("US-ABD", "腹部超声（肝胆胰脾）", "us", "24558-9", None),
    ("CT-HEAD", "头颅CT平扫", "ct", "30799-1", None),
    ("LAB-CBC", "血常规", "lab", "58410-2", 3),
    ("LAB-BMP", "电解质及肾功能、血糖", "lab", "51990-0", 7),
]
ANALYTES = {
    "LAB-CBC": [
        ("WBC", "6690-2", "白细胞计数", "10^9/L", "3.5", "9.5", "2.0", "30.0"),
        ("HGB", "718-7", "血红蛋白", "g/L", "115", "175", "60", "200"),
        ("PLT", "777-3", "血小板计数", "10^9/L", "125", "350", "30", "1000"),
    ],
    "LAB-BMP": [
        ("K", "2823-3", "钾", "mmol/L", "3.5", "5.3", "2.8", "6.2"),
        ("NA", "2951-2", "钠", "mmol/L", "137", "147", "120", "160"),
        ("GLU", "2345-7", "葡萄糖", "mmol/L", "3.9", "6.1", "2.8", "22.2"),
        ("CREA", "2160-0", "肌酐", "µmol/L", "57", "111", None, "707"),
    ],
}
TEMPLATES = [
    ("ecg", "正常心电图", "窦性心律，心率 72 次/分，PR 间期 0.16 s，QRS 时限 0.08 s，QT/QTc 0.38/0.41 s，电轴正常，"
     "ST-T 未见明显异常。", "窦性心律；正常心电图。"),
    ("ecg", "急性ST段抬高型心肌梗死", "窦性心律，V1–V4 导联 ST 段弓背向上抬高 0.3–0.5 mV，II、III、aVF 导联 ST 段压低。",
     "急性前壁ST段抬高型心肌梗死（危急值）。"),
    ("ecg", "心房颤动", "P 波消失，代之以大小不等的 f 波，RR 间期绝对不等，心室率约 110 次/分。", "心房颤动伴快速心室率。"),
    ("dr", "胸部未见异常", "两肺纹理清晰，未见实质性病变；心影大小形态正常；两膈面光整，肋膈角锐利。", "胸部正侧位未见明显异常。"),
    ("us", "腹部未见异常", "肝脏大小形态正常，实质回声均匀；胆囊壁光滑，腔内未见异常回声；胰、脾未见异常。",
     "肝胆胰脾未见明显异常。"),
    ("ct", "头颅CT未见异常", "脑实质内未见异常密度影，脑室系统大小形态正常，中线结构居中。", "头颅CT平扫未见明显异常。"),
]


def ensure_catalog(apps=None, using: str = "default") -> None:
    """Create the catalog rows that are missing. ``apps``: a migration's historical app registry (the models as
    of that migration), else the current models; ``using``: the database alias."""
    if apps is None:
        from .models import Analyte, Template, Test
    else:
        Analyte, Template, Test = (apps.get_model("diagnostics", name) for name in ("Analyte", "Template", "Test"))

    with transaction.atomic(using=using):
        for code, name, modality, loinc, days in TESTS:
            test, _ = Test.objects.using(using).get_or_create(code=code, defaults={
                "name": name, "modality": modality, "loinc": loinc, "recognition_days": days})
            for i, (acode, aloinc, aname, unit, low, high, clow, chigh) in enumerate(ANALYTES.get(code, [])):
                Analyte.objects.using(using).get_or_create(test=test, code=acode, defaults={
                    "loinc": aloinc, "name": aname, "unit": unit, "order": i, "low": D(low), "high": D(high),
                    "critical_low": D(clow) if clow else None, "critical_high": D(chigh) if chigh else None})
        for modality, name, findings, impression in TEMPLATES:
            Template.objects.using(using).get_or_create(modality=modality, name=name,
                                                        defaults={"findings": findings, "impression": impression})
