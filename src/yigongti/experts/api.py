"""/api/v1/timetables/ (township timetables), /api/v1/slots/ (open sessions with their free slots;
``POST /slots/{session}/book/`` and ``POST /slots/cancel/``), /api/v1/consultations/ (request, list, retrieve,
``POST /consultations/{id}/answer/``) and /api/v1/outreach/ (list, record). Scoped like the pages
(queries.py), writes through actions.py; residents appear by name only (no phone or ID number)."""
from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from yigongti.org.models import Institution, User
from yigongti.people.models import Resident
from yigongti.people.queries import get_resident_for, visible_residents

from . import actions, queries
from .models import (
    Booking,
    Consultation,
    ConsultationMode,
    OutreachActivity,
    OutreachKind,
    Session,
    TimetableEntry,
)

ROOT_LINKS = {"timetables": "api:timetable-list", "slots": "api:slot-list", "consultations": "api:consultation-list",
              "outreach": "api:outreach-list"}


class TimetableSerializer(serializers.ModelSerializer):
    specialist_name = serializers.CharField(source="specialist.display_name", default="", read_only=True)
    institution_name = serializers.CharField(source="institution.name", read_only=True)

    class Meta:
        model = TimetableEntry
        fields = ["id", "institution", "institution_name", "clinic", "weekday", "half_day", "start_time", "end_time",
                  "specialty", "specialist", "specialist_name", "home_institution", "capacity", "reserved",
                  "valid_from", "valid_until"]


class TimetableViewSet(viewsets.ReadOnlyModelViewSet):
    """Weekly specialist timetables of the township centres (``?institution=``); no personal data."""

    serializer_class = TimetableSerializer

    def get_queryset(self):
        qs = TimetableEntry.objects.filter(active=True).select_related("institution", "specialist")
        institution = self.request.query_params.get("institution")
        if institution and institution.isdigit() and len(institution) < 18:
            qs = qs.filter(institution_id=int(institution))
        return qs.order_by("institution_id", "clinic", "weekday", "half_day", "pk")


class SessionSerializer(serializers.ModelSerializer):
    specialist_name = serializers.CharField(source="specialist.display_name", default="", read_only=True)
    free_general = serializers.IntegerField(read_only=True)
    free_reserved = serializers.IntegerField(read_only=True)
    released = serializers.SerializerMethodField()

    class Meta:
        model = Session
        fields = ["id", "institution", "date", "half_day", "start_time", "end_time", "clinic", "specialty",
                  "specialist", "specialist_name", "capacity", "reserved", "release_at", "released", "status",
                  "free_general", "free_reserved"]

    def get_released(self, s) -> bool:
        return actions.is_released(s)


class BookingSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)
    number = serializers.IntegerField(source="slot.number", read_only=True)
    time = serializers.TimeField(source="slot.time", read_only=True)
    reserved = serializers.BooleanField(source="slot.reserved", read_only=True)

    class Meta:
        model = Booking
        fields = ["id", "session", "number", "time", "reserved", "resident", "resident_name", "status", "source",
                  "booked_by", "booked_for", "referral_id", "booked_at", "cancelled_at", "cancel_reason"]


class BookSerializer(serializers.Serializer):
    resident = serializers.IntegerField(min_value=1, max_value=2**63 - 1,
                                        help_text="居民编号（须为您可查看的居民，否则 404）")
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all(), required=False)
    note = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CancelSerializer(serializers.Serializer):
    booking = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True)


def _free(qs):
    live = ~Q(slots__bookings__status="cancelled") & Q(slots__bookings__isnull=False)
    return qs.annotate(
        taken_general=Count("slots", filter=live & Q(slots__reserved=False), distinct=True),
        taken_reserved=Count("slots", filter=live & Q(slots__reserved=True), distinct=True))


class SlotViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Open specialist sessions with their free slots (``?institution=``, ``?date_from=``, ``?date_to=``);
    ``POST /slots/{session}/book/`` books a resident (the reserved part for a family doctor's contracted
    resident until the release time), ``POST /slots/cancel/`` cancels a booking."""

    serializer_class = SessionSerializer

    def get_queryset(self):
        p = self.request.query_params
        qs = Session.objects.filter(status="open", starts_at__gte=timezone.now())
        if p.get("institution", "").isdigit() and len(p["institution"]) < 18:
            qs = qs.filter(institution_id=int(p["institution"]))
        for name, lookup in (("date_from", "date__gte"), ("date_to", "date__lte")):
            if p.get(name):
                try:
                    qs = qs.filter(**{lookup: dt.date.fromisoformat(p[name])})
                except ValueError:
                    from rest_framework.exceptions import ValidationError

                    raise ValidationError({name: ["日期格式应为 YYYY-MM-DD。"]}) from None
        return _free(qs.select_related("specialist")).order_by("starts_at", "pk")

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        for s in page:
            s.free_general = (s.capacity - s.reserved) - s.taken_general
            s.free_reserved = s.reserved - s.taken_reserved
        return self.get_paginated_response(SessionSerializer(page, many=True).data)

    def retrieve(self, request, *args, **kwargs):
        s = self.get_object()
        s.free_general = (s.capacity - s.reserved) - s.taken_general
        s.free_reserved = s.reserved - s.taken_reserved
        return Response(SessionSerializer(s).data)

    @extend_schema(request=BookSerializer, responses={201: BookingSerializer})
    @action(detail=True, methods=["post"])
    def book(self, request, pk=None):
        session = queries.get_session(request.user, pk)
        s = BookSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        d = s.validated_data
        resident = get_resident_for(request.user, d["resident"], detail="api booking")
        b = actions.book_slot(request.user, session, resident, institution=d.get("institution"),
                              note=d.get("note", ""))
        return Response(BookingSerializer(b).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=CancelSerializer, responses=BookingSerializer)
    @action(detail=False, methods=["post"])
    def cancel(self, request):
        s = CancelSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        b = queries.get_booking_for(request.user, s.validated_data["booking"])
        b = actions.cancel_booking(request.user, b, s.validated_data.get("reason", ""))
        return Response(BookingSerializer(b).data)


class ConsultationSerializer(serializers.ModelSerializer):
    resident_name = serializers.CharField(source="resident.name", read_only=True)

    class Meta:
        model = Consultation
        fields = ["id", "resident", "resident_name", "institution", "requested_by", "specialist",
                  "specialist_institution", "mode", "scheduled_at", "question", "record_summary", "status", "answer",
                  "video_call", "answered_at", "created_at"]
        read_only_fields = ["requested_by", "specialist_institution", "record_summary", "status", "answer",
                            "video_call", "answered_at", "created_at"]


class ConsultationCreateSerializer(serializers.Serializer):
    resident = serializers.PrimaryKeyRelatedField(queryset=Resident.objects.none())
    institution = serializers.PrimaryKeyRelatedField(queryset=Institution.objects.all())
    specialist = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True))
    mode = serializers.ChoiceField(choices=ConsultationMode.choices)
    scheduled_at = serializers.DateTimeField(required=False, allow_null=True)
    question = serializers.CharField(max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["resident"].queryset = visible_residents(request.user)


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=4000)
    video_call = serializers.BooleanField(required=False, default=False)


class ConsultationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          viewsets.GenericViewSet):
    """Remote consultations the user asked for (their institutions) or was asked for; ``?status=``."""

    serializer_class = ConsultationSerializer

    def get_queryset(self):
        qs = queries.visible_consultations(self.request.user).select_related("resident")
        if self.request.query_params.get("status"):
            qs = qs.filter(status=self.request.query_params["status"])
        return qs.order_by("-created_at", "-pk")

    def get_serializer_class(self):
        return ConsultationCreateSerializer if self.action == "create" else ConsultationSerializer

    def retrieve(self, request, *args, **kwargs):
        return Response(ConsultationSerializer(queries.get_consultation_for(request.user, kwargs["pk"], "api")).data)

    @extend_schema(request=ConsultationCreateSerializer, responses={201: ConsultationSerializer})
    def create(self, request, *args, **kwargs):
        s = ConsultationCreateSerializer(data=request.data, context={"request": request})
        s.is_valid(raise_exception=True)
        c = actions.request_consultation(request.user, **s.validated_data)
        return Response(ConsultationSerializer(c).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=AnswerSerializer, responses=ConsultationSerializer)
    @action(detail=True, methods=["post"])
    def answer(self, request, pk=None):
        c = queries.get_consultation_for(request.user, pk, "answer")
        s = AnswerSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        c = actions.answer_consultation(request.user, c, **s.validated_data)
        return Response(ConsultationSerializer(c).data)


class OutreachSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(choices=OutreachKind.choices)
    experts = serializers.PrimaryKeyRelatedField(queryset=User.objects.filter(is_active=True), many=True)

    class Meta:
        model = OutreachActivity
        fields = ["id", "kind", "institution", "date", "place", "topic", "experts", "participants", "count", "note",
                  "created_at"]
        read_only_fields = ["created_at"]


class OutreachViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                      viewsets.GenericViewSet):
    """Outreach activities (aggregates, no personal data): ``?institution=``, ``?kind=``, ``?year=``."""

    serializer_class = OutreachSerializer

    def get_queryset(self):
        p = self.request.query_params
        start = end = None
        if p.get("year", "").isdigit() and 1900 <= int(p["year"]) <= 2999:
            start, end = dt.date(int(p["year"]), 1, 1), dt.date(int(p["year"]), 12, 31)
        inst = p.get("institution", "")
        return queries.outreach(institution_id=int(inst) if inst.isdigit() and len(inst) < 18 else None,
                                start=start, end=end, kind=p.get("kind", ""))

    def perform_create(self, serializer):
        serializer.instance = actions.record_outreach(self.request.user, **serializer.validated_data)


def register(router):
    router.register("timetables", TimetableViewSet, basename="timetable")
    router.register("slots", SlotViewSet, basename="slot")
    router.register("consultations", ConsultationViewSet, basename="consultation")
    router.register("outreach", OutreachViewSet, basename="outreach")
