"""Faults (issue 11, item 4): a worker killed in the middle of an import (the process dies, no clean-up)
leaves no half-written chunk — the chunk's transaction is rolled back by the database — and running the
worker again finishes the import with every row exactly once."""
import time

from .site import database, env_for, python, python_json, yg

ROWS = 1200  # three chunks of 500 (people.importing.CHUNK)
DIE_AT = 700  # the 200th row of the second chunk

START = f"""
import django, random, datetime as dt; django.setup()
from django.db import transaction
from yigongti.org.models import User
from yigongti.people.importing import start_import
from yigongti.rules.idcard import synthetic_id
user = User.objects.get(username="demo-village-a")
institution = user.memberships.first().institution
rng = random.Random(11)
lines = ["姓名,身份证号,村/社区"]
for i in range({ROWS}):
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 25000))
    lines.append(f"测试{{i:04d}},{{synthetic_id(rng, born, '1' if i % 2 else '2')}},{{AREA}}")
with transaction.atomic():
    job = start_import(user, kind="residents", institution=institution, filename="r.csv",
                       data="\\n".join(lines).encode())
print(job.pk)
"""

COUNT = """
import django, json; django.setup()
from yigongti.people.models import Resident
names = list(Resident.objects.filter(name__startswith="测试").values_list("document_index", flat=True))
print(json.dumps({"rows": len(names), "distinct": len(set(names))}))
"""

# The worker, with register_resident wrapped so that the process dies (os._exit: no clean-up, no rollback
# by Python) when the given number of rows has been written.
DYING_WORKER = f"""
import django, os; django.setup()
from yigongti.people import actions, importing
real = actions.register_resident
calls = [0]
def dying(*args, **kwargs):
    calls[0] += 1
    if calls[0] > {DIE_AT}:
        os._exit(9)
    return real(*args, **kwargs)
actions.register_resident = dying
from django.core.management import call_command
call_command("worker", "--once")
call_command("worker", "--once")
call_command("worker", "--once")
"""


def test_a_killed_import_leaves_whole_chunks_and_finishes_on_rerun(tmp_path):
    with database(tmp_path, "crash") as url:
        env = env_for(tmp_path, url, YIGONGTI_JOBS_LEASE_SECONDS="1")
        yg(env, "init-local")
        yg(env, "migrate", "--noinput", "-v", "0")
        yg(env, "demo", "--scale", "tiny", "--seed", "5")
        area = python(env, "import django; django.setup()\n"
                           "from yigongti.org.models import User\n"
                           "u = User.objects.get(username='demo-village-a')\n"
                           "i = u.memberships.first().institution\n"
                           "print(i.service_areas.order_by('code').first().code)").stdout.strip()
        python(env, START.replace("{AREA}", area))

        died = python(env, DYING_WORKER, check=False)
        assert died.returncode == 9, died.stderr[-2000:]
        after_crash = python_json(env, COUNT)
        assert after_crash == {"rows": 500, "distinct": 500}, "the dying chunk left nothing behind"

        time.sleep(1.5)  # the dead worker's lease runs out; the job is claimed again
        for _ in range(6):
            yg(env, "worker", "--once")
        final = python_json(env, COUNT)
        assert final == {"rows": ROWS, "distinct": ROWS}

        # importing the same file again creates nothing new
        python(env, START.replace("{AREA}", area))
        for _ in range(6):
            yg(env, "worker", "--once")
        assert python_json(env, COUNT) == {"rows": ROWS, "distinct": ROWS}
