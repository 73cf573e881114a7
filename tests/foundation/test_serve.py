"""`yigongti serve` is gunicorn with whitenoise, `yigongti worker` runs the queue: started for real."""
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.ops.site import env_for

YG = str(Path(sys.executable).with_name("yigongti"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def site(tmp_path):
    env = env_for(tmp_path, f"sqlite:///{tmp_path / 'site.sqlite3'}")
    subprocess.run([YG, "init-local"], env=env, check=True, capture_output=True)
    subprocess.run([YG, "migrate", "--noinput", "-v", "0"], env=env, check=True, capture_output=True)
    subprocess.run([YG, "collectstatic", "--noinput", "-v", "0"], env=env, check=True, capture_output=True)
    return env


def _get(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback test server
        return response.status, response.headers, response.read()


def test_serve_runs_gunicorn_with_static_files(site):
    port = _free_port()
    server = subprocess.Popen([YG, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=site,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(600):  # up to a minute on a loaded machine
            try:
                status, _, body = _get(base + "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not come up: " + server.stdout.read1().decode(errors="replace"))
        assert status == 200 and b'"ok"' in body
        status, headers, body = _get(base + "/accounts/login/")
        assert status == 200 and "登录医共体信息平台" in body.decode()
        assert "nonce-" in headers["Content-Security-Policy"]
        css = body.decode().split('href="/static/web/app.')[1].split('"')[0]
        assert css.endswith(".css") and len(css) > 4, "whitenoise serves hashed (cache-busting) names"
        status, headers, _ = _get(f"{base}/static/web/app.{css}")
        assert status == 200 and "max-age" in headers.get("Cache-Control", "")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_worker_runs_queued_jobs(site):
    code = ("import django; django.setup();"
            "from yigongti.jobs.queue import enqueue; from yigongti.jobs.models import Job;"
            "from django.db import transaction\n"
            "with transaction.atomic(): enqueue('nonexistent.kind', max_attempts=1)")
    subprocess.run([sys.executable, "-c", code], env=site, check=True)
    out = subprocess.run([YG, "worker", "--once"], env=site, check=True, capture_output=True, text=True)
    assert "ran 1 job" in out.stdout
    check = ("import django; django.setup(); from yigongti.jobs.models import Job;"
             "print(Job.objects.get().state)")
    state = subprocess.run([sys.executable, "-c", check], env=site, check=True, capture_output=True, text=True)
    assert state.stdout.strip() == "failed"  # an unknown kind fails visibly instead of killing the worker
