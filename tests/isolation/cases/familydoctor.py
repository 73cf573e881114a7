"""Family-doctor teams and contracts: a team of township centre 1 (the township doctor leads it, village A's
doctor is a member) serving villages A and B, and a contract of a village A resident. Outsiders: the other
township, village C, the county specialist (not in this team) and the three administrators; their reads get
404 and their writes (including signing in the name of another township) change nothing."""
import datetime as dt

from yigongti.familydoctor.models import Contract, Package
from yigongti.org.models import Role

from ..framework import Case

OWNER = "township_doctor"
OUTSIDERS = ("village_doctor_c", "other_township_doctor", "county_specialist", "system_admin", "security_admin",
             "audit_admin")
NAME = "签约隔离甲"


def _team(s):
    if not hasattr(s, "_fd_team"):
        from yigongti.familydoctor import actions

        s._fd_team = actions.create_team(None, institution=s.centre_1, name="隔离团队", leader=s.township_doctor,
                                         areas=[s.village_a, s.village_b])
        actions.add_member(None, s._fd_team, user=s.village_doctor_a, institution=s.clinic_a, role="village_doctor")
    return s._fd_team


def _resident(s, attr="_fd_resident", name=NAME):
    if not hasattr(s, attr):
        from yigongti.people import actions

        setattr(s, attr, actions.register_resident(
            s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name=name, sex="2",
            birth_date=dt.date(1950, 1, 1), document_type="none", force=True))
    return getattr(s, attr)


def _contract(s):
    if not hasattr(s, "_fd_contract"):
        from yigongti.familydoctor import actions

        s._fd_contract = actions.sign_contract(None, resident=_resident(s), team=_team(s), doctor=s.township_doctor,
                                               packages=[Package.objects.get(code="basic")],
                                               start_date=dt.date(2026, 1, 1))
    return s._fd_contract


def _with_token(s):
    c = _contract(s)
    if not getattr(s, "_fd_token", None):
        from yigongti.familydoctor import actions

        s._fd_token = actions.issue_card_token(None, c)
    return {"pk": c.pk}


def _public(s):
    _with_token(s)
    return {"token": s._fd_token}


def _state(s):
    return Contract.objects.filter(pk=_contract(s).pk).values_list("status", "version", "card_token_hash").get()


def _contracts_of_second(s):
    return Contract.objects.filter(resident=_resident(s, "_fd_second", "签约隔离乙")).count()


def _sign_payload(s):
    r = _resident(s, "_fd_second", "签约隔离乙")
    return {"resident": r.pk, f"consent_{r.pk}": "1", f"consent_by_{r.pk}": r.name, f"relation_{r.pk}": "本人",
            "packages": [Package.objects.get(code="basic").pk], "doctor": s.township_doctor.pk,
            "institution": s.centre_1.pk, "start_date": "2026-01-01", "signature": "paper"}


def _api_sign_payload(s):
    r = _resident(s, "_fd_second", "签约隔离乙")
    return {"resident": r.pk, "team": _team(s).pk, "doctor": s.township_doctor.pk, "institution": s.centre_1.pk,
            "packages": [Package.objects.get(code="basic").pk], "consent_by": r.name, "start_date": "2026-01-01"}


def _new_team_payload(s):
    return {"institution": s.centre_1.pk, "name": "隔离新团队", "leader": s.township_doctor.pk,
            "areas": [s.village_a.pk]}


def _teams_named_new(s):
    from yigongti.familydoctor.models import Team

    return Team.objects.filter(name="隔离新团队").count()


def _edit_team_payload(s):
    return {"name": "隔离团队改名", "leader": s.township_doctor.pk, "areas": [s.village_a.pk], "active": "1",
            "version": _team(s).version}


def _team_state(s):
    from yigongti.familydoctor.models import Team

    t = Team.objects.get(pk=_team(s).pk)
    return t.name, sorted(t.areas.values_list("pk", flat=True)), t.version


def _members(s):
    from yigongti.familydoctor.models import TeamMember

    return sorted(TeamMember.objects.filter(team=_team(s)).values_list("user_id", flat=True))


def _member(s):
    return {"pk": _team(s).pk, "member_pk": _team(s).members.get(user=s.village_doctor_a).pk}


def _c_team(s):
    return {"pk": _contract(s).team_id}


def _renew_jobs(s):
    from yigongti.jobs.models import Job

    return Job.objects.filter(kind="familydoctor.bulk_renew").count()


def _scoped(**kw):
    return Case.scoped(owner=OWNER, outsiders=OUTSIDERS, **kw)


def _c(s):
    return {"pk": _contract(s).pk}


def _t(s):
    return {"pk": _team(s).pk}


CASES = {
    "familydoctor:teams": _scoped(hidden=lambda s: _team(s).name),
    "familydoctor:team": _scoped(kwargs=_t),
    "familydoctor:sign": _scoped(kwargs=_t, method="POST", payload=_sign_payload, snapshot=_contracts_of_second,
                                 query=lambda s: f"resident={_resident(s, '_fd_second', '签约隔离乙').pk}"),
    "familydoctor:contract": _scoped(kwargs=_c),
    "familydoctor:terminate": _scoped(kwargs=_c, method="POST", payload=lambda s: {"reason": "wish"},
                                      snapshot=_state),
    "familydoctor:renew": _scoped(kwargs=_c, method="POST", snapshot=_state),
    "familydoctor:card": _scoped(kwargs=_c, method="POST", snapshot=_state),
    "familydoctor:card_revoke": _scoped(kwargs=_with_token, method="POST", snapshot=_state),
    "familydoctor:team_new": _scoped(method="POST", payload=_new_team_payload, snapshot=_teams_named_new),
    "familydoctor:team_edit": _scoped(kwargs=_t, method="POST", payload=_edit_team_payload, snapshot=_team_state),
    "familydoctor:member_add": _scoped(kwargs=_t, method="POST", payload=lambda s: {
        "username": "village-doctor-b", "role": "village_doctor"}, snapshot=_members),
    "familydoctor:member_remove": _scoped(kwargs=_member, method="POST", snapshot=_members),
    "familydoctor:bulk_renew": _scoped(kwargs=_c_team, method="POST", payload=lambda s: {"ending_by": "2026-12-31"},
                                       snapshot=_renew_jobs),
    "familydoctor:packages": Case.signed_in(note="package definitions are county-wide data, no residents"),
    "familydoctor:package_new": Case.roles({Role.CONSORTIUM_OFFICE}, method="POST", payload=lambda s: {
        "code": "isolation", "name": "隔离服务包", "kind": "personal", "price": "30", "active": "1",
        "label_0": "入户随访", "code_0": "home_visit", "count_0": "2", "population_0": ""},
        snapshot=lambda s: Package.objects.filter(code="isolation").count()),
    "familydoctor:package_edit": Case.roles({Role.CONSORTIUM_OFFICE}, kwargs=lambda s: {"code": "basic"},
                                            method="POST", payload=lambda s: {"name": "基础包改名", "kind": "basic",
                                                                              "price": "0", "active": "1"},
                                            snapshot=lambda s: Package.objects.get(code="basic").name),
    "familydoctor:public_card": Case.public(note="the QR page: an unguessable revocable token, no login; "
                                                 "tests/familydoctor/test_public_card.py"),
    "api:fd-team-list": _scoped(hidden=lambda s: _team(s).name, api=True),
    "api:fd-team-detail": _scoped(kwargs=_t, api=True),
    "api:fd-package-list": Case.signed_in(api=True, note="package definitions are county-wide data, no residents"),
    "api:fd-package-detail": Case.signed_in(kwargs=lambda s: {"pk": Package.objects.get(code="basic").pk}, api=True),
    "api:fd-contract-list": _scoped(hidden=lambda s: f'"resident":{_contract(s).resident_id},', api=True),
    "api:fd-contract-detail": _scoped(kwargs=_c, api=True),
    "api:fd-contract-renew": _scoped(kwargs=_c, method="POST", snapshot=_state, api=True),
    "api:fd-contract-terminate": _scoped(kwargs=_c, method="POST", payload=lambda s: {"reason": "wish"},
                                         snapshot=_state, api=True),
}
