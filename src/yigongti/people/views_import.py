"""The import pages: upload a file, watch its progress (HTMX polling), download the template of each kind
and the error report. Thin: the work is in people.importing and its jobs."""
from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import ADMINISTRATOR_ROLES, roles_by_institution
from yigongti.org.models import Institution

from . import importing

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importing_institutions(user):
    """Institutions the user may enter data for (a clinical or public-health role there)."""
    ids = [pk for pk, roles in roles_by_institution(user).items() if roles and not roles <= ADMINISTRATOR_ROLES]
    return Institution.objects.filter(pk__in=ids, active=True).order_by("tier", "code")


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("导入内容"))
    institution = forms.ModelChoiceField(label=_("所属机构"), queryset=Institution.objects.none(),
                                         empty_label=None)
    file = forms.FileField(label=_("文件（XLSX 或 CSV）"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k.name, k.label) for k in importing.KINDS.values()]
        self.fields["institution"].queryset = importing_institutions(user)
        self.fields["file"].widget.attrs["accept"] = ".xlsx,.csv,.txt"


def _batch_for(request, batch: int) -> importing.BatchStatus:
    """An upload is visible to the person who made it only (404 for anyone else)."""
    status = importing.batch_status(batch)
    if status is None or status.user_id != request.user.pk:
        raise Http404
    return status


@login_required
def upload(request):
    institutions = importing_institutions(request.user)
    if not institutions.exists():
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user,
                      initial={"kind": request.GET.get("kind", "residents")})
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            with transaction.atomic(durable=True):
                job = importing.start_import(request.user, kind=form.cleaned_data["kind"],
                                             institution=form.cleaned_data["institution"],
                                             filename=upload_file.name, data=upload_file.read())
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, messages)
        else:
            return redirect(reverse("people:import_status", args=[job.pk]))
    return render(request, "people/import/upload.html", {
        "form": form, "kinds": list(importing.KINDS.values()), "recent": importing.recent_batches(request.user),
    })


@login_required
def template(request, kind: str):
    if kind not in importing.KINDS:
        raise Http404
    response = HttpResponse(importing.template_workbook(kind), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="yigongti-import-{kind}.xlsx"'
    return response


def _context(status):
    institution = Institution.objects.filter(pk=status.institution_id).first()
    return {"status": status, "institution": institution, "errors": status.counts.errors[:100],
            "more_errors": max(0, len(status.counts.errors) - 100)}


@login_required
def status(request, batch: int):
    return render(request, "people/import/status.html", _context(_batch_for(request, batch)))


@login_required
def progress(request, batch: int):
    """The part of the status page HTMX polls until the import is finished."""
    return render(request, "people/import/_progress.html", _context(_batch_for(request, batch)))


@login_required
def errors(request, batch: int):
    status = _batch_for(request, batch)
    response = HttpResponse(importing.error_workbook(status.counts.errors), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="import-{batch}-errors.xlsx"'
    return response
