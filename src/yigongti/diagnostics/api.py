"""/api/v1/diagnostics/requests/ (create, list, retrieve) and its steps as
``POST /api/v1/diagnostics/requests/{id}/{claim|report|publish|study}/``: ``report`` saves the draft (findings,
impression, lab results by analyte code, a template) and with ``"sign": true`` signs it; ``study`` uploads a
file (multipart ``file``). Scoped like the pages (queries.py), writes through actions.py; a create inside the
recognition window without ``repeat_reason`` answers 400 on that field with the earlier result's number;
every retrieve is audited."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from yigongti.org.models import Institution
from yigongti.people.models import Resident
from yigongti.people.queries import visible_residents

from . import actions, queries
from .models import Centre, Priority, Request, Template, Test

ROOT_LINKS = {"diagnostics/requests": "api:diagnostics-request-list"}


class ResultSerializer(serializers.Serializer):
    code = serializers.CharField(source="analyte.code")
    loinc = serializers.CharField(source="analyte.loinc")
    name = serializers.CharField(source="analyte.name")
    unit = serializers.CharField(source="analyte.unit")
    value = serializers.DecimalField(max_digits=12, decimal_places=3)
    flag = serializers.CharField()
    range = serializers.CharField(source="range_text")


class ReportSerializer(serializers.Serializer):
    revision = serializers.IntegerField()
    findings = serializers.CharField()
    impression = serializers.CharField()
    revision_reason = serializers.CharField()
    signed_at = serializers.DateTimeField()
    published_at = serializers.DateTimeField()
    results = ResultSerializer(many=True, source="results.all")


class RequestSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    test_code = serializers.CharField(source="test.code", read_only=True)
    loinc = serializers.CharField(source="test.loinc", read_only=True)
    reports = serializers.SerializerMethodField()
    critical_values = serializers.SerializerMethodField()

    class Meta:
        model = Request
        fields = ["id", "number", "status", "modality", "priority", "resident", "resident_name", "test", "test_code",
                  "loinc", "clinical_info", "requesting_institution", "requesting_doctor", "centre", "reader",
                  "earlier_result", "repeat_reason", "cancel_reason", "requested_at", "claimed_at", "reported_at",
                  "published_at", "version", "reports", "critical_values"]
        read_only_fields = fields

    def get_reports(self, obj) -> list[dict]:
        if not self.context.get("detail"):
            return []
        rows = obj.reports.prefetch_related("results__analyte").order_by("revision")
        if obj.status != "published" and not self.context.get("reader"):
            rows = []
        return ReportSerializer(rows, many=True).data

    def get_critical_values(self, obj) -> list[dict]:
        if not self.context.get("detail"):
            return []
        return [{"id": cv.pk, "description": cv.description, "marked_at": cv.marked_at,
                 "phoned_at": cv.phoned_at, "acknowledged_at": cv.acknowledged_at, "escalated_at": cv.escalated_at}
                for cv in obj.critical_values.order_by("pk")]


class RequestCreateSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all(), help_text="申请机构")
    test = serializers.SlugRelatedField(slug_field="code", queryset=Test.objects.filter(active=True),
                                        help_text="项目编码，如 ECG12、DR-CHEST、LAB-CBC")
    centre = serializers.PrimaryKeyRelatedField(queryset=Centre.objects.filter(active=True), required=False,
                                                allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, default=Priority.ROUTINE)
    clinical_info = serializers.CharField(max_length=2000, required=False, allow_blank=True)
    repeat_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class ReportInputSerializer(serializers.Serializer):
    findings = serializers.CharField(max_length=8000, required=False, allow_blank=True)
    impression = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    template = serializers.PrimaryKeyRelatedField(queryset=Template.objects.filter(active=True), required=False,
                                                  allow_null=True)
    results = serializers.DictField(child=serializers.CharField(allow_blank=True, max_length=30), required=False,
                                    help_text="检验结果：{指标编码: 数值}")
    sign = serializers.BooleanField(required=False, default=False)


class StudySerializer(serializers.Serializer):
    file = serializers.FileField()


def _permission(fn):
    try:
        return fn()
    except PermissionDenied as exc:
        from rest_framework.exceptions import PermissionDenied as Denied

        raise Denied(str(exc) or None) from exc


class RequestViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                     viewsets.GenericViewSet):
    """Diagnostic requests the user may see. ``?box=sent|centre``, ``?status=``, ``?modality=``, ``?q=``;
    ``?worklist=1`` the reader's worklist (urgent first, then oldest)."""

    serializer_class = RequestSerializer
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def get_queryset(self):
        p = self.request.query_params
        if p.get("worklist"):
            return queries.worklist(self.request.user, modality=p.get("modality", ""))
        return queries.search(self.request.user, q=p.get("q", ""), status=p.get("status", ""),
                              modality=p.get("modality", ""), box=p.get("box", ""))

    def get_serializer_class(self):
        return RequestCreateSerializer if self.action == "create" else RequestSerializer

    def _request(self, detail="api"):
        return queries.get_request_for(self.request.user, self.kwargs["pk"], detail=detail)

    def _out(self, r, code=status.HTTP_200_OK):
        r = Request.objects.select_related("resident", "test").get(pk=r.pk)
        return Response(RequestSerializer(r, context={"detail": True, "reader": actions.may_read(
            self.request.user, r)}).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        return self._out(self._request())

    def create(self, request, *args, **kwargs):
        s = RequestCreateSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        r = _permission(lambda: actions.create_request(
            request.user, institution=d["institution"], resident=d["resident"], test=d["test"],
            centre=d.get("centre"), priority=d.get("priority", Priority.ROUTINE),
            clinical_info=d.get("clinical_info", ""), repeat_reason=d.get("repeat_reason", "")))
        return self._out(r, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def claim(self, request, pk=None):
        r = self._request("claim")
        return self._out(_permission(lambda: actions.claim_request(request.user, r)))

    @extend_schema(request=ReportInputSerializer, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        r = self._request("report")
        s = ReportInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data

        def run():
            actions.save_report(request.user, r, findings=d.get("findings", ""), impression=d.get("impression", ""),
                                template=d.get("template"), results=d.get("results"))
            if d.get("sign"):
                actions.sign_report(request.user, r)
        _permission(run)
        return self._out(r)

    @extend_schema(request=None, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def publish(self, request, pk=None):
        r = self._request("publish")
        return self._out(_permission(lambda: actions.publish_report(request.user, r)))

    @extend_schema(request={"multipart/form-data": StudySerializer}, responses=RequestSerializer)
    @action(detail=True, methods=["post"])
    def study(self, request, pk=None):
        r = self._request("study")
        s = StudySerializer(data=request.data)
        s.is_valid(raise_exception=True)
        f = s.validated_data["file"]
        _permission(lambda: actions.attach_study(request.user, r, filename=f.name, content=f.read()))
        return self._out(r, status.HTTP_201_CREATED)


def register(router):
    router.register("diagnostics/requests", RequestViewSet, basename="diagnostics-request")
