"""/api/v1/teams/, /api/v1/packages/, /api/v1/contracts/ (with renew and terminate): scoped like the pages,
writes through actions.py; errors in the one JSON shape of api/errors.py."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yigongti.org.models import Institution
from yigongti.people.queries import visible_residents

from . import actions, fulfilment, queries
from .models import Contract, Package, PackageItem, Signature, Team, TeamMember, TerminationReason

ROOT_LINKS = {"teams": "api:fd-team-list", "packages": "api:fd-package-list", "contracts": "api:fd-contract-list"}


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.display_name", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)

    class Meta:
        model = TeamMember
        fields = ["user", "name", "phone", "institution", "role"]


class TeamSerializer(serializers.ModelSerializer):
    members = MemberSerializer(many=True, read_only=True)
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = Team
        fields = ["id", "name", "institution", "leader", "areas", "active", "members", "warnings"]
        read_only_fields = fields

    def get_warnings(self, obj) -> list[str]:
        return actions.shape_warnings(obj)


class ItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PackageItem
        fields = ["label", "service_code", "yearly_count", "population"]


class PackageSerializer(serializers.ModelSerializer):
    items = ItemSerializer(many=True, read_only=True)

    class Meta:
        model = Package
        fields = ["id", "code", "name", "kind", "price", "description", "active", "items"]
        read_only_fields = fields


class ContractSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contract
        fields = ["id", "resident", "team", "doctor", "institution", "packages", "start_date", "end_date", "status",
                  "signature", "consent_by", "consent_relation", "out_of_area_reason", "fee_total", "fee_insurance",
                  "fee_public_health", "fee_resident", "renewed_from", "ended_on", "end_reason", "version"]
        read_only_fields = fields


class ContractWriteSerializer(serializers.Serializer):
    resident = serializers.IntegerField()
    team = serializers.IntegerField()
    doctor = serializers.IntegerField()
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    packages = serializers.PrimaryKeyRelatedField(queryset=Package.objects.filter(active=True), many=True)
    start_date = serializers.DateField(required=False)
    signature = serializers.ChoiceField(choices=Signature.choices, default=Signature.PAPER)
    consent_by = serializers.CharField(max_length=40)
    consent_relation = serializers.CharField(max_length=20, default="本人")
    out_of_area_reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class TerminateSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=TerminationReason.choices)
    on = serializers.DateField(required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    version = serializers.IntegerField(required=False)


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer

    def get_queryset(self):
        return (queries.visible_teams(self.request.user).prefetch_related("areas", "members__user")
                .order_by("pk"))


class PackageViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PackageSerializer
    queryset = Package.objects.prefetch_related("items").order_by("kind", "code")


class ContractViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Contracts of residents the user may see. ``?team=``, ``?status=`` filter. A retrieve carries the
    fulfilment of the contract year and is audited."""

    serializer_class = ContractSerializer

    def get_queryset(self):
        qs = queries.visible_contracts(self.request.user).prefetch_related("packages").order_by("pk")
        team = self.request.query_params.get("team")
        if team and team.isdigit():
            qs = qs.filter(team_id=int(team))
        st = self.request.query_params.get("status")
        if st:
            qs = qs.filter(status=st)
        return qs

    def retrieve(self, request, pk=None):
        c = queries.get_contract_for(request.user, pk, detail="api")
        data = ContractSerializer(c).data
        state = fulfilment.of_contract(c)
        data["fulfilment"] = [{"label": i.label, "service_code": i.code, "due": i.due, "done": i.done,
                               "behind": i.behind} for i in state.items]
        return Response(data)

    def create(self, request):
        s = ContractWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        resident = visible_residents(request.user).filter(pk=d["resident"]).first()
        team = queries.visible_teams(request.user).filter(pk=d["team"]).first()
        if resident is None or team is None:
            raise serializers.ValidationError({"resident" if resident is None else "team": ["不存在或无权访问"]})
        doctor = next((m.user for m in queries.members_of(team) if m.user_id == d["doctor"]), None)
        c = actions.sign_contract(request.user, resident=resident, team=team, doctor=doctor, packages=d["packages"],
                                  institution=d["institution"], start_date=d.get("start_date"),
                                  signature=d["signature"], consent_by=d["consent_by"],
                                  consent_relation=d["consent_relation"], out_of_area_reason=d["out_of_area_reason"])
        return Response(ContractSerializer(c).data, status=status.HTTP_201_CREATED)

    def _member_contract(self, pk):
        c = queries.get_contract_for(self.request.user, pk, detail="api")
        if not actions.is_team_member(self.request.user, c.team):
            raise PermissionDenied
        return c

    @action(detail=True, methods=["post"])
    def renew(self, request, pk=None):
        c = self._member_contract(pk)
        new = actions.renew_contract(request.user, c, expected_version=request.data.get("version"))
        return Response(ContractSerializer(new).data, status=status.HTTP_201_CREATED)

    @action(detail=True, methods=["post"])
    def terminate(self, request, pk=None):
        c = self._member_contract(pk)
        s = TerminateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        c = actions.terminate_contract(request.user, c, reason=d["reason"], on=d.get("on"), note=d["note"],
                                       expected_version=d.get("version"))
        return Response(ContractSerializer(c).data)


def register(router):
    router.register("teams", TeamViewSet, basename="fd-team")
    router.register("packages", PackageViewSet, basename="fd-package")
    router.register("contracts", ContractViewSet, basename="fd-contract")
