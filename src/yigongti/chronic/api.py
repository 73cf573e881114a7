"""/api/v1/enrolments/, /api/v1/followups/ (create answers the computed classification, next due date and
referral advice) and /api/v1/followups/due/: scoped like the pages (queries.py), writes through actions.py."""
from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yigongti.org.models import Institution
from yigongti.people.models import Resident
from yigongti.people.queries import visible_residents

from . import actions, programmes, queries
from .models import Enrolment, Mode, Programme, Visit

ROOT_LINKS = {"enrolments": "api:enrolment-list", "followups": "api:followup-list"}


class EnrolmentSerializer(serializers.ModelSerializer):
    icd10 = serializers.SlugRelatedField(slug_field="code", read_only=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    days_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Enrolment
        fields = ["id", "resident", "resident_name", "programme", "icd10", "diagnosis_date", "diagnosing_institution",
                  "managing_institution", "managing_doctor", "enrolled_on", "status", "left_on", "leave_reason",
                  "next_due", "last_visit_on", "last_classification", "risk", "days_overdue", "details", "version"]
        read_only_fields = fields

    def get_days_overdue(self, obj) -> int:
        from django.utils import timezone

        from yigongti.rules import chronic_rates

        return chronic_rates.overdue_days(obj.next_due, timezone.localdate()) if obj.next_due else 0


class EnrolmentWriteSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    programme = serializers.ChoiceField(choices=Programme.choices)
    icd10_code = serializers.CharField(max_length=16, required=False, allow_blank=True)
    diagnosis_date = serializers.DateField(required=False, allow_null=True)
    diagnosing_institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all(), required=False,
                                                                allow_null=True)
    managing_institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    enrolled_on = serializers.DateField(required=False, allow_null=True)
    details = serializers.DictField(required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class EnrolmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                       viewsets.GenericViewSet):
    """Enrolments the user may see (``?programme=``, ``?status=active|left``, ``?resident=``); POST enrols
    (the user becomes the managing doctor)."""

    serializer_class = EnrolmentSerializer

    def get_queryset(self):
        qs = queries.visible_enrolments(self.request.user).select_related("icd10", "resident").order_by("pk")
        p = self.request.query_params
        if p.get("programme"):
            qs = qs.filter(programme=p["programme"])
        if p.get("status"):
            qs = qs.filter(status=p["status"])
        if p.get("resident", "").isdigit():
            qs = qs.filter(resident_id=int(p["resident"]))
        return qs

    def get_serializer_class(self):
        return EnrolmentWriteSerializer if self.action == "create" else EnrolmentSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(EnrolmentSerializer(queries.get_enrolment_for(request.user, kwargs["pk"])).data)

    def create(self, request, *args, **kwargs):
        s = EnrolmentWriteSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        extra = programmes.get(d["programme"]).enrol_kwargs(d["resident"], d.get("details") or {},
                                                            d.get("enrolled_on") or timezone.localdate())
        e = actions.enrol(request.user, managing_doctor=request.user, **d, **extra)
        return Response(EnrolmentSerializer(e).data, status=status.HTTP_201_CREATED)


class MedicationSerializer(serializers.Serializer):
    drug = serializers.CharField(max_length=60)
    times = serializers.CharField(max_length=20, required=False, allow_blank=True)
    dose = serializers.CharField(max_length=30, required=False, allow_blank=True)


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Visit
        fields = ["id", "enrolment", "resident", "programme", "visit_date", "mode", "doctor", "institution",
                  "symptoms", "systolic", "diastolic", "heart_rate", "weight", "fasting_glucose", "lifestyle",
                  "adherence", "adverse_reaction", "medications", "computed_classification", "classification",
                  "override_reason", "reasons", "referral", "next_due", "controlled", "details"]
        read_only_fields = fields


class DueRowSerializer(EnrolmentSerializer):
    """A row of the due list: the enrolment with its state now (computed at query time)."""

    days_overdue = serializers.IntegerField(allow_null=True)
    state = serializers.CharField()
    phone = serializers.CharField(allow_blank=True, allow_null=True)
    team = serializers.CharField(allow_blank=True, help_text="the resident's family-doctor team (contract in force)")

    class Meta(EnrolmentSerializer.Meta):
        fields = [*EnrolmentSerializer.Meta.fields, "days_overdue", "state", "phone", "team"]
        read_only_fields = fields


class FollowupWriteSerializer(serializers.Serializer):
    enrolment = serializers.IntegerField()
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    visit_date = serializers.DateField()
    mode = serializers.ChoiceField(choices=Mode.choices)
    symptoms = serializers.ListField(child=serializers.CharField(max_length=40), required=False)
    systolic = serializers.IntegerField(required=False, allow_null=True)
    diastolic = serializers.IntegerField(required=False, allow_null=True)
    heart_rate = serializers.IntegerField(required=False, allow_null=True)
    weight = serializers.DecimalField(max_digits=5, decimal_places=1, required=False, allow_null=True)
    fasting_glucose = serializers.DecimalField(max_digits=4, decimal_places=1, required=False, allow_null=True)
    lifestyle = serializers.DictField(required=False)
    adherence = serializers.CharField(max_length=16, required=False, allow_blank=True)
    adverse_reaction = serializers.BooleanField(required=False, default=False)
    medications = MedicationSerializer(many=True, required=False)
    details = serializers.DictField(required=False)
    override_classification = serializers.CharField(max_length=24, required=False, allow_blank=True)
    override_reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


class FollowupViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Follow-ups the user may see (``?enrolment=``, ``?resident=``). POST records one and answers the rules'
    decision: ``classification``, ``next_due``, ``referral`` ("" | "advised" | "urgent") and ``reasons``.
    ``due/``: the due list (``?scope=mine|team|township|county``, ``?team=``, ``?bucket=todo|due_week|overdue|not_seen|lost|all``,
    ``?programme=``, ``?area=``, ``?sort=risk|overdue``)."""

    serializer_class = VisitSerializer

    def get_queryset(self):
        qs = queries.visible_visits(self.request.user).order_by("-visit_date", "-pk")
        p = self.request.query_params
        if p.get("enrolment", "").isdigit():
            qs = qs.filter(enrolment_id=int(p["enrolment"]))
        if p.get("resident", "").isdigit():
            qs = qs.filter(resident_id=int(p["resident"]))
        return qs

    def get_serializer_class(self):
        return FollowupWriteSerializer if self.action == "create" else VisitSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(VisitSerializer(queries.get_visit_for(request.user, kwargs["pk"])).data)

    def create(self, request, *args, **kwargs):
        s = FollowupWriteSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        enrolment = queries.get_enrolment_for(request.user, d.pop("enrolment"))
        institution = d.pop("institution")
        d["medications"] = [dict(m) for m in d.get("medications", [])]
        visit, decision = programmes.get(enrolment.programme).record(request.user, enrolment, institution=institution,
                                                                     **d)
        body = VisitSerializer(visit).data
        body["decision"] = {"classification": decision.classification, "next_due": decision.next_due,
                            "referral": decision.referral, "reasons": list(decision.reasons)}
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(responses={200: DueRowSerializer(many=True)})
    @action(detail=False, methods=["get"])
    def due(self, request):
        p = request.query_params
        scope = p.get("scope") if p.get("scope") in queries.SCOPES else "mine"
        bucket = p.get("bucket") if p.get("bucket") in queries.BUCKETS else "todo"
        area = int(p["area"]) if p.get("area", "").isdigit() else None
        team = int(p["team"]) if p.get("team", "").isdigit() else None
        qs = queries.due_list(request.user, scope=scope, bucket=bucket, programme=p.get("programme", ""),
                              area_id=area, team_id=team, sort=p.get("sort", "risk"))
        page = self.paginate_queryset(qs)
        rows = queries.due_rows(request.user, page if page is not None else qs)
        data = [{**EnrolmentSerializer(r.enrolment).data, "days_overdue": r.days_overdue, "state": r.state,
                 "phone": r.phone, "team": r.team} for r in rows]
        return self.get_paginated_response(data) if page is not None else Response(data)


def register(router):
    router.register("enrolments", EnrolmentViewSet, basename="enrolment")
    router.register("followups", FollowupViewSet, basename="followup")


