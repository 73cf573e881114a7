"""/api/v1/referrals/ (create, list, retrieve) and its steps as
``POST /api/v1/referrals/{id}/{submit|approve|accept|reject|receive|complete|cancel}/`` (plus ``attach/``);
/api/v1/referral-filings/ for 转外就医备案. Scoped like the pages (queries.py), writes through actions.py; the
patient's phone and document number never appear; every retrieve is audited."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yigongti.org.models import Department, Institution, ReservedBed, User
from yigongti.people.models import Resident
from yigongti.people.queries import visible_residents
from yigongti.rules import referral as rules

from . import actions, queries
from .models import FilingReason, GradeLevel, OutsideFiling, Reason, Referral, ReferralType

ROOT_LINKS = {"referrals": "api:referral-list", "referral-filings": "api:referral-filing-list"}


class AttachmentSerializer(serializers.Serializer):
    kind = serializers.CharField()
    date = serializers.DateField()
    title = serializers.CharField()
    summary = serializers.CharField()
    institution_name = serializers.CharField()


class ReferralSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField(help_text="状态（含按有效期推导的 expired）")
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    attachments = serializers.SerializerMethodField()
    expected_deductible = serializers.SerializerMethodField(help_text="预计住院起付线（元）及适用规则")

    class Meta:
        model = Referral
        fields = ["id", "number", "state", "status", "direction", "referral_type", "reason", "reason_detail",
                  "resident", "resident_name", "insurance_scheme", "from_institution", "from_department",
                  "referring_doctor", "to_institution", "to_department", "to_doctor", "primary_diagnosis",
                  "other_diagnoses", "diagnosis_text", "tcm_diagnosis", "condition_summary", "history",
                  "treatment_so_far", "treatment_advice", "doctor_opinion", "head_opinion", "head", "consent",
                  "consent_by", "consent_relation", "questionable", "catalog_entry", "justification", "valid_from",
                  "valid_until", "appointment_at", "bed", "bed_hold_until", "accept_note", "reject_reason",
                  "cancel_reason", "return_diagnosis", "return_diagnosis_text", "inpatient_number", "return_results",
                  "return_treatment", "return_plan", "submitted_at", "approved_at", "accepted_at", "received_at",
                  "completed_at", "closed_at", "attachments", "expected_deductible", "version", "created_at"]
        read_only_fields = fields

    def get_state(self, obj) -> str:
        return getattr(obj, "state", None) or obj.effective_status(timezone.localdate())

    def get_attachments(self, obj) -> list[dict]:
        if not self.context.get("detail"):
            return []
        return AttachmentSerializer(obj.attachments.all(), many=True).data

    def get_expected_deductible(self, obj) -> dict | None:
        if not self.context.get("detail"):
            return None
        d = queries.deductible_for(obj)
        def yuan(fen):
            return None if fen is None else f"{fen / 100:.2f}"

        return {"rule": d.code, "amount": yuan(d.amount_fen), "receiving": yuan(d.receiving_fen),
                "sending": yuan(d.sending_fen), "bonus_points": d.bonus_points}


class ReferralCreateSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    from_institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    to_institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    from_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                         allow_null=True)
    to_department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False,
                                                       allow_null=True)
    referral_type = serializers.ChoiceField(choices=ReferralType.choices, required=False)
    reason = serializers.ChoiceField(choices=Reason.choices)
    reason_detail = serializers.CharField(max_length=200, required=False, allow_blank=True)
    primary_diagnosis = serializers.CharField(max_length=16)
    other_diagnoses = serializers.ListField(child=serializers.CharField(max_length=16), required=False, max_length=20)
    diagnosis_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    tcm_diagnosis = serializers.CharField(max_length=200, required=False, allow_blank=True)
    condition_summary = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    history = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    treatment_so_far = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    treatment_advice = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    doctor_opinion = serializers.CharField(max_length=200, required=False, allow_blank=True)
    consent = serializers.BooleanField(required=False)
    consent_by = serializers.CharField(max_length=40, required=False, allow_blank=True)
    consent_relation = serializers.CharField(max_length=20, required=False, allow_blank=True)
    justification = serializers.CharField(max_length=4000, required=False, allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class ApproveSerializer(serializers.Serializer):
    opinion = serializers.CharField(max_length=200, required=False, allow_blank=True)


class AcceptSerializer(serializers.Serializer):
    doctor = serializers.PrimaryKeyRelatedField(queryset=User.objects.all(), required=False, allow_null=True)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    appointment_at = serializers.DateTimeField(required=False, allow_null=True)
    reserve_bed = serializers.BooleanField(required=False, default=False, help_text="预留一张空闲床位（绿色通道）")
    bed = serializers.PrimaryKeyRelatedField(queryset=ReservedBed.objects.all(), required=False, allow_null=True)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class ReturnSerializer(serializers.Serializer):
    return_diagnosis = serializers.CharField(max_length=16, required=False, allow_blank=True)
    return_diagnosis_text = serializers.CharField(max_length=200, required=False, allow_blank=True)
    inpatient_number = serializers.CharField(max_length=40, required=False, allow_blank=True)
    return_results = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    return_treatment = serializers.CharField(max_length=4000, required=False, allow_blank=True)
    return_plan = serializers.CharField(max_length=4000, required=False, allow_blank=True)


def _permission(fn):
    try:
        return fn()
    except PermissionDenied as exc:
        from rest_framework.exceptions import PermissionDenied as Denied

        raise Denied(str(exc) or None) from exc


class ReferralViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Referrals the user may see. ``?box=in|out``, ``?state=`` (a status or ``expired``), ``?direction=up|down|
    lateral``, ``?q=`` a referral number or the patient's name, ``?number=`` exactly one number (the desk's
    scanner)."""

    serializer_class = ReferralSerializer

    def get_queryset(self):
        p = self.request.query_params
        if p.get("number"):
            found = queries.find_by_number(self.request.user, p["number"])
            return queries.with_state(Referral.objects.filter(pk=found.pk if found else None)).select_related(
                "resident").order_by("pk")
        return queries.search(self.request.user, q=p.get("q", ""), box=p.get("box", ""), state=p.get("state", ""),
                              direction=p.get("direction", ""))

    def get_serializer_class(self):
        return ReferralCreateSerializer if self.action == "create" else ReferralSerializer

    def _referral(self, detail="api"):
        return queries.get_referral_for(self.request.user, self.kwargs["pk"], detail=detail)

    def _out(self, r, code=status.HTTP_200_OK):
        r = queries.with_state(Referral.objects.filter(pk=r.pk)).select_related(
            "resident", "from_institution", "to_institution").get()
        return Response(ReferralSerializer(r, context={"detail": True}).data, status=code)

    def retrieve(self, request, *args, **kwargs):
        r = self._referral()
        return Response(ReferralSerializer(r, context={"detail": True}).data)

    def create(self, request, *args, **kwargs):
        serializer = ReferralCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = {k: v for k, v in serializer.validated_data.items() if v is not None}
        r = _permission(lambda: actions.create_referral(
            request.user, resident=data.pop("resident"), from_institution=data.pop("from_institution"),
            to_institution=data.pop("to_institution"), **data))
        return self._out(r, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, pk=None):
        r = self._referral(rules.SUBMIT)
        return self._out(_permission(lambda: actions.submit_referral(request.user, r)))

    @extend_schema(request=ApproveSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        r = self._referral(rules.APPROVE)
        s = ApproveSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(_permission(lambda: actions.approve_referral(request.user, r, s.validated_data.get("opinion"))))

    @extend_schema(request=AcceptSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        r = self._referral(rules.ACCEPT)
        s = AcceptSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        return self._out(_permission(lambda: actions.accept_referral(
            request.user, r, doctor=d.get("doctor"), department=d.get("department"),
            appointment_at=d.get("appointment_at"), reserve_bed=d.get("reserve_bed", False), bed=d.get("bed"),
            note=d.get("note", ""))))

    @extend_schema(request=ReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        r = self._referral(rules.REJECT)
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(_permission(lambda: actions.reject_referral(request.user, r, s.validated_data.get("reason"))))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def receive(self, request, pk=None):
        r = self._referral(rules.RECEIVE)
        return self._out(_permission(lambda: actions.receive_referral(request.user, r)))

    @extend_schema(request=ReturnSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def complete(self, request, pk=None):
        r = self._referral(rules.COMPLETE)
        s = ReturnSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(_permission(lambda: actions.complete_referral(request.user, r, **s.validated_data)))

    @extend_schema(request=ReasonSerializer, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        r = self._referral(rules.CANCEL)
        s = ReasonSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        return self._out(_permission(lambda: actions.cancel_referral(request.user, r, s.validated_data.get("reason"))))

    @extend_schema(request=None, responses=ReferralSerializer)
    @action(detail=True, methods=["post"])
    def attach(self, request, pk=None):
        """Attach the patient's recent exams, encounters and follow-ups from the shared record."""
        r = self._referral("attach")
        _permission(lambda: actions.attach_recent_results(request.user, r))
        return self._out(r)


class FilingSerializer(serializers.ModelSerializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    reason = serializers.ChoiceField(choices=FilingReason.choices)
    destination_grade = serializers.ChoiceField(choices=GradeLevel.choices[1:], required=False)

    class Meta:
        model = OutsideFiling
        fields = ["id", "number", "resident", "institution", "doctor", "destination", "destination_grade",
                  "primary_diagnosis", "reason", "reason_detail", "filed_on", "created_at"]
        read_only_fields = ["id", "number", "doctor", "created_at"]
        extra_kwargs = {"filed_on": {"required": False}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class FilingViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                    viewsets.GenericViewSet):
    """转外就医备案: filings of the user's institutions (all of them for the oversight roles)."""

    serializer_class = FilingSerializer

    def get_queryset(self):
        return queries.visible_filings(self.request.user)

    def retrieve(self, request, *args, **kwargs):
        f = self.get_object()
        from yigongti.audit.log import record_read

        record_read(request.user, subject=f, reason="relationship:referral", detail="api filing")
        return Response(self.get_serializer(f).data)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        if data.get("filed_on") is None:
            data.pop("filed_on", None)
        serializer.instance = _permission(lambda: actions.file_outside(self.request.user, **data))


def register(router):
    router.register("referrals", ReferralViewSet, basename="referral")
    router.register("referral-filings", FilingViewSet, basename="referral-filing")

