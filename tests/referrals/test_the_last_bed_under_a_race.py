"""Two clerks accept two referrals with the last free reserved bed at the same moment: exactly one wins, on
SQLite and on PostgreSQL (design: concurrency recipe — file database, real transactions, threads released
together by a Barrier)."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from . import helpers


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_clerk_gets_the_last_bed():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.org import actions as org_actions
    from yigongti.org.models import ReservedBed, Role
    from yigongti.referrals import actions
    from yigongti.referrals.models import Referral

    s = build_scenario()
    clerk_2 = org_actions.create_staff(None, institution=s.county_hospital, username="desk-2", full_name="二号窗口",
                                       password=s.password, roles=[Role.NURSE], validate=False)
    helpers.beds(s, 1)
    referrals = [helpers.submitted(s), helpers.submitted(s)]
    barrier = threading.Barrier(2)
    won, lost, errors = [], [], []

    def clerk(user, referral):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.accept_referral(user, referral, reserve_bed=True)
            won.append(referral.pk)
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=clerk, args=(u, r)) for u, r in zip((s.county_specialist, clerk_2), referrals, strict=True)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert "bed" in lost[0]
    bed = ReservedBed.objects.get()
    assert bed.holder_ref == f"referrals.Referral:{won[0]}"
    assert Referral.objects.filter(bed=bed).count() == 1
    loser = Referral.objects.get(pk=lost and [r.pk for r in referrals if r.pk != won[0]][0])
    assert loser.status == "submitted" and loser.bed is None
