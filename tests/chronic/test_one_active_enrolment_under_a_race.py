"""Two doctors enrol the same resident in hypertension at the same moment: exactly one enrolment exists and the
other gets the field error (the partial unique constraint; design: concurrency recipe — file database, real
transactions, threads released together by a Barrier)."""
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario

from . import helpers


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_active_enrolment():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.chronic import actions
    from yigongti.chronic.models import Enrolment

    s = build_scenario()
    patient = helpers.resident(s)
    barrier = threading.Barrier(2)
    won, lost, errors = [], [], []

    def doctor(user, institution):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                e = actions.enrol(user, resident=patient, programme="hypertension", icd10_code="I10.x00",
                                  managing_institution=institution, managing_doctor=user)
            won.append(e.pk)
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=doctor, args=args)
               for args in ((s.village_doctor_a, s.clinic_a), (s.township_doctor, s.centre_1))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    assert "programme" in lost[0]
    assert Enrolment.objects.filter(resident=patient, status="active").count() == 1
