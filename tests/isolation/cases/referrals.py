"""Referrals: township centre 1 (township_doctor) refers a resident of village A up to the county hospital
(county_specialist). The sender sees its referrals (drafts too), the receiver once sent, the village doctor of
the resident's village by area; everybody else gets 404 and their writes change nothing. Steps belong to one
side: the sender cannot accept, the receiver cannot cancel, a department head approves."""
from yigongti.referrals.models import Attachment, Referral

from ..framework import Case

OUTSIDERS = ("village_doctor_b", "village_doctor_c", "other_township_doctor", "system_admin", "security_admin",
             "audit_admin")
NAME = "隔离转诊甲"


def _resident(s):
    if not hasattr(s, "_ref_resident"):
        from tests.referrals import helpers

        s._ref_resident = helpers.resident(s, name=NAME)
    return s._ref_resident


def _referral(s, state="submitted"):
    """One referral per state per scenario."""
    attr = f"_ref_{state}"
    if not hasattr(s, attr):
        from tests.referrals import helpers
        from yigongti.referrals import actions

        if state == "draft":
            r = helpers.draft(s, patient=_resident(s))
        elif state == "pending":
            _head(s)
            actions.set_policy(None, s.centre_1, requires_head_approval=True)
            r = helpers.submitted(s, patient=_resident(s))
            actions.set_policy(None, s.centre_1, requires_head_approval=False)
        elif state == "accepted":
            r = actions.accept_referral(s.county_specialist, _referral(s, "fresh"))
        elif state == "received":
            r = actions.receive_referral(s.county_specialist, _referral(s, "accepted"))
        else:  # submitted, fresh
            r = helpers.submitted(s, patient=_resident(s))
        setattr(s, attr, r)
    return getattr(s, attr)


def _head(s):
    if not hasattr(s, "head_t1"):
        from yigongti.org import actions as org_actions
        from yigongti.org.models import Role

        s.head_t1 = org_actions.create_staff(None, institution=s.centre_1, username="head-t1", full_name="许主任",
                                             password=s.password, roles=[Role.DEPARTMENT_HEAD], validate=False)
    return s.head_t1


def _pk(state):
    return lambda s: {"pk": _referral(s, state).pk}


def _status(state):
    return lambda s: Referral.objects.get(pk=_referral(s, state).pk).status


def _attachable(s):
    import datetime as dt

    from yigongti.people import actions as people_actions

    r = _referral(s, "draft")
    if not hasattr(s, "_ref_exam"):
        s._ref_exam = people_actions.record_exam(s.village_doctor_a, institution=s.clinic_a, resident=_resident(s),
                                                 exam_date=dt.date(2026, 11, 1), systolic_left=140, diastolic_left=90)
    return {"pk": r.pk}


def _filing(s):
    if not hasattr(s, "_ref_filing"):
        from yigongti.referrals import actions

        s._ref_filing = actions.file_outside(s.township_doctor, institution=s.centre_1, resident=_resident(s),
                                             destination="隔离省人民医院", primary_diagnosis="C34.900",
                                             reason="beyond_county", reason_detail="县内无法开展该手术")
    return s._ref_filing


def _sender(**kw):
    return Case.scoped(owner="township_doctor", outsiders=(*OUTSIDERS, "county_specialist"), **kw)


def _receiver(**kw):
    return Case.scoped(owner="county_specialist", outsiders=(*OUTSIDERS, "township_doctor", "village_doctor_a"), **kw)


def _sees(**kw):
    return Case.scoped(owner="township_doctor", outsiders=OUTSIDERS, **kw)


CASES = {
    "referrals:list": _sees(hidden=lambda s: _referral(s).number),
    "referrals:find": _sees(query=lambda s: f"number={_referral(s).number}"),
    "referrals:new": Case.scoped(owner="township_doctor", outsiders=OUTSIDERS,
                                 query=lambda s: f"resident={_resident(s).pk}"),
    "referrals:beds": Case.signed_in(note="only the user's own institutions' beds: tests/referrals/test_pages.py"),
    "referrals:filings": _sees(hidden=lambda s: _filing(s).destination),
    "referrals:suggestions": Case.signed_in(note="the user's own county inpatients: tests/referrals/test_catalogs.py"),
    "referrals:catalogs": Case.signed_in(note="catalogs are reference data; edits need the consortium office"),
    "referrals:detail": _sees(kwargs=_pk("submitted")),
    "referrals:print": _sees(kwargs=_pk("submitted")),
    "referrals:edit": _sender(kwargs=_pk("draft")),
    "referrals:attach": _sender(kwargs=_attachable, method="POST",
                                snapshot=lambda s: Attachment.objects.count()),
    "referrals:submit": _sender(kwargs=_pk("draft"), method="POST", snapshot=_status("draft")),
    "referrals:approve": Case.scoped(owner="head_t1", outsiders=(*OUTSIDERS, "township_doctor", "county_specialist"),
                                     kwargs=_pk("pending"), method="POST", payload=lambda s: {"opinion": "同意"},
                                     snapshot=_status("pending")),
    "referrals:accept": _receiver(kwargs=_pk("submitted"), method="POST", snapshot=_status("submitted")),
    "referrals:reject": _receiver(kwargs=_pk("submitted"), method="POST", payload=lambda s: {"reason": "科室满员"},
                                  snapshot=_status("submitted")),
    "referrals:receive": _receiver(kwargs=_pk("accepted"), method="POST", snapshot=_status("accepted")),
    "referrals:complete": _receiver(kwargs=_pk("received"), method="POST",
                                    payload=lambda s: {"return_plan": "回乡镇卫生院康复"}, snapshot=_status("received")),
    "referrals:cancel": _sender(kwargs=_pk("submitted"), method="POST", payload=lambda s: {"reason": "患者改变主意"},
                                snapshot=_status("submitted")),
    "api:referral-list": _sees(hidden=lambda s: _referral(s).number, api=True),
    "api:referral-detail": _sees(kwargs=_pk("submitted"), api=True),
    "api:referral-attach": _sender(kwargs=_attachable, method="POST", api=True,
                                   snapshot=lambda s: Attachment.objects.count()),
    "api:referral-submit": _sender(kwargs=_pk("draft"), method="POST", api=True, snapshot=_status("draft")),
    "api:referral-approve": Case.scoped(owner="head_t1",
                                        outsiders=(*OUTSIDERS, "township_doctor", "county_specialist"),
                                        kwargs=_pk("pending"), method="POST", api=True, snapshot=_status("pending")),
    "api:referral-accept": _receiver(kwargs=_pk("submitted"), method="POST", api=True, snapshot=_status("submitted")),
    "api:referral-reject": _receiver(kwargs=_pk("submitted"), method="POST", api=True,
                                     payload=lambda s: {"reason": "科室满员"}, snapshot=_status("submitted")),
    "api:referral-receive": _receiver(kwargs=_pk("accepted"), method="POST", api=True, snapshot=_status("accepted")),
    "api:referral-complete": _receiver(kwargs=_pk("received"), method="POST", api=True,
                                       payload=lambda s: {"return_plan": "回乡镇卫生院康复"},
                                       snapshot=_status("received")),
    "api:referral-cancel": _sender(kwargs=_pk("submitted"), method="POST", api=True,
                                   payload=lambda s: {"reason": "患者改变主意"}, snapshot=_status("submitted")),
    "api:referral-filing-list": _sees(hidden=lambda s: _filing(s).destination, api=True),
    "api:referral-filing-detail": _sees(kwargs=lambda s: {"pk": _filing(s).pk}, api=True),
}
