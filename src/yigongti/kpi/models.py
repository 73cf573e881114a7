"""Indicator rollups, the attribution ledger and closed periods. kpi owns no clinical data: every row
here is derived from other apps' records (and can be rebuilt, ``yigongti kpi rebuild``), except the
closed-period figures, which are what was reported."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class EncounterRollup(models.Model):
    """Sums of encounters per institution, month, kind and TCM flag, maintained as encounters change
    (``EncounterChanged``: subtract ``before``, add ``after``). Money in fen (exact on every database).
    A county of 500 institutions has about 36 000 rows a year: the dashboard reads these, not encounters.
    The month is the encounter's period month (rules.indicators.encounter_month)."""

    institution = models.ForeignKey("org.Institution", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()  # the first day of the month
    kind = models.CharField(max_length=12)
    is_tcm = models.BooleanField(default=False)
    visits = models.BigIntegerField(default=0)
    total_cost = models.BigIntegerField(default=0)
    drug_cost = models.BigIntegerField(default=0)
    consumables_cost = models.BigIntegerField(default=0)
    medical_service_income = models.BigIntegerField(default=0)
    insurance_paid = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["institution", "month", "kind", "is_tcm"],
                                               name="kpi_encounter_rollup_key")]
        indexes = [models.Index(fields=["month", "institution"])]

    def __str__(self) -> str:
        return f"{self.institution_id} {self.month:%Y-%m} {self.kind}{' tcm' if self.is_tcm else ''}"


class ResidentPlacement(models.Model):
    """The attribution ledger: a resident with a health record placed in an area (village/community) from
    ``start`` until ``end`` (exclusive; null: still there). A resident counts for the area of their
    residence at the end of the period (design: "Attribution and closed periods")."""

    resident_id = models.BigIntegerField(db_index=True)
    area = models.ForeignKey("org.Area", on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["area", "start"])]

    def __str__(self) -> str:
        return f"{self.resident_id} @ {self.area_id} {self.start}–{self.end or ''}"


class PlacementFlow(models.Model):
    """+1 / −1 per area and month from the ledger; a stock at a month's end is the sum up to that month."""

    area = models.ForeignKey("org.Area", on_delete=models.PROTECT, related_name="+")
    month = models.DateField()
    delta = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["area", "month"], name="kpi_placement_flow_key")]

    def __str__(self) -> str:
        return f"{self.area_id} {self.month:%Y-%m} {self.delta:+d}"


class ClosedPeriod(models.Model):
    """A reported period closed by the consortium office: its figures are frozen (FrozenFigure)."""

    period = models.CharField(_("统计期"), max_length=12, unique=True)
    closed_at = models.DateTimeField(_("关账时间"))
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("关账人"), on_delete=models.PROTECT,
                                  related_name="+")

    class Meta:
        verbose_name = _("已关账统计期")
        verbose_name_plural = _("已关账统计期")
        ordering = ["-period"]

    def __str__(self) -> str:
        return self.period


class FrozenFigure(models.Model):
    """A figure as reported when its period was closed. Later data shows as a revision beside it."""

    closed = models.ForeignKey(ClosedPeriod, on_delete=models.CASCADE, related_name="figures")
    indicator = models.CharField(max_length=64)
    cut = models.CharField(max_length=40)
    numerator = models.DecimalField(max_digits=20, decimal_places=2)
    denominator = models.DecimalField(max_digits=20, decimal_places=2, null=True)
    value = models.DecimalField(max_digits=20, decimal_places=2, null=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["closed", "indicator", "cut"], name="kpi_frozen_key")]

    def __str__(self) -> str:
        return f"{self.indicator} {self.cut} = {self.value}"
