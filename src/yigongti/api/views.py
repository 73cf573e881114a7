from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import api_view
from rest_framework.response import Response
from rest_framework.reverse import reverse

from yigongti.org.access import roles_by_institution

from .registry import root_links


class MembershipSerializer(serializers.Serializer):
    institution_id = serializers.IntegerField()
    roles = serializers.ListField(child=serializers.CharField())


class MeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    username = serializers.CharField()
    full_name = serializers.CharField()
    title = serializers.CharField(help_text=str(_("职称")))
    language = serializers.CharField()
    memberships = MembershipSerializer(many=True)


@extend_schema(responses={200: dict})
@api_view(["GET"])
def api_root(request, format=None):  # noqa: A002 - DRF's name
    links = {"me": reverse("api:me", request=request, format=format),
             "schema": reverse("api:schema", request=request, format=format)}
    links.update(root_links(request, format))
    return Response(links)


@extend_schema(responses={200: MeSerializer})
@api_view(["GET"])
def me(request):
    user = request.user
    data = {
        "id": user.pk,
        "username": user.username,
        "full_name": user.full_name,
        "title": user.title,
        "language": request.LANGUAGE_CODE,
        "memberships": [{"institution_id": i, "roles": sorted(r)} for i, r in roles_by_institution(user).items()],
    }
    return Response(MeSerializer(data).data)


def not_found(request, exception=None):
    """The site's 404 (``handler404``): an unknown address under /api/ answers in the API's one JSON error
    shape and under /fhir/ as an OperationOutcome, so machine clients never get an HTML page."""
    from django.http import JsonResponse
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"status": 404, "code": "not_found", "message": str(_("未找到。")),
                                       "fields": {}}}, status=404)
    if request.path.startswith("/fhir/"):
        outcome = {"resourceType": "OperationOutcome",
                   "issue": [{"severity": "error", "code": "not-found", "diagnostics": str(_("未找到。"))}]}
        return JsonResponse(outcome, status=404, content_type="application/fhir+json")
    return page_not_found(request, exception)
