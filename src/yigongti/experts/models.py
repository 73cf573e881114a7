"""Experts down to the townships (专家下沉): secondments of county staff, weekly specialist timetables per
township centre with their exceptions, sessions generated from them, the appointment slots of each session
(part reserved for family doctors), bookings, remote consultations and outreach activities.

Appointments belong here (design "Shared concepts"): a referral accepted into a session books a slot.
A slot is taken by inserting a live ``Booking`` on it: the partial unique constraints (one live booking per
slot, one per resident per session) decide a race on both databases; PostgreSQL also locks the candidate slot
rows in number order first (design: concurrency recipe)."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from yigongti.org.models import Institution
from yigongti.people.models import Resident


class SecondmentRole(models.TextChoices):
    EXECUTIVE_DIRECTOR = "executive_director", _("执行院长")
    DEPARTMENT_HEAD = "department_head", _("科主任")
    ROTATING_EXPERT = "rotating_expert", _("轮转专家")


class Secondment(models.Model):
    """A county staff member seconded to a township centre (派驻), with the title held when it started."""

    staff = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("派驻人员"), on_delete=models.PROTECT,
                              related_name="secondments")
    home_institution = models.ForeignKey(Institution, verbose_name=_("派出机构"), on_delete=models.PROTECT,
                                         related_name="secondments_out")
    institution = models.ForeignKey(Institution, verbose_name=_("派驻机构"), on_delete=models.PROTECT,
                                    related_name="secondments_in")
    role = models.CharField(_("派驻岗位"), max_length=20, choices=SecondmentRole.choices)
    specialty = models.CharField(_("专业"), max_length=40, blank=True)
    title = models.CharField(_("职称"), max_length=20, blank=True, help_text=_("派驻时的专业技术职称"))
    title_name = models.CharField(_("职称名称"), max_length=40, blank=True)
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家派驻")
        verbose_name_plural = _("专家派驻")
        ordering = ["-start_date", "pk"]
        indexes = [models.Index(fields=["institution", "start_date"], name="secondment_inst_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                                   name="secondment_dates_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.staff} → {self.institution}"


class HalfDay(models.TextChoices):
    AM = "am", _("上午")
    PM = "pm", _("下午")


class TimetableEntry(models.Model):
    """One cell of a township centre's weekly specialist timetable (seed 000: 外科门诊, 星期三, 骨科)."""

    institution = models.ForeignKey(Institution, verbose_name=_("乡镇卫生院"), on_delete=models.PROTECT,
                                    related_name="timetable_entries")
    clinic = models.CharField(_("门诊"), max_length=40, help_text=_("如 康复科门诊、内、儿科门诊"))
    weekday = models.PositiveSmallIntegerField(_("星期"), help_text=_("0 = 星期一"))
    half_day = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    specialty = models.CharField(_("专科"), max_length=40, help_text=_("如 神经内科、普外（肝胆）"))
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("坐诊专家"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="timetable_entries")
    home_institution = models.ForeignKey(Institution, verbose_name=_("专家所在医院"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveSmallIntegerField(_("号源数"), default=20)
    reserved = models.PositiveSmallIntegerField(_("家庭医生预留号源"), default=5)
    valid_from = models.DateField(_("生效日期"))
    valid_until = models.DateField(_("失效日期"), null=True, blank=True)
    active = models.BooleanField(_("在用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家排班")
        verbose_name_plural = _("专家排班")
        ordering = ["institution", "clinic", "weekday", "half_day"]
        constraints = [
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=6), name="timetable_weekday_range"),
            models.CheckConstraint(condition=Q(reserved__lte=models.F("capacity")), name="timetable_reserved_le_cap"),
            models.CheckConstraint(condition=Q(end_time__gt=models.F("start_time")), name="timetable_times_ordered"),
        ]

    def __str__(self) -> str:
        return f"{self.clinic} {self.weekday} {self.half_day} {self.specialty}"


class ExceptionKind(models.TextChoices):
    HOLIDAY = "holiday", _("停诊（节假日）")
    SWAP = "swap", _("调班")


class TimetableException(models.Model):
    """A day off the timetable (no sessions at the centre that day, or only ``entry``'s) or a swap: ``entry``'s
    session on ``date`` moves to ``new_date`` and/or another specialist."""

    institution = models.ForeignKey(Institution, verbose_name=_("乡镇卫生院"), on_delete=models.PROTECT,
                                    related_name="timetable_exceptions")
    kind = models.CharField(_("类别"), max_length=8, choices=ExceptionKind.choices)
    date = models.DateField(_("日期"))
    entry = models.ForeignKey(TimetableEntry, verbose_name=_("排班"), null=True, blank=True,
                              on_delete=models.CASCADE, related_name="exceptions")
    new_date = models.DateField(_("调至日期"), null=True, blank=True)
    new_specialist = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("替班专家"), null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("排班例外")
        verbose_name_plural = _("排班例外")
        ordering = ["date", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.date}"


class SessionStatus(models.TextChoices):
    OPEN = "open", _("开放")
    CANCELLED = "cancelled", _("停诊")


class Session(models.Model):
    """One specialist session (半天坐诊) at a township centre, generated from a timetable entry (or added by
    hand). Its slots are made with it; ``release_at`` is when unbooked reserved slots open to everyone."""

    institution = models.ForeignKey(Institution, verbose_name=_("乡镇卫生院"), on_delete=models.PROTECT,
                                    related_name="expert_sessions")
    entry = models.ForeignKey(TimetableEntry, verbose_name=_("排班"), null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="sessions")
    date = models.DateField(_("日期"))
    half_day = models.CharField(_("时段"), max_length=2, choices=HalfDay.choices)
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    starts_at = models.DateTimeField(_("开始于"))
    release_at = models.DateTimeField(_("预留号源释放时间"))
    released_at = models.DateTimeField(_("已释放于"), null=True, blank=True)
    clinic = models.CharField(_("门诊"), max_length=40)
    specialty = models.CharField(_("专科"), max_length=40)
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("坐诊专家"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="expert_sessions")
    home_institution = models.ForeignKey(Institution, verbose_name=_("专家所在医院"), null=True, blank=True,
                                         on_delete=models.PROTECT, related_name="+")
    capacity = models.PositiveSmallIntegerField(_("号源数"))
    reserved = models.PositiveSmallIntegerField(_("家庭医生预留号源"))
    status = models.CharField(_("状态"), max_length=10, choices=SessionStatus.choices, default=SessionStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家门诊")
        verbose_name_plural = _("专家门诊")
        ordering = ["starts_at", "clinic", "pk"]
        indexes = [models.Index(fields=["institution", "date"], name="session_inst_date_idx"),
                   models.Index(fields=["specialist", "date"], name="session_specialist_idx")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "date"], condition=Q(entry__isnull=False),
                                    name="session_once_per_entry_date"),
            models.CheckConstraint(condition=Q(reserved__lte=models.F("capacity")), name="session_reserved_le_cap"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_half_day_display()} {self.clinic} {self.specialty}"


class Slot(models.Model):
    """One appointment number (号源) of a session; ``reserved`` ones are for family doctors until release."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="slots")
    number = models.PositiveSmallIntegerField(_("序号"))
    time = models.TimeField(_("预计就诊时间"))
    reserved = models.BooleanField(_("家庭医生预留"), default=False)

    class Meta:
        verbose_name = _("号源")
        verbose_name_plural = _("号源")
        ordering = ["session", "number"]
        constraints = [models.UniqueConstraint(fields=["session", "number"], name="slot_number_unique")]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.number}"


class BookingStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    ATTENDED = "attended", _("已就诊")
    NO_SHOW = "no_show", _("爽约")
    CANCELLED = "cancelled", _("已取消")


class BookingSource(models.TextChoices):
    FAMILY_DOCTOR = "family_doctor", _("家庭医生预约")
    DESK = "desk", _("窗口预约")
    REFERRAL = "referral", _("转诊预约")
    MIGRATED = "migrated", _("转诊预约（迁移）")


LIVE_BOOKING = ~Q(status="cancelled")


class Booking(models.Model):
    slot = models.ForeignKey(Slot, verbose_name=_("号源"), on_delete=models.PROTECT, related_name="bookings")
    session = models.ForeignKey(Session, verbose_name=_("专家门诊"), on_delete=models.PROTECT,
                                related_name="bookings")
    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.PROTECT,
                                 related_name="expert_bookings")
    status = models.CharField(_("状态"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.BOOKED)
    source = models.CharField(_("来源"), max_length=16, choices=BookingSource.choices)
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("预约人"), null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    booked_for = models.ForeignKey(Institution, verbose_name=_("预约机构"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    referral_id = models.BigIntegerField(_("转诊单"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    booked_at = models.DateTimeField(_("预约时间"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancel_reason = models.CharField(_("取消原因"), max_length=200, blank=True)
    marked_at = models.DateTimeField(_("登记就诊/爽约时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["session", "slot__number"]
        indexes = [models.Index(fields=["resident", "status"], name="booking_resident_idx")]
        constraints = [
            # The race on the last slot and "one slot per resident per session" are decided here.
            models.UniqueConstraint(fields=["slot"], condition=LIVE_BOOKING, name="booking_one_live_per_slot"),
            models.UniqueConstraint(fields=["session", "resident"], condition=LIVE_BOOKING,
                                    name="booking_one_per_resident_session"),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}#{self.slot_id} {self.resident_id}"


class ConsultationMode(models.TextChoices):
    INSTANT = "instant", _("即时会诊")
    BOOKED = "booked", _("预约会诊")


class ConsultationStatus(models.TextChoices):
    REQUESTED = "requested", _("待答复")
    ANSWERED = "answered", _("已答复")
    CANCELLED = "cancelled", _("已撤销")


class Consultation(models.Model):
    """远程会诊: a township or village doctor asks a county specialist, the shared record attached (a copy
    of what it said then); the specialist answers in writing and says whether a video call took place."""

    resident = models.ForeignKey(Resident, verbose_name=_("患者"), on_delete=models.PROTECT,
                                 related_name="expert_consultations")
    institution = models.ForeignKey(Institution, verbose_name=_("申请机构"), on_delete=models.PROTECT,
                                    related_name="consultations_requested")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请医生"), on_delete=models.PROTECT,
                                     related_name="consultations_requested")
    specialist = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("会诊专家"), on_delete=models.PROTECT,
                                   related_name="consultations_assigned")
    specialist_institution = models.ForeignKey(Institution, verbose_name=_("会诊医院"), on_delete=models.PROTECT,
                                               related_name="consultations_received")
    mode = models.CharField(_("方式"), max_length=8, choices=ConsultationMode.choices)
    scheduled_at = models.DateTimeField(_("预约时间"), null=True, blank=True)
    question = models.TextField(_("会诊目的及病情摘要"))
    record_summary = models.JSONField(_("附带健康档案"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ConsultationStatus.choices,
                              default=ConsultationStatus.REQUESTED)
    answer = models.TextField(_("会诊意见"), blank=True)
    video_call = models.BooleanField(_("已进行视频通话"), default=False)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("远程会诊")
        verbose_name_plural = _("远程会诊")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["specialist", "status"], name="consult_specialist_idx"),
                   models.Index(fields=["institution", "created_at"], name="consult_inst_idx")]

    def __str__(self) -> str:
        return f"{self.pk} {self.get_mode_display()}"


class OutreachKind(models.TextChoices):
    LECTURE = "lecture", _("讲座")
    WARD_ROUND = "ward_round", _("教学查房")
    FREE_CLINIC = "free_clinic", _("义诊")
    SURGERY_TAUGHT = "surgery_taught", _("手术带教")
    TRAINING = "training", _("业务培训")


class OutreachActivity(models.Model):
    """A lecture, ward round, free clinic, surgery taught or training held at a township centre (seed 000:
    "每周有讲座、每月有义诊"; 001: 查房, 手术示范)."""

    kind = models.CharField(_("类别"), max_length=16, choices=OutreachKind.choices)
    institution = models.ForeignKey(Institution, verbose_name=_("开展机构"), on_delete=models.PROTECT,
                                    related_name="outreach_activities")
    date = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    topic = models.CharField(_("主题"), max_length=120)
    experts = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("专家"), related_name="outreach")
    participants = models.PositiveIntegerField(_("参加人数"), default=0)
    count = models.PositiveIntegerField(_("例数/人次"), default=1,
                                        help_text=_("手术带教的台次、义诊的服务人次；讲座、查房、培训记 1 场"))
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("专家下乡活动")
        verbose_name_plural = _("专家下乡活动")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["institution", "date"], name="outreach_inst_date_idx"),
                   models.Index(fields=["date", "kind"], name="outreach_date_kind_idx")]

    def __str__(self) -> str:
        return f"{self.date} {self.get_kind_display()} {self.topic}"
