"""/api/v1/institutions/ and /api/v1/areas/: the structure, read-only (not personal data)."""
from django_filters import rest_framework as filters
from rest_framework import serializers, viewsets

from .models import Area, Institution

ROOT_LINKS = {"institutions": "api:institution-list", "areas": "api:area-list"}


class AreaSerializer(serializers.ModelSerializer):
    class Meta:
        model = Area
        fields = ["id", "code", "name", "level", "parent"]


class InstitutionSerializer(serializers.ModelSerializer):
    service_areas = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Institution
        fields = ["id", "code", "name", "short_name", "tier", "kind", "grade", "insurance_code", "clinical_system",
                  "parent", "is_lead", "is_subcentre", "area", "service_areas", "address", "phone", "beds", "active"]


class InstitutionFilter(filters.FilterSet):
    class Meta:
        model = Institution
        fields = ["tier", "kind", "parent", "area", "is_subcentre", "active"]


class AreaFilter(filters.FilterSet):
    class Meta:
        model = Area
        fields = ["level", "parent", "code"]


class InstitutionViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Institution.objects.order_by("tier", "code").prefetch_related("service_areas")
    serializer_class = InstitutionSerializer
    filterset_class = InstitutionFilter


class AreaViewSet(viewsets.ReadOnlyModelViewSet):
    queryset = Area.objects.order_by("code")
    serializer_class = AreaSerializer
    filterset_class = AreaFilter


def register(router):
    router.register("institutions", InstitutionViewSet, basename="institution")
    router.register("areas", AreaViewSet, basename="area")
