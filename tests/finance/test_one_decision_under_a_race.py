"""Two finance officers decide the same pending expense at the same moment: exactly one decision stands, on
SQLite and on PostgreSQL (threads released together by a Barrier; the conditional UPDATE decides)."""
import datetime as dt
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import close_old_connections, connection, transaction

from tests.scenario import build_scenario


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_exactly_one_officer_decides():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(":memory:"):
        pytest.skip("a race needs a file database")
    from yigongti.audit.models import AuditEntry
    from yigongti.finance import actions
    from yigongti.org import actions as org_actions
    from yigongti.org.models import Role

    s = build_scenario()
    officer_2 = org_actions.create_staff(None, institution=s.county_hospital, username="finance-2",
                                         full_name="二号财务", password=s.password, roles=[Role.CONSORTIUM_OFFICE],
                                         validate=False)
    e = actions.record_expense(s.institution_admin_t1, institution=s.centre_1, spent_on=dt.date(2026, 11, 2),
                               category="设备", description="竞争审批", amount="30000")
    barrier = threading.Barrier(2)
    won, lost, errors = [], [], []

    def officer(user, approve):
        try:
            barrier.wait()
            with transaction.atomic(durable=True):
                actions.decide_expense(user, e, approve=approve, note="意见")
            won.append(approve)
        except ValidationError as exc:
            lost.append(exc.message_dict)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=officer, args=args)
               for args in ((s.consortium_office, True), (officer_2, False))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert len(won) == 1 and len(lost) == 1, (won, lost)
    e.refresh_from_db()
    assert e.status == ("approved" if won[0] else "rejected")
    assert AuditEntry.objects.filter(reason__in=("finance.expense.approve", "finance.expense.reject")).count() == 1
