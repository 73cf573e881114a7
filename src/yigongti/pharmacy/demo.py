"""The pharmacy part of the demo county (demo/registry.py, order 65, after residents, encounters and referrals):
the consortium's unified catalog with its tiers, Xiangtang's purchase plans, platform orders received by batch
with their two invoices, the central pharmacy's stock, a 20-drug zero-markup cabinet in each of Xiangtang's
village clinics (clinic A running low on two, with an open replenishment request), a fulfilled request, chronic
patients' long prescriptions dispensed across batches, a missing-drug registration and a scrapped batch.
Everything through the real actions; deterministic for a seed (``ctx.rng``). Manufacturers and suppliers are
synthetic."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from yigongti.demo.registry import DemoContext, DemoPart

# (code, generic name, strength, pack, form, price, reference price or None, essential, centrally procured,
#  antibiotic level, controlled class, tiers)
V = ("county", "township", "village")
T = ("county", "township")
CATALOG = [
    ("Y0001", "苯磺酸氨氯地平片", "5mg", "28片/盒", "片剂", "3.36", "28.00", True, True, "", "", V),
    ("Y0002", "硝苯地平缓释片", "20mg", "30片/盒", "片剂", "4.20", "18.50", True, True, "", "", V),
    ("Y0003", "厄贝沙坦片", "0.15g", "28片/盒", "片剂", "5.88", "32.00", True, True, "", "", V),
    ("Y0004", "缬沙坦胶囊", "80mg", "28粒/盒", "胶囊剂", "6.30", "30.80", True, True, "", "", V),
    ("Y0005", "氢氯噻嗪片", "25mg", "100片/瓶", "片剂", "2.50", None, True, False, "", "", V),
    ("Y0006", "盐酸二甲双胍片", "0.5g", "60片/盒", "片剂", "2.94", "16.00", True, True, "", "", V),
    ("Y0007", "格列美脲片", "2mg", "30片/盒", "片剂", "4.80", "26.00", True, True, "", "", V),
    ("Y0008", "阿卡波糖片", "50mg", "30片/盒", "片剂", "5.40", "41.00", True, True, "", "", V),
    ("Y0009", "阿托伐他汀钙片", "20mg", "28片/盒", "片剂", "3.92", "36.00", True, True, "", "", V),
    ("Y0010", "阿司匹林肠溶片", "100mg", "30片/盒", "片剂", "1.50", None, True, False, "", "", V),
    ("Y0011", "阿莫西林胶囊", "0.25g", "24粒/盒", "胶囊剂", "3.10", None, True, False, "unrestricted", "", V),
    ("Y0012", "头孢氨苄胶囊", "0.25g", "24粒/盒", "胶囊剂", "4.50", None, True, False, "unrestricted", "", V),
    ("Y0013", "左氧氟沙星片", "0.5g", "6片/盒", "片剂", "3.60", "15.00", True, True, "restricted", "", T),
    ("Y0014", "头孢曲松钠注射剂", "1g", "1支", "注射剂", "2.80", None, True, False, "restricted", "", T),
    ("Y0015", "布洛芬缓释胶囊", "0.3g", "20粒/盒", "胶囊剂", "2.60", None, True, False, "", "", V),
    ("Y0016", "对乙酰氨基酚片", "0.5g", "12片/盒", "片剂", "1.20", None, True, False, "", "", V),
    ("Y0017", "奥美拉唑肠溶胶囊", "20mg", "14粒/盒", "胶囊剂", "2.10", "19.00", True, True, "", "", V),
    ("Y0018", "蒙脱石散", "3g", "10袋/盒", "散剂", "6.50", None, True, False, "", "", V),
    ("Y0019", "复方甘草片", "", "100片/瓶", "片剂", "3.00", None, True, False, "", "", V),
    ("Y0020", "氯雷他定片", "10mg", "6片/盒", "片剂", "1.80", None, True, False, "", "", V),
    ("Y0021", "沙丁胺醇气雾剂", "100μg", "200揿/支", "气雾剂", "12.00", None, True, False, "", "", V),
    ("Y0022", "维生素B1片", "10mg", "100片/瓶", "片剂", "1.00", None, True, False, "", "", V),
    ("Y0023", "地西泮片", "2.5mg", "100片/瓶", "片剂", "4.00", None, True, False, "", "psychotropic_2", T),
    ("Y0024", "盐酸吗啡注射液", "10mg", "1支", "注射剂", "5.50", None, True, False, "", "narcotic", ("county",)),
    ("Y0025", "美罗培南注射剂", "0.5g", "1瓶", "注射剂", "48.00", "120.00", False, True, "special", "", ("county",)),
    ("Y0026", "胰岛素注射液", "400单位", "10ml/支", "注射剂", "18.00", None, True, False, "", "", T),
]
CONSUMABLES = [("H0001", "一次性使用无菌注射器", "5ml", "100支/盒", "0.35"),
               ("H0002", "医用脱脂棉签", "", "50支/包", "1.20")]


def _made(ctx):
    from yigongti.org.models import Institution

    hospital = ctx.made.get("county_hospital") or Institution.objects.filter(tier="county", is_lead=True).first()
    centre = ctx.made.get("xiangtang_centre") or Institution.objects.filter(
        tier="township", is_subcentre=True).order_by("code").first()
    clinics = list(Institution.objects.filter(parent=centre, tier="village").order_by("code")) if centre else []
    return hospital, centre, clinics


def _user(institution, role):
    from yigongti.org.models import User

    return User.objects.filter(memberships__institution=institution, memberships__roles__role=role,
                               is_active=True).order_by("pk").distinct().first()


def build(ctx: DemoContext) -> None:
    from yigongti.org.models import Role
    from yigongti.people.models import Resident

    from . import actions
    from .models import Drug

    rng = ctx.rng("pharmacy")
    hospital, centre, clinics = _made(ctx)
    accounts = ctx.made.get("accounts", {})
    office = accounts.get("demo-office") or _user(hospital, Role.CONSORTIUM_OFFICE)
    township = accounts.get("demo-township") or _user(centre, Role.TOWNSHIP_DOCTOR)
    village = accounts.get("demo-village-a") or (_user(clinics[0], Role.VILLAGE_DOCTOR) if clinics else None)
    if not (hospital and centre and clinics and office and township and village):
        ctx.log("    pharmacy: no consortium office, Xiangtang centre or village clinic, skipped")
        return
    today = timezone.localdate()

    with transaction.atomic():
        drugs = {}
        for code, name, strength, pack, form, price, ref, essential, cp, abx, ctl, tiers in CATALOG:
            d = Drug.objects.filter(code=code).first() or actions.save_drug(
                office, code=code, generic_name=name, strength=strength, pack=pack, dosage_form=form,
                manufacturer=f"示范制药第{int(code[1:]) % 7 + 1}有限公司",
                approval_number=f"国药准字H2000{code[1:]}", insurance_code=f"XY{code}",
                insurance_category="A" if essential else "B", essential=essential, centrally_procured=cp,
                antibiotic_level=abx, controlled_class=ctl, list_price=Decimal(price),
                reference_price=Decimal(ref) if ref else None)
            for tier in tiers:
                actions.set_tier(office, d, tier)
            drugs[code] = d
        for code, name, strength, pack, price in CONSUMABLES:
            d = Drug.objects.filter(code=code).first() or actions.save_drug(
                office, code=code, kind="consumable", generic_name=name, strength=strength, pack=pack, unit="盒",
                manufacturer="示范医疗器械有限公司", list_price=Decimal(price))
            for tier in V:
                actions.set_tier(office, d, tier)
            drugs[code] = d

    stocked = [d for code, d in drugs.items() if d.tiers.filter(tier="township").exists()]
    cabinet = [drugs[c[0]] for c in CATALOG if "village" in c[11]][:20]
    period = f"{today:%Y-%m}"
    with transaction.atomic():
        plan = actions.save_plan(township, institution=centre, period=period,
                                 lines=[(d, 200 + 20 * rng.randrange(10)) for d in stocked])
        actions.approve_plan(office, actions.submit_plan(township, plan))
        order = actions.record_order(township, institution=centre, number=f"DEMO-PT-{today:%Y%m}-001",
                                     supplier="示范医药物流配送有限公司", ordered_on=today - dt.timedelta(days=20),
                                     period=period, lines=[(d, 300, None) for d in stocked])
        for n, line in enumerate(order.lines.select_related("drug").order_by("pk")):
            # two batches per drug: one expiring within months, one in two years (FEFO has something to do)
            early = today + dt.timedelta(days=60 + rng.randrange(120))
            late = today + dt.timedelta(days=600 + rng.randrange(200))
            actions.receive_delivery(township, order, delivered_on=today - dt.timedelta(days=15), lines=[
                {"order_line": line, "batch_no": f"{line.drug.code}-{today:%y}A{n:02d}", "expiry": early,
                 "quantity": 60},
                {"order_line": line, "batch_no": f"{line.drug.code}-{today:%y}B{n:02d}", "expiry": late,
                 "quantity": 240}])
        value = sum((ln.unit_price * ln.quantity for ln in order.lines.all()), Decimal("0"))
        actions.record_invoice(township, order, kind="first", number=f"F{today:%y%m}0001",
                               issuer="示范制药第1有限公司", amount=(value * Decimal("0.93")).quantize(Decimal("0.01")),
                               issued_on=today - dt.timedelta(days=18))
        actions.record_invoice(township, order, kind="second", number=f"S{today:%y%m}0001",
                               issuer="示范医药物流配送有限公司", amount=value.quantize(Decimal("0.01")),
                               issued_on=today - dt.timedelta(days=15))
        # An off-platform emergency purchase (counts against the online purchasing rate).
        actions.record_order(township, institution=centre, number=f"DEMO-LS-{today:%Y%m}-001", supplier="县城大药房",
                             on_platform=False, ordered_on=today - dt.timedelta(days=5),
                             lines=[(drugs["Y0021"], 10, "13.50")])

    # Village cabinets: the consortium's list and zero-markup prices; stock sent from the centre by batch.
    from .queries import on_hand

    for clinic in clinics[:(8 if ctx.scale == "demo" else 2)]:
        doctor = _user(clinic, Role.VILLAGE_DOCTOR) or (village if clinic == clinics[0] else None)
        if doctor is None:
            continue
        with transaction.atomic():
            # From the cabinet's go-live on, the clinic's drug cost comes from dispensing only (issue 14 item 5);
            # the two years of history before it keep their recorded cost.
            actions.switch_drug_cost_to_dispensing(office, clinic, ctx.today - dt.timedelta(days=3))
            for d in cabinet:
                actions.set_stock_item(office, clinic, d, in_cabinet=True, price=d.list_price, min_quantity=10)
            req = actions.request_replenishment(doctor, requester=clinic,
                                                lines=[(d, 12 + rng.randrange(10)) for d in cabinet])
            have = on_hand(centre)  # send what the centre has (never more)
            actions.fulfil_replenishment(township, req, {ln.pk: min(ln.quantity, have.get(ln.drug_id, 0))
                                                         for ln in req.lines.all()})

    # Chronic patients of clinic A: long prescriptions on today's visits, dispensed across batches.
    clinic = clinics[0]
    from yigongti.people import actions as people_actions
    from yigongti.people.models import Icd10Code

    patients = list(Resident.objects.filter(status="active", area__in=clinic.service_areas.all()).order_by("pk")[:4])
    hypertension = Icd10Code.objects.filter(code__startswith="I10").values_list("code", flat=True).first()
    for k, patient in enumerate(patients[:3] if hypertension else []):
        with transaction.atomic():
            enc = people_actions.record_encounter(village, institution=clinic, resident=patient, kind="outpatient",
                                                  visit_date=min(today, ctx.today - dt.timedelta(days=1 + k)),
                                                  primary_diagnosis=hypertension,
                                                  total_cost=Decimal("30.00"), medical_service_income=Decimal("20.00"))
            d = drugs["Y0001" if k % 2 == 0 else "Y0002"]
            rx = actions.issue_prescription(village, encounter=enc, long_term=True, days=84 if k == 0 else 56,
                                            lines=[{"drug": d, "quantity": 3 if k == 0 else 2,
                                                    "dosage": "每次1片 每日1次 口服"}])
            actions.dispense_prescription(village, rx)
    with transaction.atomic():
        # Clinic A runs low on two cabinet drugs (a stocktake finds 3 left) and asks for more; the request
        # stays open for demo-township.
        for d in cabinet[:2]:
            lots = list(d.batches.filter(institution=clinic, quantity__gt=0).order_by("expiry", "id"))
            if lots:
                actions.record_stocktake(village, clinic, {b.pk: (3 if b == lots[0] else 0) for b in lots},
                                         reason="演示：药柜月末盘点")
        actions.request_replenishment(village, requester=clinic, lines=[(d, 20) for d in cabinet[:2]],
                                      note="药柜低于下限")
        actions.register_missing_drug(village, institution=clinic, resident=patients[3] if len(patients) > 3 else None,
                                      drug=drugs["Y0026"], quantity=2)
        near = drugs["Y0010"].batches.filter(institution=centre, quantity__gt=0).order_by("expiry", "id").first()
        if near is not None:
            actions.remove_stock(township, near, 5, "scrap", reason="包装破损")
    ctx.log(f"    pharmacy: {len(drugs)} items, {len(clinics)} cabinets, plan {period}")


PARTS = [DemoPart(name="pharmacy.stock", order=65, build=build, bulk=None)]
