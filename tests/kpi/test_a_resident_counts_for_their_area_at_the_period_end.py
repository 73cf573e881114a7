"""Attribution: the ledger follows the resident events; a stock at a period's end counts each resident once,
for the area they lived in on that day."""
import datetime as dt

import time_machine
from django.db import transaction

from yigongti.kpi import residents
from yigongti.kpi.models import ResidentPlacement

from . import people_adapter as people


def test_moves_deaths_and_merges_change_the_stock_from_their_day_on(county):
    people.require()
    a, b = county.areas["village_a"].pk, county.areas["village_c"].pk
    with time_machine.travel("2025-01-15 10:00 +0800", tick=False):
        first, second = people.resident(county, "village_a"), people.resident(county, "village_a")
        third = people.resident(county, "village_c")
    with time_machine.travel("2025-03-10 10:00 +0800", tick=False):
        people.move(county, first, "village_c")
    people.died(county, second, dt.date(2025, 4, 30))
    with time_machine.travel("2025-05-02 10:00 +0800", tick=False):
        people.merge(county, first, third)

    assert residents.stock((2025, 1), {a}) == 2 and residents.stock((2025, 1), {b}) == 1
    assert residents.stock((2025, 3), {a}) == 1 and residents.stock((2025, 3), {b}) == 2
    assert residents.stock((2025, 4), {a}) == 0  # died on the last day of April: not counted at its end
    assert residents.stock((2025, 5), None) == 1
    township_1 = {a, county.areas["township_1"].pk}
    ids = set(residents.placed_resident_ids(dt.date(2025, 2, 28), township_1).values_list("resident_id", flat=True))
    assert ids == {first.pk, second.pk}
    assert ResidentPlacement.objects.filter(resident_id=first.pk).count() == 2  # the old placement is kept

    before = list(ResidentPlacement.objects.order_by("pk").values_list("resident_id", "area_id", "start", "end"))
    with transaction.atomic():
        residents.rebuild()  # a rebuild keeps the history and gives the same stocks
    after = list(ResidentPlacement.objects.order_by("pk").values_list("resident_id", "area_id", "start", "end"))
    assert before == after
    assert residents.stock((2025, 3), {b}) == 2 and residents.stock((2025, 5), None) == 1
