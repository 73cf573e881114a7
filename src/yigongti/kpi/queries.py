"""Reading indicators: live figures from rollups, reported figures of closed periods with their revisions,
year-on-year and period-on-period changes, trends, and the drill-down scoped to the user.

Aggregates carry no personal data and are visible by area (design: Access); the drill-down lists records
and goes through the people app's scoping (people.queries.visible_residents).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from yigongti.org.access import (
    ADMINISTRATOR_ROLES,
    OVERSIGHT_ROLES,
    has_role,
    roles_by_institution,
    user_roles,
)
from yigongti.rules import indicators as rules
from yigongti.rules.indicators import COUNTY, Cut, Figure, Indicator, Period

from . import encounters
from .models import ClosedPeriod, FrozenFigure
from .structure import Shape, shape


@dataclass(frozen=True)
class Reading:
    """A figure as shown: the reported one (frozen when its period is closed), the live one, and changes."""

    indicator: Indicator
    period: Period
    cut: Cut
    figure: Figure          # what is reported
    live: Figure            # what the data says now
    closed: bool
    last_year: Figure | None = None
    previous: Figure | None = None

    @property
    def value(self):
        return self.figure.value

    @property
    def revised(self) -> bool:
        return self.closed and self.live != self.figure

    @property
    def revision(self) -> Decimal | None:
        """The difference of a later revision to the reported value (in the indicator's unit)."""
        return rules.difference(self.live.value, self.figure.value) if self.revised else None

    @property
    def yoy(self) -> Decimal | None:
        """同比: relative change of the figure itself against the same period last year."""
        if not self.last_year:
            return None
        unit = self.indicator.unit
        return rules.relative_change(self.figure.exact(unit), self.last_year.exact(unit))

    @property
    def pop(self) -> Decimal | None:
        """环比: relative change against the previous period."""
        if not self.previous:
            return None
        unit = self.indicator.unit
        return rules.relative_change(self.figure.exact(unit), self.previous.exact(unit))

    @property
    def good(self) -> bool | None:
        """Did the year-on-year change go the indicator's good way?"""
        change = self.yoy
        if change is None or change == 0 or self.indicator.direction == "neutral":
            return None
        return (change > 0) == (self.indicator.direction == "up")

    def as_dict(self) -> dict:
        return {
            "period": self.period.code, "cut": self.cut.code, **self.figure.as_dict(),
            "closed": self.closed, "revised": self.revised,
            "live": self.live.as_dict() if self.revised else None,
            "revision": _plain(self.revision),
            "last_year": self.last_year.as_dict() if self.last_year else None,
            "yoy_percent": _plain(self.yoy),
            "previous": self.previous.as_dict() if self.previous else None,
            "pop_percent": _plain(self.pop),
        }


def _plain(number):
    return None if number is None else str(number)


def _frozen_to_figure(row: FrozenFigure, indicator: Indicator) -> Figure:
    """A stored figure with the same number types as a live one (visits int, money Decimal)."""

    def norm(number, money: bool | None):
        if number is None:
            return None
        if money is None:
            money = number != number.to_integral_value()
        return number.quantize(Decimal("0.01")) if money else int(number)

    spec = indicator.spec
    num = norm(row.numerator, spec.numerator.is_money if spec else None)
    den = norm(row.denominator, spec.denominator.is_money if spec and spec.denominator else None)
    value = None if row.value is None else (int(row.value) if indicator.unit == rules.UNIT_COUNT else row.value)
    return Figure(num, den, value)


class Reader:
    """Reads figures for one request, sharing rollup reads between indicators and cuts."""

    def __init__(self, shape_: Shape | None = None):
        self.shape = shape_ or shape()
        self._cells: dict[str, list[dict]] = {}
        self._monthly: dict[tuple, list[dict]] = {}
        self._closed_codes: set[str] | None = None
        self._frozen: dict[str, dict[tuple[str, str], FrozenFigure]] = {}

    # closed periods
    def closed_codes(self) -> set[str]:
        if self._closed_codes is None:
            self._closed_codes = set(ClosedPeriod.objects.values_list("period", flat=True))
        return self._closed_codes

    def frozen(self, period: Period) -> dict[tuple[str, str], FrozenFigure]:
        if period.code not in self._frozen:
            rows = FrozenFigure.objects.filter(closed__period=period.code)
            self._frozen[period.code] = {(r.indicator, r.cut): r for r in rows}
        return self._frozen[period.code]

    # live figures
    def cells(self, period: Period) -> list[dict]:
        if period.code not in self._cells:
            self._cells[period.code] = encounters.rollup_cells(period.months(), shape=self.shape)
        return self._cells[period.code]

    def live(self, indicator: Indicator, period: Period, cuts: list[Cut]) -> dict[str, Figure]:
        if not indicator.computable:
            return {}
        if indicator.spec is not None:
            return encounters.figures_by(indicator, period, cuts, self.shape, self.cells(period))
        return {cut.code: indicator.hooks.live(period, cut, self.shape) for cut in cuts}

    def reported(self, indicator: Indicator, period: Period, cuts: list[Cut]) -> dict[str, tuple[Figure, Figure, bool]]:
        live = self.live(indicator, period, cuts)
        closed = period.code in self.closed_codes()
        frozen = self.frozen(period) if closed else {}
        out = {}
        for cut in cuts:
            row = frozen.get((indicator.code, cut.code))
            figure = _frozen_to_figure(row, indicator) if row is not None else live[cut.code]
            out[cut.code] = (figure, live[cut.code], row is not None)
        return out

    def readings(self, indicator: Indicator, period: Period, cuts: list[Cut], *, compare: bool = True) -> list[Reading]:
        now = self.reported(indicator, period, cuts)
        last = self.reported(indicator, rules.same_period_last_year(period), cuts) if compare else {}
        prev_period = rules.previous_period(period) if compare else None
        prev = self.reported(indicator, prev_period, cuts) if prev_period else {}
        out = []
        for cut in cuts:
            figure, live, closed = now[cut.code]
            out.append(Reading(indicator, period, cut, figure, live, closed,
                               last_year=last[cut.code][0] if cut.code in last else None,
                               previous=prev[cut.code][0] if cut.code in prev else None))
        return out

    def reading(self, indicator: Indicator, period: Period, cut: Cut = COUNTY) -> Reading:
        return self.readings(indicator, period, [cut])[0]

    def trend(self, indicator: Indicator, months: list[tuple[int, int]], cut: Cut = COUNTY) -> list[tuple[Period, Figure]]:
        """Monthly figures (reported where the month is closed) for a chart."""
        if not indicator.computable:
            return []
        periods = [Period(y, "month", m) for y, m in months]
        closed = self.closed_codes()
        if indicator.spec is not None:
            key = (tuple(months), cut.code)
            if key not in self._monthly:
                self._monthly[key] = encounters.rollup_cells(months, cut=cut, shape=self.shape, by_month=True,
                                                             by_institution=False)
            cells = self._monthly[key]
            live = {p.code: indicator.spec.figure(cells, months=p.months()) for p in periods}
        else:
            live = {p.code: indicator.hooks.live(p, cut, self.shape) for p in periods}
        out = []
        for p in periods:
            row = self.frozen(p).get((indicator.code, cut.code)) if p.code in closed else None
            out.append((p, _frozen_to_figure(row, indicator) if row is not None else live[p.code]))
        return out


def allowed_cuts(indicator: Indicator, shape_: Shape, level: str) -> list[Cut]:
    if level not in indicator.levels:
        return []
    return shape_.cuts(level)


# --- who may see what ------------------------------------------------------------------------------


def may_see_aggregates(user) -> bool:
    """Aggregates carry no personal data: every staff member with a role other than the separated
    administrators sees them (design: "Aggregates are visible by area without personal data")."""
    roles = user_roles(user)
    return bool(roles - ADMINISTRATOR_ROLES)


def is_oversight(user) -> bool:
    return has_role(user, *OVERSIGHT_ROLES)


def home_cut(user) -> Cut:
    """The cut a user's landing page shows: the county for oversight roles, else their first institution."""
    if is_oversight(user):
        return COUNTY
    ids = [i for i, roles in roles_by_institution(user).items() if roles - ADMINISTRATOR_ROLES]
    return Cut("institution", str(min(ids))) if ids else COUNTY


def require_aggregates(user) -> None:
    if not may_see_aggregates(user):
        raise PermissionDenied


def visible_encounters(user):
    """Encounters of residents the user may see (people's scoping), the base of every drill-down."""
    from yigongti.people.models import Encounter

    try:
        from yigongti.people import queries as people_queries
    except ImportError:  # people's scoped reads not built yet: the narrowest safe reading
        people_queries = None
    if people_queries is not None and hasattr(people_queries, "visible_encounters"):
        return people_queries.visible_encounters(user)
    if people_queries is not None and hasattr(people_queries, "visible_residents"):
        return Encounter.objects.filter(resident__in=people_queries.visible_residents(user))
    if is_oversight(user):
        return Encounter.objects.all()
    return Encounter.objects.filter(institution_id__in=[i for i, r in roles_by_institution(user).items()
                                                        if r - ADMINISTRATOR_ROLES])


def drilldown(user, indicator: Indicator, period: Period, cut: Cut, shape_: Shape):
    """Exactly the records counted in ``indicator`` for ``period`` and ``cut``, of those the user may see."""
    if not indicator.computable:
        raise PermissionDenied
    if indicator.spec is not None:
        return encounters.drilldown(indicator, visible_encounters(user), period, cut, shape_)
    return indicator.hooks.drilldown(user, period, cut, shape_)


def drill_figure(indicator: Indicator, queryset, period: Period, cut: Cut, shape_: Shape) -> Figure:
    """The figure recomputed from the drill-down's own records."""
    if indicator.spec is not None:
        return encounters.drill_figure(indicator, queryset)
    return indicator.hooks.drill_figure(queryset, period, cut, shape_)


PERIOD_ERRORS = {rules.PERIOD_INVALID: _("统计期格式不正确，应为 2025、2025-Q1、2025-03 或 2025-YTD03。"),
                 rules.CUT_INVALID: _("统计范围不正确。")}
