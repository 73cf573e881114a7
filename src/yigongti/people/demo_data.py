"""Synthetic people for the demo county and the bulk loader: names, a rural age pyramid, households,
ID numbers, phones, and the volume and cost of care per tier. Pure Python (no Django), deterministic for
the ``random.Random`` it is given.

Synthetic people only (docs/dev/helpers-brief.md): ID numbers use the unassigned address code 360199 with
valid check characters (identifiers.md "Synthetic ID numbers"), phone numbers are drawn at random, and no
generated name is one of the names in the project's source documents (``NOT_NAMES``).
"""
from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from yigongti.rules.idcard import check_character

SYNTHETIC_ADDRESS_CODE = "360199"  # identifiers.md: no such county exists

# Common surnames, weighted roughly as in rural Jiangxi (刘 李 陈 王 张 黄 胡 吴 …).
SURNAMES = (
    ("刘", 60), ("李", 55), ("陈", 55), ("王", 50), ("张", 45), ("黄", 40), ("胡", 40), ("吴", 30),
    ("罗", 28), ("徐", 28), ("万", 25), ("熊", 25), ("涂", 18), ("邓", 18), ("杨", 18), ("周", 18),
    ("曾", 16), ("朱", 16), ("付", 14), ("彭", 14), ("龚", 12), ("余", 12), ("赵", 10), ("肖", 10),
    ("魏", 10), ("喻", 9), ("程", 9), ("谢", 9), ("邹", 9), ("钟", 8), ("郭", 8), ("夏", 8), ("叶", 8),
    ("江", 8), ("章", 7), ("傅", 7), ("孙", 6), ("杜", 6), ("姜", 6), ("高", 6), ("何", 6), ("林", 6),
    ("舒", 5), ("聂", 5), ("游", 5), ("饶", 5), ("甘", 4), ("严", 4), ("袁", 4), ("汪", 4), ("雷", 4),
    ("蔡", 4), ("邱", 4), ("闵", 3), ("熊", 3), ("戴", 3), ("艾", 3), ("吕", 3), ("易", 3), ("梅", 3),
)

# Given-name characters by sex and generation (births before 1960, 1960–1989, 1990–2009, from 2010).
_GIVEN = {
    ("1", 0): "国建华明德福贵金水根生春发桂才有荣林茂寿忠宝全仁义礼山和财兴旺顺昌",
    ("2", 0): "秀英兰珍桂花凤梅玉莲芳琴翠香淑彩菊娥美珠仙金月云秋爱凤招娣",
    ("1", 1): "建军伟平勇军强斌涛辉波峰华明刚亮东红卫杰文锋志兵鹏海清新胜利",
    ("2", 1): "丽红霞艳芳燕萍敏静玲娟英华丽美秀琴莉红梅晓慧雪娜春平蓉",
    ("1", 2): "浩宇杰晨鑫磊博涛俊凯文轩超阳鹏飞豪帅振宇航昊天然洋旭",
    ("2", 2): "婷佳雪倩颖琳欣怡蕾丹悦璐瑶梦晶洁静雯莹思艺慧萱妍",
    ("1", 3): "子轩浩然宇航梓睿一诺俊熙博文铭泽沐辰宇轩奕辰皓轩锦程承泽嘉懿",
    ("2", 3): "子涵梓涵欣怡诗涵语桐一诺若汐雨萱可馨梓萱思彤依诺沐晴语嫣芷若",
}

# Person names that appear in the project's source documents (../shared/seeds): never generated.
NOT_NAMES = frozenset(
    "艾斌 李建中 周平柱 万先国 龚明策 龚斯明 黄明 胡萍 胡丽云 章兴智 洪永星 朱彬 姜涛 刘鹏 刘阴军 刘淑 万绍芳 "
    "万淑梅 万强辉 高国平 饶山东 雷珊珊 陈燕平 郭军 赵进成 赵康 胡华 罗福英 章志燕 章健 王秋平 王丽君 熊琦 熊光玉 "
    "江春红 杨武 杜亮 李耀明 朱世平 曹丽英 普晓娟 张飞 张治伟 孙美华 吴高峰 刘蓉 付辉 万红花 万云霞".split()
)

# A rural age pyramid (share per 5-year band, 0–4 … 95–99): many people of 60 and over, fewer of 20–40,
# whose generation works in the cities (the "hollowed" middle of a county population).
AGE_BANDS = (4.0, 5.5, 6.0, 5.0, 3.5, 3.5, 4.5, 5.0, 5.5, 7.0, 8.5, 8.5, 8.0, 8.0, 6.5, 4.5, 3.0, 1.5, 0.6, 0.2)

# Relation to the head of household (GB/T 4761, abridged as people.models.Relation).
REL_HEAD, REL_SPOUSE, REL_CHILD, REL_GRANDCHILD = "head", "spouse", "child", "grandchild"
REL_PARENT, REL_CHILD_IN_LAW = "parent", "child_in_law"

MOBILE_PREFIXES = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152",
                   "155", "157", "158", "159", "166", "173", "177", "180", "181", "182", "186", "187",
                   "188", "189", "191", "198", "199")


@dataclass
class Person:
    name: str
    sex: str  # GB/T 2261.1: "1" 男, "2" 女
    birth_date: dt.date
    relation: str  # relation to the head of household (people.models.Relation)
    id_number: str
    phone: str = ""

    def age_on(self, day: dt.date) -> int:
        return day.year - self.birth_date.year - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))


@dataclass
class Household:
    members: list[Person] = field(default_factory=list)

    @property
    def head(self) -> Person:
        return self.members[0]


class PeopleFactory:
    """Makes households of synthetic villagers. One factory per build: it keeps ID numbers and phone
    numbers unique across everything it makes."""

    def __init__(self, rng: random.Random, today: dt.date, address_code: str = SYNTHETIC_ADDRESS_CODE):
        self.rng = rng
        self.today = today
        self.address_code = address_code
        self._serials: dict[tuple[dt.date, str], int] = {}
        self._phones: set[str] = set()
        surnames, weights = zip(*SURNAMES, strict=True)
        self._surnames = surnames
        self._surname_cum = list(itertools.accumulate(weights))
        self._band_cum = list(itertools.accumulate(AGE_BANDS))

    # --- single attributes -----------------------------------------------------------------------------
    def surname(self) -> str:
        r = self.rng.random() * self._surname_cum[-1]
        return self._surnames[bisect.bisect_right(self._surname_cum, r)]

    def given_name(self, sex: str, birth_year: int) -> str:
        generation = 0 if birth_year < 1960 else 1 if birth_year < 1990 else 2 if birth_year < 2010 else 3
        pool = _GIVEN[(sex, generation)]
        if generation == 3 and self.rng.random() < 0.7:  # the newest names come in pairs
            pairs = [pool[i:i + 2] for i in range(0, len(pool) - 1, 2)]
            return self.rng.choice(pairs)
        if self.rng.random() < 0.35:
            return self.rng.choice(pool)
        return self.rng.choice(pool) + self.rng.choice(pool)

    def name(self, surname: str, sex: str, birth_year: int) -> str:
        for _ in range(20):
            full = surname + self.given_name(sex, birth_year)
            if full not in NOT_NAMES:
                return full
        return surname + "某"

    def age(self, low: int = 0, high: int = 99) -> int:
        """An age drawn from the rural pyramid, limited to [low, high]."""
        first, last = low // 5, min(high // 5, len(AGE_BANDS) - 1)
        cum = self._band_cum
        base = cum[first - 1] if first else 0.0
        r = base + self.rng.random() * (cum[last] - base)
        band = bisect.bisect_right(cum, r)
        return max(low, min(high, band * 5 + self.rng.randrange(5)))

    def birth_date(self, age: int) -> dt.date:
        latest = self.today.replace(year=self.today.year - age) if not (self.today.month == 2 and self.today.day == 29) \
            else dt.date(self.today.year - age, 2, 28)
        return latest - dt.timedelta(days=self.rng.randrange(365))

    def id_number(self, birth_date: dt.date, sex: str) -> str:
        """360199 + YYYYMMDD + serial (odd for men, even for women) + check character; unique per factory."""
        key = (birth_date, sex)
        serial = self._serials.get(key, 1 if sex == "1" else 2)
        if serial > 999:
            raise ValueError("too many synthetic people born on one day")
        self._serials[key] = serial + 2
        first17 = f"{self.address_code}{birth_date:%Y%m%d}{serial:03d}"
        return first17 + check_character(first17)

    def phone(self) -> str:
        while True:
            number = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if number not in self._phones:
                self._phones.add(number)
                return number

    def person(self, surname: str, sex: str, age: int, relation: str) -> Person:
        birth = self.birth_date(age)
        has_phone = 16 <= age <= 80 or (age > 80 and self.rng.random() < 0.3)
        return Person(name=self.name(surname, sex, birth.year), sex=sex, birth_date=birth, relation=relation,
                      id_number=self.id_number(birth, sex), phone=self.phone() if has_phone else "")

    # --- households ------------------------------------------------------------------------------------
    def household(self) -> Household:
        """One household: a head, a spouse, children, grandchildren or an old parent, by the usual rural
        shapes — older couples on their own, three generations, young families, older people living
        alone, grandparents with the grandchildren whose parents work away."""
        rng = self.rng
        shape = rng.random()
        surname = self.surname()
        members: list[Person] = []
        if shape < 0.30:  # an older couple on their own (空巢)
            age = self.age(58, 88)
            members.append(self.person(surname, "1", age, REL_HEAD))
            members.append(self.person(self.surname(), "2", max(50, age - rng.randrange(0, 6)), REL_SPOUSE))
        elif shape < 0.62:  # three generations: head, spouse, children, one or two old parents
            age = self.age(32, 56)
            members.append(self.person(surname, "1", age, REL_HEAD))
            members.append(self.person(self.surname(), "2", max(22, age - rng.randrange(0, 5)), REL_SPOUSE))
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                sex = rng.choice("12")
                members.append(self.person(surname, sex, rng.randrange(0, max(1, min(age - 20, 30))),
                                           REL_CHILD))
            old = min(99, age + rng.randrange(24, 32))
            if rng.random() < 0.6:
                members.append(self.person(surname, "1", old, REL_PARENT))
            members.append(self.person(self.surname(), "2", min(99, old - rng.randrange(0, 4)), REL_PARENT))
        elif shape < 0.80:  # a young family
            age = self.age(25, 45)
            members.append(self.person(surname, "1", age, REL_HEAD))
            members.append(self.person(self.surname(), "2", max(20, age - rng.randrange(0, 4)), REL_SPOUSE))
            for _ in range(rng.choice((1, 2, 2))):
                sex = rng.choice("12")
                members.append(self.person(surname, sex, rng.randrange(0, max(1, age - 21)),
                                           REL_CHILD))
        elif shape < 0.90:  # an older person living alone, more often a widow
            sex = "2" if rng.random() < 0.65 else "1"
            members.append(self.person(surname, sex, self.age(65, 99), REL_HEAD))
        else:  # grandparents with grandchildren, the parents (registered here) working in the city
            age = self.age(56, 76)
            members.append(self.person(surname, "1", age, REL_HEAD))
            members.append(self.person(self.surname(), "2", max(50, age - rng.randrange(0, 5)), REL_SPOUSE))
            son_age = max(22, age - rng.randrange(23, 30))
            members.append(self.person(surname, "1", son_age, REL_CHILD))
            members.append(self.person(self.surname(), "2", max(20, son_age - rng.randrange(0, 4)),
                                       REL_CHILD_IN_LAW))
            for _ in range(rng.choice((1, 2))):
                sex = rng.choice("12")
                members.append(self.person(surname, sex, rng.randrange(0, max(1, min(son_age - 20, 15))),
                                           REL_GRANDCHILD))
        return Household(members=members)

    def village(self, residents: int) -> list[Household]:
        """Households until the village has about ``residents`` people."""
        households, count = [], 0
        while count < residents:
            household = self.household()
            households.append(household)
            count += len(household.members)
        return households


# --- care: volume, place and cost ------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Visit:
    tier: str  # "village" / "township" / "county"
    kind: str  # "outpatient" / "inpatient" / "emergency"
    visit_date: dt.date
    discharge_date: dt.date | None
    diagnosis: str
    is_tcm: bool
    # amounts in fen (integers: fast to make in bulk, exact)
    total: int
    drug: int
    consumables: int
    service: int
    insured: int

    def costs(self) -> dict[str, Decimal]:
        """The five cost fields of an encounter, in yuan."""
        return {"total_cost": Decimal(self.total).scaleb(-2), "drug_cost": Decimal(self.drug).scaleb(-2),
                "consumables_cost": Decimal(self.consumables).scaleb(-2),
                "medical_service_income": Decimal(self.service).scaleb(-2),
                "insurance_paid": Decimal(self.insured).scaleb(-2)}


# Cost ranges in yuan per (tier, kind) and the shares of drugs, consumables, medical service income and
# of the insurance fund: outpatient 30–60 at a village clinic, 80–150 at a township centre, 250–400 at a
# county hospital; stays 2,500–4,000 at a township, 8,000–12,000 at the county; the drug share is lower
# at the county; insurance pays 50–70 % of a stay.
COSTS = {
    ("village", "outpatient"): ((30, 60), (0.50, 0.56), (0.03, 0.06), (0.18, 0.26), (0.40, 0.55)),
    ("township", "outpatient"): ((80, 150), (0.46, 0.53), (0.04, 0.08), (0.20, 0.28), (0.35, 0.50)),
    ("township", "inpatient"): ((2500, 4000), (0.42, 0.50), (0.08, 0.12), (0.24, 0.32), (0.62, 0.70)),
    ("township", "emergency"): ((120, 260), (0.42, 0.50), (0.06, 0.10), (0.22, 0.30), (0.30, 0.45)),
    ("county", "outpatient"): ((250, 400), (0.38, 0.45), (0.05, 0.09), (0.22, 0.30), (0.25, 0.40)),
    ("county", "inpatient"): ((8000, 12000), (0.34, 0.42), (0.12, 0.18), (0.26, 0.34), (0.50, 0.62)),
    ("county", "emergency"): ((350, 700), (0.36, 0.44), (0.08, 0.12), (0.24, 0.32), (0.25, 0.40)),
}
STAY_DAYS = {"township": (4, 9), "county": (6, 12)}

# Primary diagnoses by place (codes of the shipped ICD-10 subset, data/icd10_subset.csv), weighted.
DIAGNOSES = {
    ("village", "outpatient"): (("I10.x00", 30), ("E11.900", 12), ("J06.900", 18), ("J20.900", 6),
                                ("K29.700", 6), ("M54.500", 6), ("J02.900", 6), ("M17.900", 4),
                                ("R51.x00", 3), ("K30.x00", 3), ("J44.900", 3), ("Z00.000", 3)),
    ("township", "outpatient"): (("I10.x00", 22), ("E11.900", 10), ("J06.900", 12), ("J20.900", 8),
                                 ("K29.700", 8), ("M54.500", 6), ("M47.800", 4), ("J44.900", 4),
                                 ("N39.000", 3), ("I25.100", 4), ("G47.000", 2), ("L30.900", 3),
                                 ("H10.900", 2), ("K02.900", 3), ("Z00.000", 3)),
    ("township", "inpatient"): (("J18.900", 20), ("J44.100", 14), ("I63.900", 10), ("I10.x00", 8),
                                ("E11.900", 6), ("I25.100", 8), ("K29.700", 6), ("N39.000", 4),
                                ("J20.900", 8), ("M54.500", 4), ("I50.900", 4)),
    ("township", "emergency"): (("S01.900", 6), ("T14.000", 6), ("J18.900", 4), ("R10.400", 4), ("I10.x00", 3)),
    ("county", "outpatient"): (("I10.x00", 14), ("E11.900", 10), ("I25.100", 8), ("J44.900", 5),
                               ("K29.700", 6), ("M17.900", 5), ("N20.000", 4), ("H25.900", 4),
                               ("C34.900", 2), ("O80.900", 2), ("K80.200", 3), ("M47.800", 4),
                               ("F32.900", 2), ("G40.900", 1), ("F20.900", 1)),
    ("county", "inpatient"): (("I63.900", 16), ("J18.900", 12), ("I21.900", 6), ("J44.100", 8),
                              ("K80.200", 6), ("S72.000", 5), ("C34.900", 5), ("O80.900", 6),
                              ("K35.800", 4), ("N20.000", 4), ("I50.900", 6), ("E11.900", 4),
                              ("H25.900", 4), ("C16.900", 2)),
    ("county", "emergency"): (("S06.000", 4), ("I63.900", 4), ("R07.400", 4), ("T14.000", 6), ("S72.000", 2)),
}
CHILD_DIAGNOSES = {
    "outpatient": (("J06.900", 30), ("J20.900", 10), ("J02.900", 10), ("A09.900", 8), ("L30.900", 5),
                   ("H66.900", 4), ("K02.900", 5), ("Z00.000", 6)),
    "inpatient": (("J18.900", 30), ("J20.900", 10), ("A09.900", 8)),
    "emergency": (("S01.900", 4), ("T14.000", 4), ("R50.900", 6)),
}
# Diagnoses only a woman of child-bearing age (or past it, for N95) can have.
WOMEN_ONLY = {"O80.900": (18, 45), "Z34.900": (18, 45), "N95.100": (45, 60)}
TCM_DIAGNOSES = (("M54.500", 20), ("M47.800", 16), ("G47.000", 12), ("M17.900", 10), ("K30.x00", 8),
                 ("I63.900", 6), ("R51.x00", 6), ("J06.900", 6), ("N95.100", 4), ("M75.000", 8))


_CUMULATIVE: dict[int, tuple[tuple[str, ...], list[float]]] = {}


def _weighted(rng: random.Random, pairs) -> str:
    table = _CUMULATIVE.get(id(pairs))
    if table is None:
        values, weights = zip(*pairs, strict=True)
        table = _CUMULATIVE[id(pairs)] = (values, list(itertools.accumulate(weights)))
    values, cum = table
    return values[bisect.bisect_right(cum, rng.random() * cum[-1])]


def visit_costs(rng: random.Random, tier: str, kind: str, days: int = 1) -> tuple[int, int, int, int, int]:
    """(total, drug, consumables, medical service income, insurance paid) in fen; the parts never exceed
    the total."""
    (low, high), drug, consumables, service, insured = COSTS[(tier, kind)]
    total = rng.uniform(low, high) * 100
    if kind == "inpatient":
        total *= 0.75 + 0.25 * days / (sum(STAY_DAYS[tier]) / 2)
    uniform = rng.uniform
    total_f = round(total)
    drug_f = round(total * uniform(*drug))
    consumables_f = round(total * uniform(*consumables))
    service_f = min(round(total * uniform(*service)), total_f - drug_f - consumables_f)
    return total_f, drug_f, consumables_f, service_f, round(total * uniform(*insured))


def yearly_visits(rng: random.Random, age: int, *, rate: float = 1.0) -> int:
    """Encounters of one resident in one year: older people come far more often (county average about 10 a
    year at ``rate`` 1.0); ``rate`` scales it down for the small demo scales."""
    mean = 3.0 if age < 15 else 4.0 if age < 45 else 9.0 if age < 60 else 16.0 if age < 75 else 20.0
    mean *= rate
    whole = int(mean)
    return whole + (1 if rng.random() < mean - whole else 0) + (rng.randrange(-1, 2) if whole >= 2 else 0)


def visit(rng: random.Random, *, age: int, sex: str, start: dt.date, end: dt.date, tcm_places: tuple[str, ...] = ()) -> Visit:
    """One encounter in [start, end]: where (village, township or county, by the usual split of a county's
    visits), what kind, what for, and what it cost. ``tcm_places`` are the tiers where a TCM visit may
    happen ("county" for the TCM hospital, "township" for a centre with a TCM department)."""
    r = rng.random()
    tier = "village" if r < 0.45 else "township" if r < 0.80 else "county"
    k = rng.random()
    older = age >= 60
    if tier == "village":
        kind = "outpatient"
    elif k < (0.06 if older else 0.025) * (1.0 if tier == "township" else 1.4):
        kind = "inpatient"
    elif k > 0.97:
        kind = "emergency"
    else:
        kind = "outpatient"
    span = (end - start).days
    day = start + dt.timedelta(days=rng.randrange(max(1, span + 1)))
    discharge = None
    days = 1
    if kind == "inpatient":
        days = rng.randint(*STAY_DAYS[tier])
        discharge = day + dt.timedelta(days=days)
        if discharge > end:  # still in hospital at the end of the window
            discharge = None
    is_tcm = tier in tcm_places and kind == "outpatient" and rng.random() < (0.30 if tier == "county" else 0.12)
    if age < 15 and not is_tcm:
        diagnosis = _weighted(rng, CHILD_DIAGNOSES[kind])
    else:
        diagnosis = _weighted(rng, TCM_DIAGNOSES if is_tcm else DIAGNOSES[(tier, kind)])
    if diagnosis == "O80.900" and kind != "inpatient":
        diagnosis = "Z34.900"  # an antenatal check, not a delivery, in an outpatient clinic
    if diagnosis in WOMEN_ONLY:
        low, high = WOMEN_ONLY[diagnosis]
        if sex != "2" or not low <= age <= high:
            diagnosis = "I10.x00" if age >= 40 else "J06.900"
    return Visit(tier, kind, day, discharge, diagnosis, is_tcm, *visit_costs(rng, tier, kind, days))
