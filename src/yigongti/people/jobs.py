"""Jobs of the people app (run by `yigongti worker`)."""
from yigongti.jobs.registry import job_handler

from . import importing


@job_handler(importing.JOB_KIND)
def run_import(job, **payload):
    """One step of an upload: read the file, or import one chunk of rows and queue the next."""
    return importing.run_job(job, **payload)


REENCRYPT_KIND = "people.reencrypt"
REENCRYPT_FIELDS = {
    "Resident": ("document_number_enc", "phone_enc", "address_enc", "contact_phone_enc"),
    "Household": ("address_enc",),
}


def reencrypt_batch(model_name: str, after_id: int = 0, batch: int = 500) -> tuple[int, int | None]:
    """Re-encrypt one batch of rows whose fields are under an old key or cipher (after a key rotation or
    a cipher change). Returns (rows changed, last id seen or None when the table is done). Each batch is
    its own transaction, so the job resumes from the last finished batch after a crash."""
    from django.db import transaction

    from . import crypto, models

    model = getattr(models, model_name)
    fields = REENCRYPT_FIELDS[model_name]
    rows = list(model.objects.filter(pk__gt=after_id).order_by("pk").values("pk", *fields)[:batch])
    if not rows:
        return 0, None
    changed = 0
    with transaction.atomic():
        for row in rows:
            update = {f: crypto.reencrypt(row[f]) for f in fields if crypto.needs_reencryption(row[f])}
            if update:
                model.objects.filter(pk=row["pk"]).update(**update)  # same plaintext: no version bump
                changed += 1
    return changed, rows[-1]["pk"]


@job_handler(REENCRYPT_KIND)
def run_reencrypt(job, model: str = "Resident", after_id: int = 0, batch: int = 500, changed: int = 0, **_):
    """One batch of the re-encryption job; queues the next batch (then the next table) until done."""
    from yigongti.jobs.queue import enqueue

    done_now, last = reencrypt_batch(model, after_id, batch)
    changed += done_now
    order = list(REENCRYPT_FIELDS)
    if last is not None:
        enqueue(REENCRYPT_KIND, {"model": model, "after_id": last, "batch": batch, "changed": changed})
        return {"model": model, "after_id": last, "changed": changed, "done": False}
    following = order[order.index(model) + 1:] if model in order else []
    if following:
        enqueue(REENCRYPT_KIND, {"model": following[0], "after_id": 0, "batch": batch, "changed": changed})
        return {"model": model, "changed": changed, "done": False}
    return {"model": model, "changed": changed, "done": True}
