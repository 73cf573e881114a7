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
