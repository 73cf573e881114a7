"""State changes of kpi: closing a reported period, rebuilding the rollups."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yigongti.audit.log import record_change
from yigongti.org.access import has_role
from yigongti.org.models import Role
from yigongti.rules import indicators as rules

from . import catalog, encounters, residents
from .models import ClosedPeriod, FrozenFigure
from .queries import PERIOD_ERRORS, Reader


def close_period(user, period_code: str) -> ClosedPeriod:
    """Freeze every live indicator of an ended period at every cut (consortium office only). Data arriving
    later for it shows as a revision beside the reported figure (design: "Attribution and closed periods")."""
    if not has_role(user, Role.CONSORTIUM_OFFICE):
        raise PermissionDenied
    try:
        period = rules.parse_period(period_code)
    except rules.RuleError as exc:
        raise ValidationError({"period": [PERIOD_ERRORS[exc.code]]}) from None
    if period.kind == "ytd":
        raise ValidationError({"period": [_("年初至今不是报告期，请关闭月、季度或年度。")]})
    if not rules.has_ended(period, timezone.localdate()):
        raise ValidationError({"period": [_("统计期尚未结束，不能关账。")]})
    with transaction.atomic():
        if ClosedPeriod.objects.filter(period=period.code).exists():
            raise ValidationError({"period": [_("该统计期已关账。")]})
        closed = ClosedPeriod.objects.create(period=period.code, closed_at=timezone.now(), closed_by=user)
        reader = Reader()
        rows = []
        for indicator in catalog.computable():
            if period.kind not in indicator.periods:
                continue
            cuts = [cut for level in indicator.levels for cut in reader.shape.cuts(level)]
            for code, figure in reader.live(indicator, period, cuts).items():
                rows.append(FrozenFigure(closed=closed, indicator=indicator.code, cut=code,
                                         numerator=figure.numerator, denominator=figure.denominator,
                                         value=figure.value))
        FrozenFigure.objects.bulk_create(rows, batch_size=2000)
        record_change(user, action="create", subject=closed, before=None, reason="close_period",
                      after={"period": period.code, "figures": len(rows)})
    return closed


def rebuild() -> dict[str, int]:
    """Recompute every rollup from raw data (``yigongti kpi rebuild``; the demo runs it last)."""
    counts = {"encounter_rollups": encounters.rebuild(), "resident_placements": residents.rebuild()}
    for indicator in catalog.computable():
        if indicator.hooks is not None and hasattr(indicator.hooks, "rebuild"):
            counts[indicator.code] = indicator.hooks.rebuild()
    return counts

