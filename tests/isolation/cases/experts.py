"""Experts down to the townships: the county specialist holds a session at township centre 1, where the
township doctor (the family doctor of village A's residents) books a resident; village A's doctor asks the
specialist for a remote consultation. Timetables, sessions and outreach figures carry no personal data; the
bookings of a session show only residents the user may see; writes need the right institution."""
from django.utils import timezone

from ..framework import Case

OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "system_admin", "security_admin",
             "audit_admin")
NAME = "隔离专家预约甲"


def _resident(s):
    if not hasattr(s, "_ex_resident"):
        from tests.experts import helpers

        s._ex_resident = helpers.resident(s, name=NAME)
    return s._ex_resident


def _session(s):
    if not hasattr(s, "_ex_session"):
        from tests.experts import helpers

        s._ex_session = helpers.session(s, capacity=6, reserved=2)
    return s._ex_session


def _booking(s):
    if not hasattr(s, "_ex_booking"):
        from yigongti.experts import actions

        s._ex_booking = actions.book_slot(s.township_doctor, _session(s), _resident(s))
    return s._ex_booking


def _consultation(s):
    if not hasattr(s, "_ex_consultation"):
        from yigongti.experts import actions

        s._ex_consultation = actions.request_consultation(
            s.village_doctor_a, institution=s.clinic_a, resident=_resident(s), specialist=s.county_specialist,
            mode="instant", question="隔离会诊问题：血压控制不佳")
    return s._ex_consultation


def _bookings(s):
    from yigongti.experts.models import Booking

    return sorted(Booking.objects.values_list("pk", "status"))


def _consultation_status(s):
    from yigongti.experts.models import Consultation

    return Consultation.objects.get(pk=_consultation(s).pk).status


def _outreach_count(s):
    from yigongti.experts.models import OutreachActivity

    return OutreachActivity.objects.count()


def _outreach_payload(s):
    return {"kind": "lecture", "institution": s.centre_1.pk, "date": timezone.localdate().isoformat(),
            "topic": "高血压基层诊疗指南", "experts": [s.county_specialist.pk], "participants": 30, "count": 1}


def _secondment_count(s):
    from yigongti.experts.models import Secondment

    return Secondment.objects.count()


def _secondment_payload(s):
    return {"staff": s.county_specialist.pk, "home_institution": s.county_hospital.pk, "institution": s.centre_1.pk,
            "role": "rotating_expert", "specialty": "骨科", "start_date": "2026-01-02"}


def _api_booking_payload(s):
    return {"session": _session(s).pk, "resident": _resident(s).pk}


CASES = {
    "experts:index": Case.signed_in(note="the user's own sessions and institutions only"),
    "experts:timetable": Case.signed_in(kwargs=lambda s: {"pk": s.centre_1.pk},
                                        note="a timetable carries no personal data"),
    "experts:timetable_manage": Case.scoped(
        owner="institution_admin_t1", outsiders=(*OUTSIDERS, "township_doctor", "county_specialist", "village_doctor_a"),
        kwargs=lambda s: {"pk": (_session(s), s.centre_1.pk)[1]}, method="POST",
        payload=lambda s: {"op": "generate", "start": _session(s).date.isoformat(),
                           "end": (_session(s).date + timezone.timedelta(days=14)).isoformat()},
        snapshot=lambda s: __import__("yigongti.experts.models", fromlist=["Session"]).Session.objects.count()),
    "experts:session": Case.scoped(owner="county_specialist", outsiders=OUTSIDERS,
                                   kwargs=lambda s: {"pk": _booking(s).session_id}, hidden=lambda s: NAME),
    "experts:book": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "county_specialist"),
                                kwargs=lambda s: {"pk": _session(s).pk}, method="POST",
                                payload=lambda s: {"resident": _resident(s).pk}, snapshot=_bookings),
    "experts:booking_step": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "county_specialist"),
                                        kwargs=lambda s: {"pk": _booking(s).pk, "step": "cancel"}, method="POST",
                                        snapshot=_bookings),
    "experts:consultations": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS,
                                         hidden=lambda s: (_consultation(s), NAME)[1]),
    "experts:consultation_new": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS,
                                            query=lambda s: f"resident={_resident(s).pk}"),
    "experts:consultation": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS,
                                        kwargs=lambda s: {"pk": _consultation(s).pk}),
    "experts:consultation_answer": Case.scoped(
        owner="county_specialist", outsiders=(*OUTSIDERS, "village_doctor_a", "township_doctor"),
        kwargs=lambda s: {"pk": _consultation(s).pk}, method="POST",
        payload=lambda s: {"answer": "建议调整降压药", "video_call": "on"}, snapshot=_consultation_status),
    "experts:outreach": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "village_doctor_a"),
                                    method="POST", payload=_outreach_payload, snapshot=_outreach_count),
    "experts:secondments": Case.scoped(owner="consortium_office",
                                       outsiders=(*OUTSIDERS, "township_doctor", "institution_admin_t1"),
                                       method="POST", payload=_secondment_payload, snapshot=_secondment_count),
}


def _entry_pk(s):
    return {"pk": _session(s).entry_id}


def _outreach_pk(s):
    if not hasattr(s, "_ex_outreach"):
        from yigongti.experts import actions

        s._ex_outreach = actions.record_outreach(None, kind="lecture", institution=s.centre_1, date=timezone.localdate(),
                                                 topic="讲座", experts=[s.county_specialist], participants=20)
    return {"pk": s._ex_outreach.pk}


CASES.update({
    "api:timetable-list": Case.signed_in(api=True, note="timetables carry no personal data"),
    "api:timetable-detail": Case.signed_in(kwargs=_entry_pk, api=True),
    "api:slot-list": Case.signed_in(api=True, note="sessions and free counts carry no personal data"),
    "api:slot-detail": Case.signed_in(kwargs=lambda s: {"pk": _session(s).pk}, api=True),
    "api:slot-book": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "county_specialist"),
                                 kwargs=lambda s: {"pk": _session(s).pk}, method="POST", api=True,
                                 payload=lambda s: {"resident": _resident(s).pk}, snapshot=_bookings),
    "api:slot-cancel": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "county_specialist"),
                                   method="POST", api=True, payload=lambda s: {"booking": _booking(s).pk},
                                   snapshot=lambda s: (_booking(s), _bookings(s))[1]),
    "api:consultation-list": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS, api=True,
                                         hidden=lambda s: (_consultation(s), NAME)[1]),
    "api:consultation-detail": Case.scoped(owner="village_doctor_a", outsiders=OUTSIDERS, api=True,
                                           kwargs=lambda s: {"pk": _consultation(s).pk}),
    "api:consultation-answer": Case.scoped(
        owner="county_specialist", outsiders=(*OUTSIDERS, "village_doctor_a", "township_doctor"), api=True,
        kwargs=lambda s: {"pk": _consultation(s).pk}, method="POST", payload=lambda s: {"answer": "建议调整降压药"},
        snapshot=_consultation_status),
    "api:outreach-list": Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "village_doctor_a"), api=True,
                                     method="POST", payload=_outreach_payload, snapshot=_outreach_count),
    "api:outreach-detail": Case.signed_in(kwargs=_outreach_pk, api=True),
})
