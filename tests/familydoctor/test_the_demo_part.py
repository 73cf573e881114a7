"""The family-doctor part of the demo (tiny, through the real actions): a team per village clinic of every
township centre, contracts with a higher share among people aged 65+, and fulfilment that counts something;
then the bulk path (--residents N) over the same county."""
from yigongti.demo.registry import DemoContext, generate
from yigongti.familydoctor import fulfilment
from yigongti.familydoctor.models import Contract, Team


def test_teams_contracts_and_fulfilment(db):
    lines = []
    generate(DemoContext(scale="tiny", seed=1, log=lines.append))
    assert Team.objects.count() >= 2
    contracts = list(Contract.objects.filter(status="active").prefetch_related("packages__items"))
    assert len(contracts) > 10
    states = fulfilment.for_contracts(contracts)
    assert sum(s.due for s in states.values()) > 0
    assert any("familydoctor:" in line for line in lines)
    assert sum(s.done for s in states.values()) > 0  # exams, encounters and follow-ups of the demo count

    # The bulk path (--residents N) over the same county: the same shares, inserted, each resident once.
    from django.db.models import Count

    from yigongti.familydoctor.demo import bulk
    from yigongti.familydoctor.models import TeamMember

    Contract.objects.all().delete()
    TeamMember.objects.all().delete()
    Team.objects.all().delete()
    bulk(DemoContext(scale="tiny", seed=1, residents=10, log=lines.append))
    assert any("(bulk)" in line for line in lines)
    assert Team.objects.count() >= 2
    contracts = Contract.objects.filter(status="active")
    assert contracts.count() > 10
    assert not contracts.values("resident_id").annotate(n=Count("id")).filter(n__gt=1).exists()
    assert all(c.packages.filter(code="basic").exists() for c in contracts[:20])
    assert all(c.fee_total == c.fee_insurance + c.fee_public_health + c.fee_resident for c in contracts[:50])
