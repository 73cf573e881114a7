from __future__ import annotations

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from openpyxl import Workbook

from yigongti.org.access import institution_ids
from yigongti.org.models import Institution
from yigongti.org.scoping import grant_break_glass

from .exports import ExportTicket, export_gate, watermark_workbook
from .models import Action
from .queries import entries_for

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@login_required
def entry_list(request):
    qs, applied = entries_for(request.user, request.GET)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    return render(request, "audit/list.html", {"page": page, "applied": applied, "actions": Action.choices,
                                               "institutions": Institution.objects.order_by("tier", "code")})


@login_required
def export(request):
    qs, applied = entries_for(request.user, request.GET)
    ticket = export_gate(request, "audit.AuditEntry", qs.count())
    if not isinstance(ticket, ExportTicket):
        return ticket
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("审计记录"))
    ws.append([ticket.watermark])
    ws.append([_("时间"), _("用户"), _("机构"), _("操作"), _("对象类型"), _("对象编号"), _("对象"), _("居民编号"),
               _("访问依据"), _("客户端地址"), _("渠道"), _("变更内容")])
    for e in qs.iterator(chunk_size=2000):
        ws.append([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username,
                   e.institution.name if e.institution else "", e.get_action_display(), e.object_type, e.object_id,
                   e.object_display, e.resident_id, e.reason, e.client_address, e.channel, str(e.changes or "")])
    watermark_workbook(wb, ticket)
    buffer = io.BytesIO()
    wb.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="audit.xlsx"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def break_glass(request):
    """Emergency access to one resident's record: a stated reason, time-limited, audited."""
    resident_id = request.POST.get("resident") or request.GET.get("resident") or ""
    mine = Institution.objects.filter(pk__in=institution_ids(request.user))
    errors = {}
    if request.method == "POST":
        institution = request.POST.get("institution") or ""
        try:
            if not resident_id.isdigit():
                raise ValidationError({"resident": _("请指定居民")})
            grant_break_glass(request.user, resident_id=int(resident_id),
                              institution_id=int(institution) if institution.isdigit() else None,
                              reason=request.POST.get("reason", ""))
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            messages.warning(request, _("已开启紧急访问，有效期内的每次查看都会记入审计。"))
            target = request.POST.get("next") or ""
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
                target = f"/people/{resident_id}/"
            return redirect(target)
    return render(request, "audit/break_glass.html", {"resident_id": resident_id, "institutions": mine,
                                                      "errors": errors, "next": request.GET.get("next", "")})
