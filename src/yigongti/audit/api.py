"""/api/v1/audit/: read-only, for the audit administrator."""
from rest_framework import mixins, serializers, viewsets

from .queries import entries_for

ROOT_LINKS = {"audit": "api:auditentry-list"}


class AuditEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    at = serializers.DateTimeField()
    username = serializers.CharField()
    institution_id = serializers.IntegerField(allow_null=True)
    action = serializers.CharField()
    object_type = serializers.CharField()
    object_id = serializers.CharField()
    object_display = serializers.CharField()
    resident_id = serializers.IntegerField(allow_null=True)
    changes = serializers.JSONField()
    reason = serializers.CharField()
    client_address = serializers.CharField()
    channel = serializers.CharField()


class AuditEntryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Filters: user, institution, action, object_type, resident_id, date_from, date_to (YYYY-MM-DD)."""

    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        return entries_for(self.request.user, self.request.query_params)[0]


def register(router):
    router.register("audit", AuditEntryViewSet, basename="auditentry")
