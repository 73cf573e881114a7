"""Public-health funds (seed 000: 40 % village clinics; 60 % half operating, half performance), the village part
allocated to the clinics by the services delivered in the period; contract fees as the family-doctor module
split them."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.chronic.helpers import enrolment, followup
from yigongti.finance import actions, queries

D = Decimal
pytestmark = pytest.mark.django_db


def test_the_fund_splits_40_60_and_the_village_part_follows_the_services(scenario):
    for _ in range(3):
        followup(scenario, enrolment(scenario, village="village_a"), visit_date=dt.date(2026, 11, 3))
    followup(scenario, enrolment(scenario, village="village_c"), visit_date=dt.date(2026, 11, 3))
    fund = actions.save_public_health_fund(scenario.consortium_office, name="2026年第四季度基本公卫",
                                           start=dt.date(2026, 10, 1), end=dt.date(2026, 12, 31), total="100000")
    fund = actions.allocate_public_health(scenario.consortium_office, fund)
    a = fund.allocation
    assert {k: D(v) for k, v in a["split"].items()} == {"village": D("40000.00"), "township.operating": D("30000.00"),
                                                        "township.performance": D("30000.00")}
    clinics = {c["institution_id"]: c for c in a["clinics"]}
    assert clinics[scenario.clinic_a.pk]["services"] == 3 and clinics[scenario.clinic_c.pk]["services"] == 1
    assert D(clinics[scenario.clinic_a.pk]["amount"]) == D("30000.00")
    assert D(clinics[scenario.clinic_b.pk]["amount"]) == D("0.00")
    assert sum(D(c["amount"]) for c in a["clinics"]) == D("40000.00")


def test_only_the_finance_role_and_bad_input_is_a_field_error(scenario):
    with pytest.raises(PermissionDenied):
        actions.save_public_health_fund(scenario.institution_admin_t1, name="x", start=dt.date(2026, 1, 1),
                                        end=dt.date(2026, 3, 31), total="1")
    with pytest.raises(ValidationError) as exc:
        actions.save_public_health_fund(scenario.consortium_office, name="x", start=dt.date(2026, 3, 1),
                                        end=dt.date(2026, 1, 31), total="1")
    assert "end" in exc.value.message_dict


def test_contract_fees_are_read_as_the_family_doctor_module_split_them(scenario):
    from tests.familydoctor.conftest import sign
    from tests.referrals.helpers import resident
    from yigongti.familydoctor import actions as fd

    team = fd.create_team(scenario.township_doctor, institution=scenario.centre_1, name="东湖1团队",
                          leader=scenario.township_doctor, areas=[scenario.village_a])
    contract = sign(scenario, team, resident(scenario))
    rows = queries.contract_fees(dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert rows == [{"institution_id": scenario.centre_1.pk, "name": scenario.centre_1.name, "contracts": 1,
                     "total": contract.fee_total, "insurance": contract.fee_insurance,
                     "public_health": contract.fee_public_health, "resident": contract.fee_resident}]
