"""The referral part of the demo county (tiny, through the real actions): catalogs, the county hospital's
approval setting, a mix of up- and down-referrals in every state, filings — and every figure has something to
count; the same mix again for the same seed."""
from django.db import transaction

from yigongti.demo.registry import DemoContext, generate
from yigongti.referrals.models import CatalogEntry, OutsideFiling, Policy, Referral
from yigongti.referrals.queries import with_state


def _build(seed):
    with transaction.atomic():
        lines = []
        generate(DemoContext(scale="tiny", seed=seed, log=lines.append))
        made = list(with_state(Referral.objects.order_by("pk")).values_list("direction", "state", "primary_diagnosis",
                                                                            "questionable"))
        extra = (CatalogEntry.objects.count(), OutsideFiling.objects.count(),
                 Policy.objects.filter(requires_head_approval=True).count())
        transaction.set_rollback(True)
    return made, extra, lines


def test_the_mix(db):
    made, (entries, filings, policies), lines = _build(1)
    states = {state for _d, state, _c, _q in made}
    assert {"completed", "submitted", "accepted"} <= states, states
    assert {d for d, *_ in made} == {"up", "down"}
    assert any(q for *_, q in made)
    assert entries > 20 and filings == 2 and policies == 1
    assert any("up-referrals" in line for line in lines)
    assert _build(1)[0] == made
