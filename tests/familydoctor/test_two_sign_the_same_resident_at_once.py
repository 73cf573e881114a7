"""Two team members sign the same resident at the same moment: exactly one active contract remains, the other
gets the field error, on SQLite and on PostgreSQL (design: concurrency recipe — file database, real
transactions, threads released together by a Barrier; the partial unique index decides)."""
import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_active_contract_when_two_sign_at_once():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.familydoctor import actions
    from yigongti.familydoctor.defaults import ensure_default_packages
    from yigongti.familydoctor.models import Contract, Package
    from yigongti.people import actions as people

    s = build_scenario()
    ensure_default_packages()
    team = actions.create_team(None, institution=s.centre_1, name="竞争团队", leader=s.township_doctor,
                               areas=[s.village_a])
    actions.add_member(None, team, user=s.village_doctor_a, institution=s.clinic_a, role="village_doctor")
    resident = people.register_resident(s.village_doctor_a, institution=s.clinic_a, area=s.village_a, name="竞争居民",
                                        sex="1", birth_date=dt.date(1950, 1, 1), document_type="none", force=True)
    basic = Package.objects.get(code="basic")
    barrier = threading.Barrier(2)
    won, lost, errors = [], [], []

    def signer(user, institution):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                c = actions.sign_contract(user, resident=resident, team=team, doctor=user, packages=[basic],
                                          institution=institution, consent_by="本人")
            won.append(c.pk)
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=signer, args=a) for a in ((s.township_doctor, s.centre_1),
                                                                 (s.village_doctor_a, s.clinic_a))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert "resident" in lost[0]
    assert Contract.objects.filter(resident=resident, status="active").count() == 1
    assert Contract.objects.filter(resident=resident).count() == 1
