"""Every state change of teams, packages and contracts (one function each: validation, permission on the
acting institution, transaction, audit entry, events).

    team = create_team(actor, institution=centre, name="向塘1团队", leader=user, areas=[village])
    add_member(actor, team, user=u, institution=clinic, role="village_doctor")
    package = save_package(actor, code="basic", name="基础服务包", kind="basic", price=0, items=[...])
    contract = sign_contract(actor, resident=r, team=team, doctor=u, packages=[p], institution=centre,
                             start_date=…, consent_by="本人", signature="paper", out_of_area_reason="")
    contracts = sign_household(actor, household=h, consents={resident_id: ("本人", "本人") | None}, …)
    renew_contract(actor, contract)    terminate_contract(actor, contract, reason="wish", on=…, note="")
    bulk_renew(actor, team, ending_by=date)     token = issue_card_token(actor, contract)   revoke_card_token(…)
"""
from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti import events
from yigongti.audit.log import record_change
from yigongti.org.access import can_act_for, has_role
from yigongti.org.models import Area, Institution, Role
from yigongti.people.models import RecordStatus, Resident
from yigongti.rules.money import split_by_shares

from . import conf
from .models import (
    Contract,
    ContractStatus,
    MemberRole,
    MergeRecord,
    Package,
    PackageItem,
    PackageKind,
    Signature,
    Team,
    TeamMember,
    TerminationReason,
)

TEAM_ADMIN_ROLES = {Role.INSTITUTION_ADMIN, Role.TEAM_LEADER, Role.TOWNSHIP_DOCTOR}


def _raise(errors: dict) -> None:
    if errors:
        raise ValidationError(errors)


def _is_office(actor) -> bool:
    return actor is not None and has_role(actor, Role.CONSORTIUM_OFFICE)


# --- teams ----------------------------------------------------------------------------------------------


def team_snapshot(t: Team) -> dict:
    return {"name": t.name, "institution_id": t.institution_id, "leader_id": t.leader_id, "active": t.active,
            "areas": sorted(t.areas.values_list("pk", flat=True)) if t.pk else []}


def _check_team_admin(actor, institution: Institution) -> None:
    if actor is None or _is_office(actor):
        return
    if not can_act_for(actor, institution.pk, TEAM_ADMIN_ROLES):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))


@transaction.atomic
def create_team(actor, *, institution: Institution, name: str, leader, areas=(), leader_role=MemberRole.TOWNSHIP_GP,
                leader_institution: Institution | None = None) -> Team:
    _check_team_admin(actor, institution)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写团队名称")
    if leader is None:
        errors["leader"] = _("请选择团队长")
    _raise(errors)
    team = Team.objects.create(name=name.strip(), institution=institution, leader=leader)
    team.areas.set(list(areas))
    TeamMember.objects.create(team=team, user=leader, institution=leader_institution or institution, role=leader_role)
    record_change(actor, action="create", subject=team, before=None, after=team_snapshot(team),
                  institution_id=institution.pk)
    return team


def team_admin_institutions(actor):
    """Institutions whose teams ``actor`` may create and edit: every township centre for the consortium office,
    else those where they hold a team-admin role (institution admin, team leader, township doctor)."""
    from yigongti.org.access import institution_ids

    qs = Institution.objects.filter(active=True, tier__in=["township", "county"])
    if _is_office(actor):
        return qs.filter(tier="township")
    return qs.filter(pk__in=[i for i in institution_ids(actor) if can_act_for(actor, i, TEAM_ADMIN_ROLES)])


@transaction.atomic
def update_team(actor, team: Team, *, name: str, areas, active: bool = True, leader=None,
                expected_version: int | None = None) -> Team:
    """Rename a team, change the villages it covers, its leader (a member of the team) or retire it."""
    from django.db.models import F

    from yigongti.api.errors import StaleEdit

    _check_team_admin(actor, team.institution)
    errors = {}
    if not (name or "").strip():
        errors["name"] = _("请填写团队名称")
    if leader is not None and leader.pk != team.leader_id and not TeamMember.objects.filter(team=team, user=leader).exists():
        errors["leader"] = _("团队长须为本团队成员")
    if not active and Contract.objects.filter(team=team, status=ContractStatus.ACTIVE).exists():
        errors["active"] = _("团队还有履约中的签约，请先转签或解约后再停用。")
    _raise(errors)
    before = team_snapshot(team)
    q = Team.objects.filter(pk=team.pk)
    if expected_version is not None:
        q = q.filter(version=expected_version)
    if not q.update(version=F("version") + 1):
        raise StaleEdit()
    team.refresh_from_db(fields=["version"])
    team.name, team.active = name.strip(), bool(active)
    if leader is not None:
        team.leader = leader
    team.save(update_fields=["name", "active", "leader"])
    team.areas.set(list(areas))
    record_change(actor, action="update", subject=team, before=before, after=team_snapshot(team),
                  institution_id=team.institution_id)
    return team


@transaction.atomic
def add_member(actor, team: Team, *, user, institution: Institution, role: str) -> TeamMember:
    _check_team_admin(actor, team.institution)
    errors = {}
    if role not in MemberRole.values:
        errors["role"] = _("未知的团队角色")
    if user is not None and not user.memberships.filter(institution=institution).exists():
        errors["institution"] = _("该成员不在所选机构任职")
    if TeamMember.objects.filter(team=team, user=user).exists():
        errors["user"] = _("该成员已在团队中")
    _raise(errors)
    m = TeamMember.objects.create(team=team, user=user, institution=institution, role=role)
    record_change(actor, action="update", subject=team, before=None,
                  after={"member_added": user.pk, "role": role, "member_institution": institution.pk},
                  institution_id=team.institution_id)
    return m


@transaction.atomic
def remove_member(actor, member: TeamMember) -> None:
    _check_team_admin(actor, member.team.institution)
    if member.user_id == member.team.leader_id:
        raise ValidationError({"user": _("不能移除团队长")})
    record_change(actor, action="update", subject=member.team, before={"member": member.user_id}, after=None,
                  institution_id=member.team.institution_id)
    member.delete()


def shape_warnings(team: Team) -> list[str]:
    """The "1+1+N" shape (seed 001): a county specialist + a township GP + N others."""
    roles = set(TeamMember.objects.filter(team=team).values_list("role", flat=True))
    warnings = []
    if MemberRole.COUNTY_SPECIALIST not in roles:
        warnings.append(str(_("团队缺少县级专科医生（1+1+N）")))
    if MemberRole.TOWNSHIP_GP not in roles:
        warnings.append(str(_("团队缺少乡镇全科医生（1+1+N）")))
    return warnings


# --- packages ---------------------------------------------------------------------------------------------


@transaction.atomic
def save_package(actor, *, code: str, name: str, kind: str, price=Decimal("0"), description: str = "",
                 items: list[dict] | None = None, active: bool = True) -> Package:
    """Create or replace a package and its items (the consortium office edits packages)."""
    if actor is not None and not _is_office(actor):
        raise PermissionDenied(_("只有医共体办公室可以维护服务包。"))
    errors = {}
    if not (code or "").strip():
        errors["code"] = _("请填写编码")
    if not (name or "").strip():
        errors["name"] = _("请填写名称")
    if kind not in PackageKind.values:
        errors["kind"] = _("未知的服务包类别")
    try:
        price = Decimal(str(price)).quantize(Decimal("0.01"))
        if price < 0:
            errors["price"] = _("服务费不能为负数")
    except Exception:
        errors["price"] = _("服务费格式不正确")
    for n, item in enumerate(items or []):
        if not str(item.get("label", "")).strip():
            errors["items"] = _("第 %(n)s 项缺少服务项目名称") % {"n": n + 1}
        if int(item.get("yearly_count", 0) or 0) < 0:
            errors["items"] = _("每年次数不能为负数")
    _raise(errors)
    package = Package.objects.filter(code=code).first()
    before = None
    if package is None:
        package = Package(code=code)
    else:
        before = {"name": package.name, "price": str(package.price), "kind": package.kind}
    package.name, package.kind, package.price, package.description, package.active = name, kind, price, description, active
    package.save()
    if items is not None:
        package.items.all().delete()
        PackageItem.objects.bulk_create([
            PackageItem(package=package, position=n, label=str(i["label"]).strip(), service_code=i.get("service_code", ""),
                        yearly_count=int(i.get("yearly_count", 0) or 0), population=i.get("population", "")) for n, i in enumerate(items)])
    record_change(actor, action="update" if before else "create", subject=package, before=before,
                  after={"name": name, "price": str(price), "kind": kind, "items": len(items or [])})
    return package


# --- contracts ----------------------------------------------------------------------------------------------


def contract_snapshot(c: Contract) -> dict:
    return {"resident_id": c.resident_id, "team_id": c.team_id, "doctor_id": c.doctor_id,
            "institution_id": c.institution_id, "start_date": c.start_date, "end_date": c.end_date,
            "status": c.status, "fee_total": c.fee_total, "end_reason": c.end_reason}


def default_end(start: dt.date) -> dt.date:
    months = int(conf.get("term_months"))
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    day = min(start.day, [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30,
                          31, 31, 30, 31, 30, 31][month - 1])
    return dt.date(year, month, day) - dt.timedelta(days=1)


def fee_split(packages) -> dict[str, Decimal]:
    """Each package's price split by the county's shares for its kind (exact to the fen), summed."""
    shares = conf.get("fee_shares")
    totals = {p: Decimal("0.00") for p in conf.PARTS}
    for package in packages:
        kind_shares = shares.get(package.kind) or shares["basic"]
        parts = split_by_shares(package.price, [kind_shares.get(p, 0) for p in conf.PARTS])
        for name, amount in zip(conf.PARTS, parts, strict=True):
            totals[name] += amount
    totals["total"] = sum((totals[p] for p in conf.PARTS), Decimal("0.00"))
    return totals


def team_area_ids(team: Team) -> set[int]:
    from django.db.models import Q

    q = Q(pk__in=[])
    for path in team.areas.values_list("path", flat=True):
        q |= Q(path__startswith=path)
    return set(Area.objects.filter(q).values_list("pk", flat=True))


def is_team_member(actor, team: Team) -> bool:
    return team.leader_id == actor.pk or TeamMember.objects.filter(team=team, user=actor).exists()


def _check_signer(actor, team: Team, institution: Institution | None) -> None:
    """The leader or a member of the team signs, in the name of an institution they may act for (design:
    Access; team members may come from several institutions)."""
    if actor is None:
        return
    if institution is None or not can_act_for(actor, institution.pk):
        raise PermissionDenied(_("您不能以该机构的名义操作。"))
    if not is_team_member(actor, team):
        raise PermissionDenied(_("只有本团队成员可以签约。"))


def _validate_sign(*, resident: Resident, team: Team, doctor, packages, start_date, consent_by: str,
                   signature: str, out_of_area_reason: str) -> None:
    errors = {}
    if resident.status != RecordStatus.ACTIVE:
        errors["resident"] = _("该居民档案不是在管状态（迁出、死亡或已合并），不能签约。")
    elif Contract.objects.filter(resident=resident, status=ContractStatus.ACTIVE).exists():
        errors["resident"] = _("该居民已有有效的签约，请先解约或续约。")
    if not team.active:
        errors["team"] = _("该团队已停用")
    if doctor is None or not is_team_member(doctor, team):
        errors["doctor"] = _("责任医生须为本团队成员")
    if not packages:
        errors["packages"] = _("请至少选择一个服务包")
    elif not any(p.kind == PackageKind.BASIC for p in packages):
        errors["packages"] = _("签约须包含基础服务包")
    if not isinstance(start_date, dt.date):
        errors["start_date"] = _("请填写开始日期")
    if not (consent_by or "").strip():
        errors["consent_by"] = _("请填写同意签约的本人或监护人")
    if signature not in Signature.values:
        errors["signature"] = _("未知的签字方式")
    if resident.area_id not in team_area_ids(team) and not (out_of_area_reason or "").strip():
        errors["out_of_area_reason"] = _("该居民不在团队服务片区内，请填写跨片区签约的理由。")
    _raise(errors)


def _save_new(contract: Contract, packages) -> Contract:
    """Insert; the database's one-active-contract constraint turns a concurrent second sign into a field error."""
    try:
        with transaction.atomic():
            contract.save()
    except IntegrityError:
        raise ValidationError({"resident": _("该居民已有有效的签约，请先解约或续约。")}) from None
    contract.packages.set(packages)
    return contract


@transaction.atomic
def sign_contract(actor, *, resident: Resident, team: Team, doctor, packages, institution: Institution | None = None,
                  start_date: dt.date | None = None, end_date: dt.date | None = None, consent_by: str = "本人",
                  consent_relation: str = "本人", signature: str = Signature.PAPER,
                  out_of_area_reason: str = "") -> Contract:
    institution = institution or team.institution
    _check_signer(actor, team, institution)
    packages = list(packages)
    start_date = start_date or timezone.localdate()
    _validate_sign(resident=resident, team=team, doctor=doctor, packages=packages, start_date=start_date,
                   consent_by=consent_by, signature=signature, out_of_area_reason=out_of_area_reason)
    end_date = end_date or default_end(start_date)
    if end_date < start_date:
        raise ValidationError({"end_date": _("结束日期不能早于开始日期")})
    fees = fee_split(packages)
    c = Contract(resident=resident, team=team, doctor=doctor, institution=institution, start_date=start_date,
                 end_date=end_date, signature=signature, consent_by=consent_by.strip(),
                 consent_relation=(consent_relation or "本人").strip(), out_of_area_reason=out_of_area_reason.strip(),
                 fee_total=fees["total"], fee_insurance=fees["insurance"], fee_public_health=fees["public_health"],
                 fee_resident=fees["resident"], created_by=actor if getattr(actor, "pk", None) else None)
    _save_new(c, packages)
    record_change(actor, action="create", subject=c, before=None, after=contract_snapshot(c),
                  institution_id=institution.pk)
    return c


@transaction.atomic
def import_contract(actor, *, resident: Resident, team: Team, doctor, packages, start_date: dt.date,
                    end_date: dt.date | None = None, signature: str = Signature.PAPER, consent_by: str = "本人",
                    consent_relation: str = "本人", out_of_area_reason: str = "") -> Contract:
    """A contract in force in the previous system, imported (importing.py) by a member of the team or an admin
    of its lead institution, in the name of the lead institution; validated like a signature."""
    if actor is not None and not _is_office(actor) and not is_team_member(actor, team):
        _check_team_admin(actor, team.institution)
    c = sign_contract(None, resident=resident, team=team, doctor=doctor, packages=packages,
                      institution=team.institution, start_date=start_date, end_date=end_date,
                      consent_by=consent_by, consent_relation=consent_relation, signature=signature,
                      out_of_area_reason=out_of_area_reason)
    if getattr(actor, "pk", None):
        Contract.objects.filter(pk=c.pk).update(created_by=actor)
    record_change(actor, action="create", subject=c, before=None, after={"imported": True},
                  institution_id=team.institution_id, reason="import")
    return c


@transaction.atomic
def sign_household(actor, *, household, team: Team, doctor, packages, consents: dict, **common) -> list[Contract]:
    """Sign each consenting member of a household: ``consents`` maps resident id to (consent_by, relation)
    — the adult themself or a guardian for a child —, or None for a member who does not consent."""
    members = list(Resident.objects.filter(household=household, status=RecordStatus.ACTIVE).order_by("pk"))
    signed, errors = [], {}
    for r in members:
        consent = consents.get(r.pk)
        if not consent:
            continue
        try:
            signed.append(sign_contract(actor, resident=r, team=team, doctor=doctor, packages=packages,
                                        consent_by=consent[0], consent_relation=consent[1], **common))
        except ValidationError as exc:
            for field, msgs in exc.message_dict.items():
                errors[f"{field}"] = [f"{r.name}：{m}" for m in msgs]
    if errors:
        raise ValidationError(errors)
    if not signed:
        raise ValidationError({"consents": _("没有成员同意签约")})
    return signed


def _bump(contract: Contract, expected_version: int | None) -> None:
    from yigongti.api.errors import StaleEdit

    q = Contract.objects.filter(pk=contract.pk)
    if expected_version is not None:
        q = q.filter(version=expected_version)
    from django.db.models import F

    if not q.update(version=F("version") + 1):
        raise StaleEdit()
    contract.version = (expected_version or contract.version) + 1


@transaction.atomic
def terminate_contract(actor, contract: Contract, *, reason: str, on: dt.date | None = None, note: str = "",
                       expected_version: int | None = None) -> Contract:
    if actor is not None:
        _check_signer(actor, contract.team, contract.institution if can_act_for(actor, contract.institution_id)
                      else _acting_institution(actor, contract.team))
    errors = {}
    if reason not in TerminationReason.values:
        errors["reason"] = _("请选择解约原因")
    if contract.status != ContractStatus.ACTIVE:
        errors["status"] = _("该签约已不在履约中")
    on = on or timezone.localdate()
    if isinstance(on, dt.date) and on < contract.start_date:
        on = contract.start_date
    _raise(errors)
    before = contract_snapshot(contract)
    _bump(contract, expected_version)
    contract.status = ContractStatus.ENDED if reason == TerminationReason.RENEWED else ContractStatus.TERMINATED
    contract.ended_on, contract.end_reason, contract.end_note = on, reason, (note or "")[:200]
    contract.card_token_hash = ""
    contract.save(update_fields=["status", "ended_on", "end_reason", "end_note", "card_token_hash"])
    record_change(actor, action="update", subject=contract, before=before, after=contract_snapshot(contract),
                  institution_id=contract.institution_id, reason=reason)
    return contract


def _acting_institution(actor, team: Team) -> Institution | None:
    m = TeamMember.objects.filter(team=team, user=actor).select_related("institution").first()
    if m and can_act_for(actor, m.institution_id):
        return m.institution
    return team.institution


@transaction.atomic
def renew_contract(actor, contract: Contract, *, packages=None, start_date: dt.date | None = None,
                   expected_version: int | None = None) -> Contract:
    """A new one-year contract with the same team (and packages unless given), following the old one."""
    if contract.status == ContractStatus.TERMINATED or contract.end_reason == TerminationReason.RENEWED:
        raise ValidationError({"status": _("该签约已解约，请重新签约。")})
    institution = _acting_institution(actor, contract.team) if actor is not None else contract.institution
    _check_signer(actor, contract.team, institution)
    packages = list(packages if packages is not None else contract.packages.all())
    start = start_date or (contract.end_date + dt.timedelta(days=1))
    if contract.status == ContractStatus.ACTIVE:
        terminate_contract(None, contract, reason=TerminationReason.RENEWED, on=start - dt.timedelta(days=1),
                           expected_version=expected_version)
    new = sign_contract(None, resident=contract.resident, team=contract.team, doctor=contract.doctor,
                        packages=packages, institution=institution, start_date=start,
                        consent_by=contract.consent_by, consent_relation=contract.consent_relation,
                        signature=contract.signature, out_of_area_reason=contract.out_of_area_reason or "续约")
    Contract.objects.filter(pk=new.pk).update(renewed_from=contract, created_by=actor if getattr(actor, "pk", None) else None)
    new.renewed_from = contract
    record_change(actor, action="create", subject=new, before=None, after={"renewed_from": contract.pk},
                  institution_id=institution.pk, reason="renew")
    return new


def bulk_renew(actor, team: Team, *, ending_by: dt.date, after_id: int = 0, limit: int | None = None) -> dict:
    """Renew every active contract of the team ending on or before ``ending_by`` (year end), in contract order
    from ``after_id``, at most ``limit``; each renewal in its own savepoint so one refused resident does not stop
    the rest. Returns {"renewed", "refused": [(contract id, reason)], "last_id", "more"}."""
    done, refused, last_id = 0, [], after_id
    qs = Contract.objects.filter(team=team, status=ContractStatus.ACTIVE, end_date__lte=ending_by,
                                 pk__gt=after_id).order_by("pk")
    rows = list(qs[:limit] if limit else qs)
    for c in rows:
        last_id = c.pk
        try:
            renew_contract(actor, c)
            done += 1
        except (ValidationError, PermissionDenied) as exc:
            refused.append((c.pk, " ".join(str(m) for m in getattr(exc, "messages", [str(exc)]))))
    more = bool(limit) and len(rows) == limit
    return {"renewed": done, "refused": refused, "last_id": last_id, "more": more}


BULK_RENEW_JOB = "familydoctor.bulk_renew"


@transaction.atomic
def request_bulk_renew(actor, team: Team, *, ending_by: dt.date):
    """Queue the year-end renewal of the team's contracts ending by ``ending_by`` as a job (jobs app) run by
    ``yigongti worker`` on behalf of ``actor``, who must be a member of the team."""
    from yigongti.jobs.queue import enqueue

    if actor is not None and not is_team_member(actor, team):
        raise PermissionDenied(_("只有本团队成员可以续约。"))
    if not isinstance(ending_by, dt.date):
        raise ValidationError({"ending_by": _("请填写到期日期")})
    waiting = Contract.objects.filter(team=team, status=ContractStatus.ACTIVE, end_date__lte=ending_by).count()
    if not waiting:
        raise ValidationError({"ending_by": _("该日期前没有需要续约的签约")})
    job = enqueue(BULK_RENEW_JOB, {"team_id": team.pk, "ending_by": ending_by.isoformat(), "after_id": 0},
                  created_by=actor if getattr(actor, "pk", None) else None)
    record_change(actor, action="update", subject=team, before=None,
                  after={"bulk_renew": ending_by.isoformat(), "contracts": waiting, "job": job.pk},
                  institution_id=team.institution_id, reason="bulk_renew")
    return job


# --- the contact card's QR token -----------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def issue_card_token(actor, contract: Contract) -> str:
    """A new unguessable token for the resident-facing page (only its hash is stored; a new one revokes the old)."""
    if actor is not None:
        _check_signer(actor, contract.team, _acting_institution(actor, contract.team))
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError({"status": _("该签约已不在履约中")})
    token = secrets.token_urlsafe(24)
    contract.card_token_hash = token_hash(token)
    contract.save(update_fields=["card_token_hash"])
    record_change(actor, action="update", subject=contract, before=None, after={"card_token": "issued"},
                  institution_id=contract.institution_id)
    return token


@transaction.atomic
def revoke_card_token(actor, contract: Contract) -> None:
    if actor is not None:
        _check_signer(actor, contract.team, _acting_institution(actor, contract.team))
    contract.card_token_hash = ""
    contract.save(update_fields=["card_token_hash"])
    record_change(actor, action="update", subject=contract, before=None, after={"card_token": "revoked"},
                  institution_id=contract.institution_id)


# --- events ----------------------------------------------------------------------------------------------------


def _end_for(resident_id: int, reason: str, on: dt.date) -> None:
    for c in Contract.objects.filter(resident_id=resident_id, status=ContractStatus.ACTIVE):
        terminate_contract(None, c, reason=reason, on=on)


def on_resident_died(event: events.ResidentDied) -> None:
    """ResidentDied → the active contract ends with reason "died" on the date of death."""
    _end_for(event.resident_id, TerminationReason.DIED, event.date_of_death)


def on_resident_moved_away(event: events.ResidentMovedAway) -> None:
    """ResidentMovedAway → the active contract ends with reason "moved"."""
    _end_for(event.resident_id, TerminationReason.MOVED, event.moved_on)


def on_residents_merged(event: events.ResidentsMerged) -> None:
    """Re-point the merged record's contracts to the kept one; if both had an active contract the merged
    one ends ("merged") so the one-active-contract constraint holds."""
    kept, merged = event.kept_id, event.merged_id
    closed = []
    if Contract.objects.filter(resident_id=kept, status=ContractStatus.ACTIVE).exists():
        for c in Contract.objects.filter(resident_id=merged, status=ContractStatus.ACTIVE):
            terminate_contract(None, c, reason=TerminationReason.MERGED, note="merged")
            closed.append(c.pk)
    moved = list(Contract.objects.filter(resident_id=merged).values_list("pk", flat=True))
    Contract.objects.filter(pk__in=moved).update(resident_id=kept)
    MergeRecord.objects.update_or_create(merge_id=event.merge_id, defaults={"moved": {"contracts": moved,
                                                                                      "closed": closed}})


def on_residents_unmerged(event: events.ResidentsUnmerged) -> None:
    record = MergeRecord.objects.filter(merge_id=event.merge_id).first()
    if record is None:
        return
    Contract.objects.filter(pk__in=record.moved.get("contracts", []), resident_id=event.kept_id).update(
        resident_id=event.restored_id)

