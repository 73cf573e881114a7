"""Property: after any sequence of creates, edits, back-dated edits and deletes, the live rollups equal a
rebuild from the raw encounters."""
import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from yigongti.kpi import encounters
from yigongti.kpi.models import EncounterRollup

from . import people_adapter

INSTITUTIONS = ["county_hospital", "centre_1", "centre_2", "clinic_a"]
money = st.decimals(min_value=Decimal("0.00"), max_value=Decimal("9999.99"), places=2)
days = st.dates(min_value=dt.date(2024, 11, 1), max_value=dt.date(2025, 2, 28))
encounter = st.fixed_dictionaries({
    "institution": st.sampled_from(INSTITUTIONS),
    "kind": st.sampled_from(["outpatient", "emergency", "inpatient"]),
    "visit_date": days,
    "stay_days": st.one_of(st.none(), st.integers(min_value=0, max_value=40)),
    "total_cost": money, "drug_share": st.integers(0, 100), "is_tcm": st.booleans(),
})
step = st.one_of(
    st.tuples(st.just("create"), encounter),
    st.tuples(st.just("edit"), st.integers(0, 50), encounter),
    st.tuples(st.just("delete"), st.integers(0, 50)),
)


def _fields(county, spec):
    total = spec["total_cost"]
    discharge = None
    if spec["kind"] == "inpatient" and spec["stay_days"] is not None:
        discharge = spec["visit_date"] + dt.timedelta(days=spec["stay_days"])
    return {"institution": county.inst(spec["institution"]), "kind": spec["kind"],
            "visit_date": spec["visit_date"].isoformat(),
            "discharge_date": discharge.isoformat() if discharge else None,
            "total_cost": str(total), "drug_cost": str((total * spec["drug_share"] / 100).quantize(Decimal("0.01"))),
            "medical_service_income": "0.00", "is_tcm": spec["is_tcm"]}


def _live():
    return {(r.institution_id, r.month, r.kind, r.is_tcm): tuple(getattr(r, n) for n in encounters.SUMS)
            for r in EncounterRollup.objects.all() if any(getattr(r, n) for n in encounters.SUMS)}


@pytest.mark.django_db(transaction=False)
def test_live_rollups_equal_a_rebuild_after_any_sequence(county):
    people_adapter.require()
    resident = people_adapter.resident(county, "village_a")

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.lists(step, min_size=1, max_size=12))
    def run(steps):
        with transaction.atomic():
            made = []
            for action in steps:
                if action[0] == "create":
                    made.append(people_adapter.create(county, resident, **_fields(county, action[1])))
                elif made and action[0] == "edit":
                    target = made[action[1] % len(made)]
                    changes = _fields(county, action[2])
                    changes.pop("institution")  # an encounter stays at its institution
                    made[action[1] % len(made)] = people_adapter.edit(county, target, **changes)
                elif made and action[0] == "delete":
                    people_adapter.delete(county, made.pop(action[1] % len(made)))
            live = _live()
            encounters.rebuild()
            assert live == _live()
            transaction.set_rollback(True)

    run()
