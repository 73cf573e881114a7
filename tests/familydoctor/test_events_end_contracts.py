"""Death and moving away end the active contract (by event); a merge re-points contracts and an undo puts
them back."""
import datetime as dt

from yigongti.familydoctor.models import Contract
from yigongti.people import actions as people

from .conftest import register, sign


def test_death_and_moving_away_terminate_with_the_reason(scenario, team):
    a, b = register(scenario, name="甲"), register(scenario, name="乙")
    ca, cb = sign(scenario, team, a), sign(scenario, team, b)
    people.record_death(scenario.village_doctor_a, a, dt.date(2026, 6, 1))
    people.record_move_away(scenario.village_doctor_a, b, dt.date(2026, 7, 1))
    ca.refresh_from_db()
    cb.refresh_from_db()
    assert (ca.status, ca.end_reason, ca.ended_on) == ("terminated", "died", dt.date(2026, 6, 1))
    assert (cb.status, cb.end_reason, cb.ended_on) == ("terminated", "moved", dt.date(2026, 7, 1))


def test_merge_keeps_one_active_contract_and_undo_restores(scenario, team):
    kept, dup = register(scenario, name="合并甲"), register(scenario, name="合并乙")
    ck, cd = sign(scenario, team, kept), sign(scenario, team, dup)
    merge = people.merge_residents(scenario.village_doctor_a, kept, dup, "重复")
    cd.refresh_from_db()
    assert cd.resident_id == kept.pk and cd.status == "terminated"
    assert Contract.objects.filter(resident=kept, status="active").get() == ck
    people.undo_merge(scenario.village_doctor_a, merge)
    cd.refresh_from_db()
    assert cd.resident_id == dup.pk
