"""Pages: teams, signing (a resident and the consenting members of their household), the contract with its
fulfilment, terminate/renew, the printable agreement and contact card (QR), and the resident-facing card page
behind a revocable token. Thin: reads through queries.py, writes through actions.py."""
from __future__ import annotations

import datetime as dt

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from yigongti.api.errors import StaleEdit
from yigongti.people import crypto
from yigongti.people.queries import get_resident_for
from yigongti.rules.masking import mask_phone

from . import actions, conf, fulfilment, queries
from .models import Contract, ContractStatus, Package, Signature, TeamMember, TerminationReason


def _errors(exc: ValidationError) -> dict:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


@login_required
def team_list(request):
    from django.db.models import Count, Q

    teams = (queries.visible_teams(request.user).select_related("institution", "leader")
             .prefetch_related("areas").order_by("institution__code", "name")
             .annotate(n_active=Count("contracts", filter=Q(contracts__status=ContractStatus.ACTIVE), distinct=True)))
    rows = [{"t": t, "contracts": t.n_active} for t in teams[:300]]
    return render(request, "familydoctor/team_list.html", {
        "rows": rows, "may_create": actions.team_admin_institutions(request.user).exists()})


@login_required
def team_detail(request, pk):
    from .indicators import team_figures, unsigned_key_residents
    from .landing import month_end

    team = queries.get_team_for(request.user, pk)
    contracts = list(Contract.objects.filter(team=team, status=ContractStatus.ACTIVE)
                     .select_related("resident", "resident__area", "doctor")
                     .prefetch_related("packages__items").order_by("resident__area__code", "resident__name")[:500])
    states = fulfilment.for_contracts(contracts)
    due = sum(s.due for s in states.values())
    done = sum(s.done for s in states.values())
    today = timezone.localdate()
    rows = [{"c": c, "f": states[c.pk], "expiring": c.end_date <= month_end(today)} for c in contracts]
    behind = [row for row in rows if row["f"].behind]
    members = [{"m": m, "phone": m.user.phone} for m in queries.members_of(team)]
    may_sign = actions.is_team_member(request.user, team)
    return render(request, "familydoctor/team_detail.html", {
        "team": team, "members": members, "rows": rows, "behind": behind, "warnings": actions.shape_warnings(team),
        "rate": (done / due) if due else None, "due": due, "done": done,
        "expiring": [row for row in rows if row["expiring"]], "figures": team_figures(team, today),
        "unsigned": unsigned_key_residents(request.user, team, today)[:100],
        "may_sign": may_sign, "areas": team.areas.all(), "year_end": dt.date(today.year, 12, 31),
        "may_edit": actions.team_admin_institutions(request.user).filter(pk=team.institution_id).exists()})


def _signable_team(request, pk):
    team = queries.get_team_for(request.user, pk)
    if not actions.is_team_member(request.user, team):
        raise PermissionDenied
    return team


def _acting_choices(user, team):
    from yigongti.org.access import can_act_for

    return [m.institution for m in TeamMember.objects.filter(team=team, user=user).select_related("institution")
            if can_act_for(user, m.institution_id)] or ([team.institution] if can_act_for(user, team.institution_id)
                                                        else [])


@login_required
def sign(request, pk):
    """Sign a resident (``?resident=``) and, with their consent, the members of their household."""
    team = _signable_team(request, pk)
    resident = get_resident_for(request.user, request.GET.get("resident") or request.POST.get("resident") or 0,
                                detail="familydoctor:sign")
    household = list(resident.household.members.filter(status="active").order_by("pk")) if resident.household else [resident]
    packages = Package.objects.filter(active=True)
    institutions = _acting_choices(request.user, team)
    doctors = queries.members_of(team)
    errors: dict = {}
    if request.method == "POST":
        data = request.POST
        try:
            chosen = list(packages.filter(pk__in=data.getlist("packages")))
            inst = next((i for i in institutions if str(i.pk) == data.get("institution")), None)
            if inst is None:
                raise PermissionDenied
            doctor = next((m.user for m in doctors if str(m.user_id) == data.get("doctor")), None)
            start = dt.date.fromisoformat(data.get("start_date") or timezone.localdate().isoformat())
            consents = {}
            for member in household:
                if data.get(f"consent_{member.pk}"):
                    consents[member.pk] = ((data.get(f"consent_by_{member.pk}") or member.name).strip(),
                                           (data.get(f"relation_{member.pk}") or "本人").strip())
            common = dict(institution=inst, start_date=start, signature=data.get("signature", Signature.PAPER),
                          out_of_area_reason=data.get("out_of_area_reason", ""))
            if resident.household:
                signed = actions.sign_household(request.user, household=resident.household, team=team,
                                                doctor=doctor, packages=chosen, consents=consents, **common)
            else:
                if resident.pk not in consents:
                    raise ValidationError({"consents": _("没有成员同意签约")})
                signed = [actions.sign_contract(request.user, resident=resident, team=team, doctor=doctor,
                                                packages=chosen, consent_by=consents[resident.pk][0],
                                                consent_relation=consents[resident.pk][1], **common)]
            messages.success(request, _("已签约 %(n)s 人") % {"n": len(signed)})
            return redirect("familydoctor:contract", signed[0].pk)
        except ValueError:
            errors = {"start_date": [_("日期格式不正确")]}
        except ValidationError as exc:
            errors = _errors(exc)
    active = queries.team_for_residents([m.pk for m in household])
    return render(request, "familydoctor/sign.html", {
        "team": team, "resident": resident, "household": household, "packages": packages, "errors": errors,
        "institutions": institutions, "doctors": doctors, "active": active, "today": timezone.localdate(),
        "signatures": Signature.choices}, status=400 if errors else 200)


@login_required
def contract_detail(request, pk):
    c = queries.get_contract_for(request.user, pk, detail="familydoctor:contract")
    state = fulfilment.of_contract(c)
    return render(request, "familydoctor/contract_detail.html", {
        "c": c, "f": state, "may_sign": actions.is_team_member(request.user, c.team),
        "reasons": [r for r in TerminationReason.choices if r[0] not in ("renewed", "merged", "died", "moved")]})


def _member_contract(request, pk, detail):
    c = queries.get_contract_for(request.user, pk, detail=detail)
    if not actions.is_team_member(request.user, c.team):
        raise PermissionDenied
    return c


@login_required
@require_POST
def terminate(request, pk):
    c = _member_contract(request, pk, "familydoctor:terminate")
    try:
        actions.terminate_contract(request.user, c, reason=request.POST.get("reason", ""),
                                   note=request.POST.get("note", ""),
                                   expected_version=int(request.POST.get("version") or c.version))
        messages.success(request, _("已解约"))
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    except (StaleEdit, ValueError):
        messages.error(request, _("该记录已被他人修改，请刷新后重试。"))
    return redirect("familydoctor:contract", c.pk)


@login_required
@require_POST
def renew(request, pk):
    c = _member_contract(request, pk, "familydoctor:renew")
    try:
        new = actions.renew_contract(request.user, c)
        messages.success(request, _("已续约"))
        return redirect("familydoctor:contract", new.pk)
    except ValidationError as exc:
        for msgs in _errors(exc).values():
            for m in msgs:
                messages.error(request, m)
    except StaleEdit:
        messages.error(request, _("该记录已被他人修改，请刷新后重试。"))
    return redirect("familydoctor:contract", c.pk)


def _card_context(c: Contract) -> dict:
    members = list(queries.members_of(c.team))
    local = [m for m in members if m.role != "county_specialist"]
    county = [m for m in members if m.role == "county_specialist"]
    items = [i for p in c.packages.all() for i in p.items.all()]
    return {"c": c, "local": local, "county": county, "items": items, "areas": c.team.areas.all()}


@login_required
def card(request, pk):
    """The 家庭医生签约联系卡 and the agreement, A4 print. POST issues a new QR token (revoking the old one)."""
    c = _member_contract(request, pk, "familydoctor:card")
    ctx = _card_context(c)
    if request.method == "POST":
        try:
            token = actions.issue_card_token(request.user, c)
        except ValidationError as exc:
            for msgs in _errors(exc).values():
                for m in msgs:
                    messages.error(request, m)
            return redirect("familydoctor:contract", c.pk)
        url = request.build_absolute_uri(reverse("familydoctor:public_card", args=[token]))
        ctx["qr"] = segno.make(url, error="m").svg_inline(dark="#000", border=2, omitsize=True)
        ctx["qr_url"] = url
    ctx["party"] = c.resident.name
    ctx["resident_phone"] = mask_phone(crypto.decrypt(c.resident.phone_enc))
    return render(request, "familydoctor/card.html", ctx)


@login_required
@require_POST
def card_revoke(request, pk):
    c = _member_contract(request, pk, "familydoctor:card_revoke")
    actions.revoke_card_token(request.user, c)
    messages.success(request, _("二维码已作废"))
    return redirect("familydoctor:contract", c.pk)


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or "?"


def public_card(request, token):
    """Resident-facing page of the QR code: no login; only that resident's team contacts and contract items
    (no ID number, no other person). Tokens are 192-bit random, stored hashed, revocable; requests per client
    address are limited so tokens cannot be enumerated."""
    key = f"fd-card:{_client(request)}:{timezone.now():%Y%m%d%H%M}"
    hits = cache.get_or_set(key, 0, 90)
    try:
        hits = cache.incr(key)
    except ValueError:
        cache.set(key, 1, 90)
    if hits > int(conf.get("card_rate_per_minute")):
        return HttpResponse(_("请求过于频繁，请稍后再试。"), status=429)
    if not token or len(token) > 64:
        raise Http404
    c = (Contract.objects.filter(card_token_hash=actions.token_hash(token), status=ContractStatus.ACTIVE)
         .select_related("team", "resident", "doctor").prefetch_related("packages__items").first())
    if c is None:
        raise Http404
    ctx = _card_context(c)
    ctx["state"] = fulfilment.of_contract(c)
    ctx["given_name"] = ctx["party"] = c.resident.name[:1] + "*" * (len(c.resident.name) - 1)
    response = render(request, "familydoctor/public_card.html", ctx)
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    response["Referrer-Policy"] = "no-referrer"
    return response
