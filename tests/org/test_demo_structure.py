"""The demo county structure: seed 000's Xiangtang, every role has a demo account, deterministic."""
from django.db import transaction

from yigongti.demo.registry import DemoContext
from yigongti.org.demo import XIANGTANG_VILLAGES, build_structure
from yigongti.org.models import Area, Institution, PopulationDenominator, ReservedBed, Role, StaffRole, User


def _build(scale="tiny", seed=1):
    ctx = DemoContext(scale=scale, seed=seed, log=lambda line: None)
    build_structure(ctx)
    return ctx


def test_tiny_structure(db):
    _build()
    assert Area.objects.get(level="county").code == "360121"
    xiangtang = Area.objects.get(name="向塘镇")
    assert set(xiangtang.children.values_list("name", flat=True)) == set(XIANGTANG_VILLAGES[:2])
    assert Institution.objects.filter(is_lead=True).count() == 2
    assert Institution.objects.get(name__contains="向塘镇中心卫生院").is_subcentre
    assert ReservedBed.objects.filter(institution__name="南昌县人民医院").count() == 5
    held = set(StaffRole.objects.filter(membership__user__username__startswith="demo-").values_list("role", flat=True))
    assert held >= set(Role.values) - {Role.HIV_CARE}
    assert PopulationDenominator.objects.filter(year=2026).exists()
    assert all(u.check_password("yigongti-demo-2026") for u in User.objects.filter(username="demo-office"))


def test_demo_scale_has_xiangtang_by_the_contact_card(db):
    _build("demo")
    xiangtang = Area.objects.get(name="向塘镇")
    assert xiangtang.children.filter(level="village").count() == len(XIANGTANG_VILLAGES)
    assert xiangtang.children.filter(level="community").count() == 8
    assert {"蒋巷镇", "莲塘镇", "幽兰镇"} <= set(Area.objects.filter(level="township").values_list("name", flat=True))
    clinic = Institution.objects.filter(kind="village_clinic", service_areas__isnull=False)
    assert any(c.service_areas.count() == 2 for c in clinic)  # one clinic serves two villages


def _names_after_build(seed):
    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            _build(seed=seed)
            names = list(User.objects.order_by("username").values_list("username", "full_name", "phone"))
            raise Undo
    except Undo:
        return names


def test_it_is_deterministic_for_a_seed(db):
    assert _names_after_build(7) == _names_after_build(7)
    assert _names_after_build(7) != _names_after_build(8)
