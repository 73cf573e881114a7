"""The adapter boundary for slots: the local source by default, an HIS adapter named per institution code."""
from yigongti.experts import slot_sources
from yigongti.experts.models import Booking

from . import helpers


class FakeHis:
    def open_sessions(self, institution, start, end):
        return []

    def book(self, actor, session_id, resident, **kw):
        raise NotImplementedError

    def cancel(self, actor, booking_id, reason=""):
        raise NotImplementedError


def test_the_local_source_serves_this_apps_slots(scenario):
    s = scenario
    session = helpers.session(s, capacity=3, reserved=1)
    source = slot_sources.source_for(s.centre_1)
    assert isinstance(source, slot_sources.LocalSlotSource)
    found = source.open_sessions(s.centre_1, session.date, session.date)
    assert [o.id for o in found] == [str(session.pk)] and found[0].free == 3
    ref = source.book(s.township_doctor, str(session.pk), helpers.resident(s))
    assert ref.session_id == str(session.pk)
    source.cancel(s.township_doctor, ref.id, "改期")
    assert Booking.objects.get(pk=int(ref.id)).status == "cancelled"


def test_an_his_adapter_is_named_per_institution(scenario, settings):
    settings.YIGONGTI_EXPERTS = {"SLOT_SOURCES": {scenario.county_hospital.code: f"{__name__}.FakeHis"}}
    assert isinstance(slot_sources.source_for(scenario.county_hospital), FakeHis)
    assert isinstance(slot_sources.source_for(scenario.centre_1), slot_sources.LocalSlotSource)
