"""Keys (issue 16): rotation keeps every record readable, re-encryption is a resumable job, the key-file
provider refuses files others can read, AES-GCM is a configured alternative to SM4-GCM."""
import pytest

from tests.people.conftest import register
from yigongti.jobs.queue import enqueue
from yigongti.people import crypto
from yigongti.people.jobs import REENCRYPT_KIND, reencrypt_batch
from yigongti.people.models import Resident


@pytest.fixture
def key_dir(tmp_path, settings):
    settings.KEY_DIR = tmp_path
    crypto.reset_provider_cache()
    crypto.ensure_local_keys()
    yield tmp_path
    crypto.reset_provider_cache()


def _tokens():
    return list(Resident.objects.values_list("phone_enc", "document_number_enc"))


def test_rotation_keeps_records_readable_and_the_job_moves_them(scenario, key_dir):
    people = [register(scenario, name=f"测试{i}", phone=f"1391234560{i}") for i in range(3)]
    assert all(p.split(":")[1] == "1" for p, _ in _tokens())
    assert crypto.rotate_data_key() == "2"
    for person in people:
        fresh = Resident.objects.get(pk=person.pk)
        assert crypto.decrypt(fresh.phone_enc) == person_phone(person)
    changed, last = reencrypt_batch("Resident", 0, batch=2)  # first batch only: the job resumes from `last`
    assert changed == 2
    assert reencrypt_batch("Resident", last, batch=2)[0] == 1
    assert all(p.split(":")[1] == "2" and d.split(":")[1] == "2" for p, d in _tokens())
    for person in people:
        assert crypto.decrypt(Resident.objects.get(pk=person.pk).phone_enc) == person_phone(person)


def person_phone(person):
    return crypto.decrypt(person.phone_enc)


def test_the_reencryption_job_runs_through_the_queue(scenario, key_dir):
    from yigongti.jobs.models import Job
    from yigongti.jobs.queue import claim_next
    from yigongti.jobs.registry import handler_for

    register(scenario, name="队列", phone="13912345699")
    crypto.rotate_data_key()
    enqueue(REENCRYPT_KIND, {"batch": 100})
    for _ in range(10):
        job = claim_next("test")
        if job is None:
            break
        handler_for(job.kind)(job, **job.payload)  # the worker's step, inside this test's transaction
        Job.objects.filter(pk=job.pk).update(state="done")
    assert all(p.split(":")[1] == "2" for p, _ in _tokens())


def test_a_key_file_others_can_read_is_refused(key_dir):
    (key_dir / "data-1.key").chmod(0o644)
    crypto.reset_provider_cache()
    with pytest.raises(crypto.KeyError_, match="chmod 600"):
        crypto.encrypt("13912345678")


def test_aes_gcm_is_a_configured_alternative(key_dir, settings):
    sm4 = crypto.encrypt("13912345678")
    settings.YIGONGTI_FIELD_CIPHER = "aesgcm"
    aes = crypto.encrypt("13912345678")
    assert aes.startswith("aesgcm:1:") and sm4.startswith("sm4gcm:1:")
    assert crypto.decrypt(aes) == crypto.decrypt(sm4) == "13912345678"
    assert crypto.needs_reencryption(sm4) and not crypto.needs_reencryption(aes)


def _every_value():
    """Every encrypted value of every record, decrypted: {(model, pk, field): plaintext}."""
    from yigongti.people import models
    from yigongti.people.jobs import REENCRYPT_FIELDS

    values = {}
    for name, fields in REENCRYPT_FIELDS.items():
        for row in getattr(models, name).objects.values("pk", *fields):
            for field in fields:
                if row[field]:
                    values[(name, row["pk"], field)] = crypto.decrypt(row[field])
    return values


def test_every_record_stays_readable_through_two_rotations_and_a_cipher_change(scenario, key_dir, settings):
    """All encrypted fields of residents and households, before, during (half re-encrypted) and after."""
    from yigongti.jobs.queue import run_pending
    from yigongti.people import actions, queries

    people = [register(scenario, name=f"轮换{i}", phone=f"1370000000{i}", address=f"桃源村{i}组",
                       contact_phone=f"1380000000{i}") for i in range(5)]
    actions.create_household(None, people[0], address="桃源村1组8号")
    before = _every_value()
    assert len(before) >= 16
    crypto.rotate_data_key()
    assert _every_value() == before  # nothing re-encrypted yet: all under key 1, readable
    reencrypt_batch("Resident", 0, batch=2)
    assert _every_value() == before  # half moved
    crypto.rotate_data_key()
    settings.YIGONGTI_FIELD_CIPHER = "aesgcm"
    enqueue(REENCRYPT_KIND, {"batch": 2})
    run_pending()
    tokens = [t for model in ("Resident", "Household") for t in _tokens_of(model)]
    assert tokens and all(t.startswith("aesgcm:3:") for t in tokens)
    assert _every_value() == before
    # exact search by phone still finds the record (blind indexes use their own key, not rotated here)
    assert list(queries.search(scenario.village_doctor_a, "13700000003").values_list("pk", flat=True)) == \
        [people[3].pk]


def _tokens_of(model_name):
    from yigongti.people import models
    from yigongti.people.jobs import REENCRYPT_FIELDS

    fields = REENCRYPT_FIELDS[model_name]
    return [v for row in getattr(models, model_name).objects.values_list(*fields) for v in row if v]
