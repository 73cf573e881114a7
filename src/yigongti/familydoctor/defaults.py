"""The packages every county starts with (the consortium office edits them afterwards).

The basic package lists the services of the contact card in seed 000 (南昌县向塘镇家庭医生签约联系卡); the
yearly counts come from that card's item 6 and 9 (4 follow-ups and 4 fasting-glucose tests a year for
hypertension/diabetes, 4 for severe mental disorders, monthly for TB, a yearly exam for people aged 65+).
Items without a service code are services no app records yet: shown on the card and the contract, not
counted. Personalised packages (Zhijiang, seed 004: diabetes, hypertension, COPD; older people, maternal,
child) have a price [U: prices are set by each county; these are placeholders the office edits].
"""
from __future__ import annotations

from decimal import Decimal

FU_HT, FU_DM, FU_MENTAL, FU_TB = "followup_hypertension", "followup_diabetes", "followup_mental", "followup_tb"
GLUCOSE, EXAM, OUTPATIENT, HOME = "fasting_glucose_test", "health_exam", "encounter_outpatient", "home_visit"

BASIC = [
    ("基本医疗服务（常见病多发病诊治、血压血糖心电图检测）", OUTPATIENT, 0, ""),
    ("优先预约就诊", "", 0, ""),
    ("慢病长处方", "", 0, ""),
    ("转诊绿色通道", "", 0, ""),
    ("建立和维护居民健康档案", "", 1, ""),
    ("高血压患者面对面随访", FU_HT, 4, "hypertension"),
    ("糖尿病患者面对面随访", FU_DM, 4, "diabetes"),
    ("糖尿病患者空腹血糖检测", GLUCOSE, 4, "diabetes"),
    ("严重精神障碍患者随访", FU_MENTAL, 4, "mental"),
    ("肺结核患者每月随访", FU_TB, 6, "tb"),
    ("0～6岁儿童健康管理", "child_check", 1, "children_0_6"),
    ("孕产妇健康管理", "maternal_visit", 5, "maternal"),
    ("65岁及以上老年人年度健康体检", EXAM, 1, "older_65"),
    ("预防接种", "vaccination", 0, "children_0_6"),
    ("健康教育", "health_education", 1, ""),
    ("中医药“治未病”服务", "tcm_guidance", 1, ""),
]

PACKAGES = [
    ("basic", "基础服务包", "basic", Decimal("0"), BASIC),
    ("hypertension", "高血压个性化服务包", "personal", Decimal("60"), [
        ("血压面对面随访", FU_HT, 4, ""), ("年度健康体检", EXAM, 1, ""), ("入户随访", HOME, 1, "")]),
    ("diabetes", "糖尿病个性化服务包", "personal", Decimal("80"), [
        ("血糖面对面随访", FU_DM, 4, ""), ("空腹血糖检测", GLUCOSE, 4, ""), ("年度健康体检", EXAM, 1, "")]),
    ("copd", "慢阻肺个性化服务包", "personal", Decimal("60"), [
        ("门诊复诊", OUTPATIENT, 2, ""), ("肺功能检查", "lung_function", 1, ""), ("入户随访", HOME, 1, "")]),
    ("older", "老年人个性化服务包", "personal", Decimal("50"), [
        ("年度健康体检", EXAM, 1, ""), ("入户随访", HOME, 2, ""), ("中医体质辨识", "tcm_guidance", 1, "")]),
    ("maternal", "孕产妇个性化服务包", "personal", Decimal("100"), [
        ("产前随访", "maternal_visit", 5, ""), ("产后访视", "postpartum_visit", 1, "")]),
    ("child", "儿童个性化服务包", "personal", Decimal("50"), [
        ("儿童健康检查", "child_check", 2, ""), ("生长发育评估", "child_check", 1, "")]),
]


def ensure_default_packages() -> int:
    """Create the default packages that do not exist yet (never overwrites the office's edits)."""
    from .models import Package, PackageItem

    made = 0
    for code, name, kind, price, items in PACKAGES:
        package, created = Package.objects.get_or_create(code=code, defaults={"name": name, "kind": kind,
                                                                              "price": price})
        if created:
            made += 1
            PackageItem.objects.bulk_create([
                PackageItem(package=package, position=n, label=label, service_code=sc, yearly_count=count,
                            population=pop) for n, (label, sc, count, pop) in enumerate(items)])
    return made
