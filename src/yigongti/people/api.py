"""/api/v1/residents/, /api/v1/exams/, /api/v1/encounters/: scoped like the pages (queries.py), writes through
actions.py. Document and phone numbers are masked in every response; every retrieve is audited."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from yigongti.org.models import Area, Department, Institution
from yigongti.rules.masking import mask_document, mask_phone

from . import actions, crypto
from .forms import acting_institutions
from .models import DocumentType, Encounter, EncounterKind, HealthExam, InsuranceScheme, Resident, Sex
from .queries import get_resident_for, search, visible_encounters, visible_exams, visible_residents

ROOT_LINKS = {"residents": "api:resident-list", "exams": "api:exam-list", "encounters": "api:encounter-list"}


class ResidentSerializer(serializers.ModelSerializer):
    id_number = serializers.SerializerMethodField(help_text="证件号码（脱敏）")
    phone = serializers.SerializerMethodField(help_text="电话（脱敏）")

    class Meta:
        model = Resident
        fields = ["id", "record_number", "name", "name_initials", "sex", "birth_date", "document_type", "id_number",
                  "phone", "area", "household", "relation_to_head", "is_resident", "is_registered",
                  "insurance_scheme", "ethnicity", "status", "moved_on", "death_date", "merged_into",
                  "managing_institution", "needs_review", "version", "created_at", "updated_at"]
        read_only_fields = fields

    def get_id_number(self, obj) -> str:
        return mask_document(crypto.decrypt(obj.document_number_enc))

    def get_phone(self, obj) -> str:
        return mask_phone(crypto.decrypt(obj.phone_enc))


class ResidentWriteSerializer(serializers.Serializer):
    """Input of create (POST) and partial update (PATCH, with ``version``)."""

    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all(), required=False,
                                                     help_text="建档机构；省略时取您所在、服务该村的机构")
    name = serializers.CharField(max_length=40, required=False)
    sex = serializers.ChoiceField(choices=Sex.choices, required=False)
    birth_date = serializers.DateField(required=False)
    area = serializers.PrimaryKeyRelatedField(queryset=Area.objects.all(), required=False)
    document_type = serializers.ChoiceField(choices=DocumentType.choices, required=False)
    id_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    contact_name = serializers.CharField(max_length=40, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    ethnicity = serializers.CharField(max_length=16, required=False)
    is_resident = serializers.BooleanField(required=False)
    is_registered = serializers.BooleanField(required=False)
    insurance_scheme = serializers.ChoiceField(choices=InsuranceScheme.choices, required=False)
    allergies = serializers.CharField(required=False, allow_blank=True)
    force = serializers.BooleanField(required=False, default=False, help_text="相似档案警告时仍然建档")
    version = serializers.IntegerField(required=False, help_text="修改时必填：读取时的版本")


def _if_match_version(request) -> int:
    """The version the client read, from ``If-Match: "3"`` (the ETag of the retrieve) when the body has none."""
    tag = request.headers.get("If-Match", "").strip()
    if tag.startswith("W/"):
        tag = tag[2:]
    tag = tag.strip('"')
    if not tag.isdigit():
        raise serializers.ValidationError({"version": [_("修改时须提供读取时的版本号（请求体 version 或 If-Match 头）。")]})
    return int(tag)


class ResidentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      mixins.UpdateModelMixin, viewsets.GenericViewSet):
    """Residents the user may see. ``?q=`` searches like the list page (name, pinyin initials, document
    number, phone or its last four digits, record number); ``?status=`` current|active|moved|deceased|merged|all."""

    serializer_class = ResidentSerializer
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        params = self.request.query_params
        if self.action == "list":
            return search(self.request.user, params.get("q", ""), status=params.get("status") or "current")
        return visible_residents(self.request.user)

    def get_object(self):
        return get_resident_for(self.request.user, self.kwargs["pk"], detail="api")

    def retrieve(self, request, *args, **kwargs):
        resident = self.get_object()
        return Response(ResidentSerializer(resident).data, headers={"ETag": f'"{resident.version}"'})

    def get_serializer_class(self):
        if self.action in ("create", "partial_update", "update"):
            return ResidentWriteSerializer
        return ResidentSerializer

    def create(self, request, *args, **kwargs):
        serializer = ResidentWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("version", None)
        force = data.pop("force", False)
        institution = data.pop("institution", None)
        if institution is None:
            area = data.get("area")
            institution = next((i for i in acting_institutions(request.user).prefetch_related("service_areas")
                                if area is not None and actions._covers(i, area)), None)
            if institution is None:
                raise serializers.ValidationError({"area": [_("该村/社区不在您所在机构的服务范围内。")]})
        resident = actions.register_resident(request.user, institution=institution, force=force, **data)
        return Response(ResidentSerializer(resident).data, status=status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return Response(status=status.HTTP_405_METHOD_NOT_ALLOWED)
        resident = self.get_object()
        serializer = ResidentWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        if "version" not in data:
            data["version"] = _if_match_version(request)
        version = data.pop("version")
        for name in ("force", "institution"):
            data.pop(name, None)
        resident = actions.update_resident(request.user, resident, version, **data)
        return Response(ResidentSerializer(resident).data)


class ExamSerializer(serializers.ModelSerializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())

    class Meta:
        model = HealthExam
        fields = ["id", "resident", "institution", "doctor", "exam_date", "temperature", "pulse", "respiration",
                  "systolic_left", "diastolic_left", "systolic_right", "diastolic_right", "height", "weight",
                  "waist", "bmi", "fasting_glucose", "total_cholesterol", "triglycerides", "ldl", "hdl",
                  "assessment", "advice", "version"]
        read_only_fields = ["id", "doctor", "bmi", "version"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class EncounterSerializer(serializers.ModelSerializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                    allow_null=True)
    kind = serializers.ChoiceField(choices=EncounterKind.choices)

    class Meta:
        model = Encounter
        fields = ["id", "resident", "institution", "department", "doctor", "kind", "visit_date", "discharge_date",
                  "primary_diagnosis", "other_diagnoses", "systolic", "diastolic", "fasting_glucose", "total_cost",
                  "drug_cost", "consumables_cost", "medical_service_income", "insurance_paid", "is_tcm", "source",
                  "external_id", "version"]
        read_only_fields = ["id", "doctor", "source", "external_id", "version"]
        extra_kwargs = {"is_tcm": {"required": False, "default": None, "allow_null": True}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


def _audit_read(user, resident_id: int, detail: str) -> None:
    """A clinical record was read: audit it against its resident (the reason: why the user may see them;
    an encounter at the user's own institution is a care relationship)."""
    resident = Resident.objects.only("pk", "area_id", "name").get(pk=resident_id)
    from yigongti.audit.log import record_read
    from yigongti.org.access import institution_ids
    from yigongti.org.scoping import access_reason

    ids = institution_ids(user)
    why = access_reason(user, resident_id=resident.pk, resident_area_id=resident.area_id) or "institution"
    record_read(user, subject=resident, institution_id=ids[0] if ids else None, reason=why, detail=detail)


class _ScopedCreateViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                           viewsets.GenericViewSet):
    def _split(self, serializer):
        data = dict(serializer.validated_data)
        return data.pop("institution"), data.pop("resident"), data

    def _check(self, institution):
        if not actions.can_act_for(self.request.user, institution.pk):
            raise serializers.ValidationError({"institution": [_("您不能以该机构的名义录入。")]})


class ExamViewSet(_ScopedCreateViewSet):
    """Health exams of residents the user may see (and exams at the user's institutions); ``?resident=``."""

    serializer_class = ExamSerializer

    def get_queryset(self):
        qs = visible_exams(self.request.user).order_by("-exam_date", "-pk")
        if self.request.query_params.get("resident", "").isdigit():
            qs = qs.filter(resident_id=int(self.request.query_params["resident"]))
        return qs

    def retrieve(self, request, *args, **kwargs):
        exam = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        _audit_read(request.user, exam.resident_id, "api exam")
        return Response(self.get_serializer(exam).data)

    def perform_create(self, serializer):
        institution, resident, data = self._split(serializer)
        self._check(institution)
        serializer.instance = actions.record_exam(self.request.user, institution=institution, resident=resident,
                                                  **{k: v for k, v in data.items() if v is not None})


class EncounterViewSet(_ScopedCreateViewSet):
    """Encounters of residents the user may see, plus those at the user's institutions; ``?resident=``,
    ``?institution=``. POST only for institutions whose clinical system is this platform."""

    serializer_class = EncounterSerializer

    def get_queryset(self):
        qs = visible_encounters(self.request.user).order_by("-visit_date", "-pk")
        params = self.request.query_params
        if params.get("resident", "").isdigit():
            qs = qs.filter(resident_id=int(params["resident"]))
        if params.get("institution", "").isdigit():
            qs = qs.filter(institution_id=int(params["institution"]))
        return qs

    def retrieve(self, request, *args, **kwargs):
        encounter = get_object_or_404(self.get_queryset(), pk=kwargs["pk"])
        _audit_read(request.user, encounter.resident_id, "api encounter")
        return Response(self.get_serializer(encounter).data)

    def perform_create(self, serializer):
        institution, resident, data = self._split(serializer)
        self._check(institution)
        try:
            serializer.instance = actions.record_encounter(self.request.user, institution=institution,
                                                           resident=resident, **data)
        except PermissionDenied as exc:
            raise serializers.ValidationError({"institution": [str(exc)]}) from exc


def register(router):
    router.register("residents", ResidentViewSet, basename="resident")
    router.register("exams", ExamViewSet, basename="exam")
    router.register("encounters", EncounterViewSet, basename="encounter")
