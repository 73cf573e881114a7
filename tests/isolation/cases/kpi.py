"""Indicators: aggregates (no personal data) for every staff role but the three administrators; the
dashboard and periods for the oversight roles; closing a period for the consortium office; drill-downs list
only the records the user may see."""
import datetime as dt
import random
from decimal import Decimal

from yigongti.kpi.models import ClosedPeriod
from yigongti.org.models import Role
from yigongti.rules import idcard

from ..framework import Case

AGGREGATES = frozenset(Role.values) - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}
OVERSIGHT = {Role.CONSORTIUM_OFFICE, Role.HEALTH_BUREAU}
CODE = {"code": "effect.drug_share"}


def _village_a_encounter(s) -> str:
    """A resident of village A with an encounter at clinic A; returns the name a drill-down shows."""
    from yigongti.people import actions
    from yigongti.people.models import Icd10Code

    Icd10Code.objects.get_or_create(code="I10.x00", defaults={"name": "原发性高血压"})
    born = dt.date(1950, 6, 1)
    resident = actions.register_resident(
        s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="隔离测试甲", sex="1", birth_date=born,
        id_number=idcard.synthetic_id(random.Random(5), born, "1"), force=True)
    actions.record_encounter(s.village_doctor_a, institution=s.clinic_a, resident=resident, kind="outpatient",
                             visit_date=dt.date(2026, 3, 2), primary_diagnosis="I10.x00",
                             total_cost=Decimal("80.00"), drug_cost=Decimal("40.00"))
    return resident.name


CASES = {
    "kpi:catalog": Case.roles(AGGREGATES),
    "kpi:indicator": Case.roles(AGGREGATES, kwargs=lambda s: CODE),
    "kpi:report": Case.roles(AGGREGATES),
    "kpi:dashboard": Case.roles(OVERSIGHT),
    "kpi:periods": Case.roles(OVERSIGHT),
    "kpi:close": Case.roles({Role.CONSORTIUM_OFFICE}, method="POST", payload=lambda s: {"period": "2025-01"},
                            snapshot=lambda s: ClosedPeriod.objects.count()),
    "kpi:drill": Case.scoped(
        owner="village_doctor_a", kwargs=lambda s: CODE, hidden=_village_a_encounter,
        query=lambda s: f"period=2026&cut=institution:{s.clinic_a.pk}",
        outsiders=("village_doctor_b", "village_doctor_c", "other_township_doctor", "county_specialist")),
    "api:kpi-indicators": Case.roles(AGGREGATES, api=True),
    "api:kpi-indicator-values": Case.roles(AGGREGATES, kwargs=lambda s: CODE, api=True),
}
