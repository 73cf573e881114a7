"""The demo county's structure (order 10), modelled on the Nanchang County medical health group of seed
000: two lead hospitals and the other county members, Xiangtang township with the villages and communities
named on its family-doctor contact card, the pilot sub-centres (蒋巷, 莲塘, 幽兰) and a few more townships.
Staff are synthetic people; demo accounts (username "demo-…") exist for every role."""
from __future__ import annotations

from yigongti.demo.accounts import DEMO_PASSWORD
from yigongti.demo.names import person_name
from yigongti.demo.registry import DemoContext, DemoPart
from yigongti.rules.areas import township_code, village_code

from . import actions
from .models import AgeBand, Role

COUNTY_CODE = "360121"
# Villages and communities of Xiangtang on the seed's contact card (place names, not personal data).
XIANGTANG_VILLAGES = ["新村村", "西洛村", "黄堂村", "高田村", "丁坊村", "向塘村", "剑戴村", "河头村", "琴坊村", "瑞溪村",
                      "淡溪村", "荆山村", "蔬菜村", "南店村", "沙潭村", "梁西村", "棠墅村", "山青村", "黄山村", "合气村",
                      "翠林村"]
XIANGTANG_COMMUNITIES = ["东风路社区", "通站路社区", "水电社区", "向北社区", "正街社区", "铁路社区", "麟西片区",
                         "物探队片区"]
SUBCENTRES = ["蒋巷镇", "莲塘镇", "幽兰镇"]
EXTRA_TOWNSHIPS = ["塔城乡", "泾口乡", "南新乡", "三江镇", "广福镇"]
VILLAGE_SYLLABLES = "东西南北上下前后新老大小长高石山水田湖塘坪岭桥溪林竹枫桃李杏梅柳沙洲港湾"
# Age-band shares of a rural population (seed 000's township: many older residents) [demo assumption].
BAND_SHARES = {"0-2": 0.025, "3-6": 0.035, "7-34": 0.30, "35-64": 0.42, "65+": 0.22}

COUNTY_MEMBERS = [
    # code, name, short, kind, grade, lead, beds, clinical system
    ("360121001", "南昌县人民医院", "县人民医院", "general_hospital", "3B", True, 900, "external_his"),
    ("360121002", "南昌县中医院", "县中医院", "tcm_hospital", "3B", True, 500, "external_his"),
    ("360121003", "南昌县妇幼保健院", "县妇保", "mch_hospital", "2A", False, 150, "external_his"),
    ("360121004", "南昌县第二人民医院", "县二院", "general_hospital", "2A", False, 300, "external_his"),
    ("360121005", "南昌县疾病预防控制中心", "县疾控", "cdc", "", False, 0, "yigongti"),
    ("360121006", "南昌县120急救中心", "县急救中心", "emergency_centre", "", False, 0, "yigongti"),
]
COUNTY_DEPARTMENTS = [("NK", "内科", False), ("WK", "外科", False), ("GK", "骨科", False), ("EK", "儿科", False),
                      ("FCK", "妇产科", False), ("KFK", "康复科", False), ("JZK", "急诊科", False),
                      ("ZYK", "中医科", True)]
TCM_DEPARTMENTS = [("ZYNK", "中医内科", True), ("ZJTN", "针灸推拿科", True), ("GSK", "骨伤科", True),
                   ("JZK", "急诊科", False)]
TOWNSHIP_DEPARTMENTS = [("QK", "全科", False), ("NEK", "内儿科", False), ("WK", "外科", False),
                        ("KFK", "康复科", False), ("MBMZ", "慢病门诊", False), ("ZYG", "中医馆", True),
                        ("GWK", "公共卫生科", False)]


class _Builder:
    def __init__(self, ctx: DemoContext):
        self.ctx = ctx
        self.rng = ctx.rng("org.structure")
        self.n_users = 0
        self.made = ctx.made.setdefault("org", {"villages": [], "townships": [], "centres": [], "clinics": []})

    def staff(self, institution, roles, *, title="junior", title_name="", department=None, username=None):
        self.n_users += 1
        sex = self.rng.choice("12")
        return actions.create_staff(
            None, institution=institution, username=username or f"staff{self.n_users:05d}",
            full_name=person_name(self.rng, sex), password=DEMO_PASSWORD, roles=roles, title=title,
            title_name=title_name, department=department, validate=False,
            phone=f"199{self.rng.randrange(10**8):08d}",
            must_change_password=True, is_demo=True,  # the shared demo password is waived only under YIGONGTI_DEMO=1
        )

    def departments(self, institution, spec):
        return {code: actions.add_department(None, institution, code=code, name=name, is_tcm=tcm)
                for code, name, tcm in spec}

    def denominators(self, area, residents: int):
        for year, growth in ((self.ctx.today.year - 1, 0.99), (self.ctx.today.year, 1.0)):
            total = residents * 1.06 * growth  # a few residents have no record yet
            for band in AgeBand.values:
                for sex, share in (("1", 0.51), ("2", 0.49)):
                    n = round(total * BAND_SHARES[band] * share)
                    actions.set_denominator(None, area=area, year=year, sex=sex, age_band=band, resident=n,
                                            registered=round(n * 1.08))
            actions.set_year_figures(None, area=area, year=year, live_births=round(total * 0.008),
                                     insured_employee=round(total * 0.08), insured_resident=round(total * 0.88))

    def village_name(self, used: set[str]) -> str:
        while True:
            name = "".join(self.rng.sample(VILLAGE_SYLLABLES, 2)) + "村"
            if name not in used:
                used.add(name)
                return name

    def township(self, n: int, name: str, county, names: list[str], communities: list[str], *, subcentre: bool,
                 grade: str = "1B"):
        code = township_code(COUNTY_CODE, n)
        township = actions.create_area(None, code=code, name=name, level="township", parent=county)
        centre = actions.create_institution(
            None, code=f"{code[:9]}", name=f"南昌县{name}{'中心' if subcentre else ''}卫生院",
            short_name=f"{name}卫生院", tier="township", kind="township_centre", grade=grade,
            insurance_code=f"H36012{n:05d}", area=township, service_areas=[township], is_subcentre=subcentre,
            beds=120 if subcentre else 40, clinical_system="yigongti",
        )
        depts = self.departments(centre, TOWNSHIP_DEPARTMENTS)
        director = self.staff(centre, [Role.INSTITUTION_ADMIN, Role.TOWNSHIP_DOCTOR], title="associate_senior",
                              title_name="副主任医师", department=depts["QK"])
        actions.update_department(None, depts["QK"], head=director)
        for code_, title, title_name in (("NEK", "intermediate", "主治医师"), ("WK", "intermediate", "主治医师"),
                                         ("MBMZ", "junior", "医师"), ("ZYG", "intermediate", "主治中医师")):
            self.staff(centre, [Role.TOWNSHIP_DOCTOR], title=title, title_name=title_name, department=depts[code_])
        self.staff(centre, [Role.NURSE], title="junior", title_name="护师")
        self.staff(centre, [Role.PUBLIC_HEALTH], title="junior", title_name="医师", department=depts["GWK"])
        per_village = self.ctx.params["residents_per_village"]
        areas = []
        for i, vname in enumerate(names, start=1):
            areas.append(actions.create_area(None, code=village_code(code, 200 + i), name=vname, level="village",
                                             parent=township))
        for i, cname in enumerate(communities, start=1):
            areas.append(actions.create_area(None, code=village_code(code, i), name=cname, level="community",
                                             parent=township))
        clinics = []
        for area in areas:
            kind = "community_station" if area.level == "community" else "village_clinic"
            suffix = "社区卫生服务站" if kind == "community_station" else "卫生室"
            clinic = actions.create_institution(
                None, code=area.code, name=f"{name}{area.name}{suffix}", tier="village", kind=kind, area=area,
                parent=centre, service_areas=[area], clinical_system="yigongti",
            )
            self.staff(clinic, [Role.VILLAGE_DOCTOR], title="junior", title_name="乡村医生")
            clinics.append(clinic)
            self.denominators(area, per_village)
        # One clinic serves two villages and one large village has two clinics (the m:n of issue 3).
        if len(clinics) >= 3:
            clinics[0].service_areas.add(areas[1])
            second = actions.create_institution(
                None, code=f"{areas[2].code}2", name=f"{name}{areas[2].name}第二卫生室", tier="village",
                kind="village_clinic", area=areas[2], parent=centre, service_areas=[areas[2]],
            )
            self.staff(second, [Role.VILLAGE_DOCTOR], title="junior", title_name="乡村医生")
            clinics.append(second)
        self.made["townships"].append(township)
        self.made["centres"].append(centre)
        self.made["villages"].extend(areas)
        self.made["clinics"].extend(clinics)
        return township, centre, clinics


def build_structure(ctx: DemoContext) -> None:
    b = _Builder(ctx)
    params = ctx.params
    county = actions.create_area(None, code=COUNTY_CODE, name="南昌县", level="county")
    b.made["county"] = county
    members = {}
    for code, name, short, kind, grade, lead, beds, system in COUNTY_MEMBERS:
        members[code] = actions.create_institution(
            None, code=code, name=name, short_name=short, tier="county", kind=kind, grade=grade, is_lead=lead,
            beds=beds, area=county, clinical_system=system, insurance_code=f"H{code}",
            service_areas=[county] if kind == "cdc" else [],
        )
    hospital, tcm = members["360121001"], members["360121002"]
    b.made["county_hospital"], b.made["tcm_hospital"], b.made["cdc"] = hospital, tcm, members["360121005"]
    hdepts = b.departments(hospital, COUNTY_DEPARTMENTS)
    tdepts = b.departments(tcm, TCM_DEPARTMENTS)
    for code in ("NK", "WK", "GK", "KFK"):
        head = b.staff(hospital, [Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD], title="senior",
                       title_name="主任医师", department=hdepts[code])
        actions.update_department(None, hdepts[code], head=head)
        for _ in range(2):
            b.staff(hospital, [Role.COUNTY_SPECIALIST], title="associate_senior", title_name="副主任医师",
                    department=hdepts[code])
    for code in ("ZYNK", "ZJTN"):
        b.staff(tcm, [Role.COUNTY_SPECIALIST], title="associate_senior", title_name="副主任中医师",
                department=tdepts[code])
    for member in ("360121003", "360121004", "360121006"):
        b.staff(members[member], [Role.COUNTY_SPECIALIST], title="intermediate", title_name="主治医师")
    for i in range(5):  # seed 000: the county hospital keeps 5 beds for up-referrals
        actions.add_reserved_bed(None, hospital, label=f"预留{i + 1}", department=hdepts["NK"] if i < 3 else hdepts["WK"])
    b.staff(members["360121005"], [Role.PUBLIC_HEALTH, Role.HEALTH_BUREAU], title="intermediate",
            title_name="主管医师")

    full = params["full_xiangtang"]
    villages = XIANGTANG_VILLAGES if full else XIANGTANG_VILLAGES[:2]
    communities = XIANGTANG_COMMUNITIES if full else []
    xiangtang, xt_centre, xt_clinics = b.township(100, "向塘镇", county, villages, communities, subcentre=True,
                                                  grade="1A")
    b.made["xiangtang_centre"] = xt_centre
    per_township = params["villages_per_township"]
    used: set[str] = set(XIANGTANG_VILLAGES)
    others = SUBCENTRES if full else SUBCENTRES[:1]
    for n, name in enumerate(others, start=101):
        b.township(n, name, county, [b.village_name(used) for _ in range(per_township)], [], subcentre=True)
    for n, name in enumerate(EXTRA_TOWNSHIPS[: params["extra_townships"]], start=201):
        b.township(n, name, county, [b.village_name(used) for _ in range(per_township)], [], subcentre=False)
    # Sub-centres radiate to the neighbouring townships' centres.
    subcentres = [c for c in b.made["centres"] if c.is_subcentre]
    plain = [c for c in b.made["centres"] if not c.is_subcentre]
    for i, centre in enumerate(plain):
        subcentres[i % len(subcentres)].serves_institutions.add(centre)

    # Demo accounts: one per role, printed by `make demo`.
    clinic_a, clinic_b = xt_clinics[0], xt_clinics[1]
    nk = hdepts["NK"]
    accounts = [
        ("demo-village-a", clinic_a, [Role.VILLAGE_DOCTOR], "junior", "乡村医生", None),
        ("demo-village-b", clinic_b, [Role.VILLAGE_DOCTOR], "junior", "乡村医生", None),
        ("demo-township", xt_centre, [Role.TOWNSHIP_DOCTOR], "intermediate", "主治医师", None),
        ("demo-nurse", xt_centre, [Role.NURSE], "junior", "护师", None),
        ("demo-public-health", xt_centre, [Role.PUBLIC_HEALTH], "junior", "医师", None),
        ("demo-mental-health", xt_centre, [Role.TOWNSHIP_DOCTOR, Role.MENTAL_HEALTH], "intermediate", "主治医师", None),
        ("demo-team-leader", xt_centre, [Role.TOWNSHIP_DOCTOR, Role.TEAM_LEADER], "intermediate", "主治医师", None),
        ("demo-inst-admin", xt_centre, [Role.INSTITUTION_ADMIN], "senior", "主任医师", None),
        ("demo-specialist", hospital, [Role.COUNTY_SPECIALIST], "associate_senior", "副主任医师", nk),
        ("demo-dept-head", hospital, [Role.COUNTY_SPECIALIST, Role.DEPARTMENT_HEAD], "senior", "主任医师", nk),
        ("demo-office", hospital, [Role.CONSORTIUM_OFFICE], "senior", "主任", None),
        ("demo-finance", hospital, [Role.FINANCE_DIRECTOR], "", "财务总监", None),
        ("demo-bureau", members["360121005"], [Role.HEALTH_BUREAU], "intermediate", "主管医师", None),
        ("demo-sysadmin", hospital, [Role.SYSTEM_ADMIN], "", "", None),
        ("demo-security", hospital, [Role.SECURITY_ADMIN], "", "", None),
        ("demo-auditor", hospital, [Role.AUDIT_ADMIN], "", "", None),
    ]
    b.made["accounts"] = {}
    for username, inst, roles, title, title_name, dept in accounts:
        b.made["accounts"][username] = b.staff(inst, roles, title=title, title_name=title_name, department=dept,
                                               username=username)
    ctx.log(f"    {len(b.made['townships'])} townships, {len(b.made['villages'])} villages/communities, "
            f"{len(b.made['clinics'])} clinics, {b.n_users} staff")


PARTS = [DemoPart(name="org.structure", order=10, build=build_structure, bulk=build_structure)]
