"""Key populations: derived from the birth date at a date, programme registry, manual tags."""
import datetime as dt

from yigongti.people import keypops
from yigongti.people.models import Resident, ResidentTag

from .conftest import register


def test_children_and_older_people_on_a_date(scenario):
    on = dt.date(2025, 6, 1)
    child = register(scenario, name="小明", document_type="none", birth_date=dt.date(2018, 6, 2), sex="1")
    old = register(scenario, name="老李", document_type="none", birth_date=dt.date(1960, 6, 1), sex="1")
    assert keypops.derived_of(child, on) == [keypops.CHILDREN_0_6]
    assert keypops.derived_of(old, on) == [keypops.OLDER_65]
    assert keypops.derived_of(child, dt.date(2025, 6, 2)) == []
    assert set(Resident.objects.filter(keypops.derived_q(keypops.CHILDREN_0_6, on))) == {child}
    assert set(Resident.objects.filter(keypops.derived_q(keypops.OLDER_65, on))) == {old}


def test_programmes_and_tags_show(scenario):
    r = register(scenario)
    keypops.register_programme("test_htn", "高血压患者", lambda: ResidentTag.objects.filter(tag="disabled")
                               .values("resident_id"))
    try:
        from yigongti.people import actions

        actions.add_tag(scenario.village_doctor_a, r, "disabled")
        codes = {p.code for p in keypops.populations_of(r, scenario.village_doctor_a, dt.date(2025, 1, 1))}
        assert codes == {"older_65", "test_htn", "disabled"}
    finally:
        keypops._programmes.pop("test_htn", None)
