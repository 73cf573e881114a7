"""`yigongti demo --residents N` bulk-loads (COPY on PostgreSQL, executemany on SQLite): a smoke run with 200
residents. Sealed fields are the real crypto's tokens, blind indexes match, record numbers are 17 digits
and unique, and the kpi rebuild sees the encounters."""
import io

from django.core.management import call_command
from django.db.models import Count

from yigongti.people import crypto
from yigongti.people.models import Encounter, HealthExam, Household, Resident
from yigongti.rules import idcard


def test_the_bulk_loader_makes_a_small_county(db):
    out = io.StringIO()
    call_command("demo", residents=200, seed=3, stdout=out)
    log = out.getvalue()
    assert "rows/s" in log

    residents = list(Resident.objects.all())
    assert 200 <= len(residents) <= 215
    sample = residents[::17]
    for r in sample:
        number = crypto.decrypt(r.document_number_enc)
        assert idcard.validate(number) == idcard.OK
        assert r.document_index == crypto.blind_index("document", number)
        phone = crypto.decrypt(r.phone_enc)
        if phone:
            assert r.phone_index == crypto.blind_index("phone", phone)
            assert r.phone_last4_index == crypto.blind_index("phone4", phone[-4:])
        assert r.record_number.startswith(r.area.code) and len(r.record_number) == 17
    assert Resident.objects.values("record_number").annotate(n=Count("id")).filter(n__gt=1).count() == 0
    assert Household.objects.filter(head__isnull=False).count() == Household.objects.count()
    assert Encounter.objects.count() > 200 * 10
    assert HealthExam.objects.exists()
    assert Encounter.objects.filter(source="his").exclude(external_id="").exists()

    # The ids the loader assigned leave the sequences behind them: the next record gets a fresh id.
    import datetime as dt

    from yigongti.org.models import Area, Institution
    from yigongti.people import actions

    from .conftest import person_id

    village = Area.objects.filter(level="village").first()
    clinic = Institution.objects.filter(service_areas=village).first()
    new = actions.register_resident(None, institution=clinic, force=True, name="新来的", sex="1",
                                    birth_date=dt.date(1990, 1, 1), area=village,
                                    id_number=person_id(dt.date(1990, 1, 1), "1", 99))
    assert new.pk > max(r.pk for r in residents)

    from yigongti.kpi.models import EncounterRollup

    assert EncounterRollup.objects.exists()
