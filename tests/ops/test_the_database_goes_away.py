"""Faults (issue 11, item 4): PostgreSQL becomes unreachable (a TCP proxy in front of it is cut): requests
get a clear 503 with Retry-After, not a 500 or a hang, and the server answers normally again once the
database is back — without a restart."""
import json
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request

import pytest

from .site import ON_POSTGRES, YG, database, env_for, yg

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="runs in the suite's PostgreSQL run")


class Proxy:
    """A TCP proxy on a fixed port that can be cut (listener closed, live connections reset) and restored."""

    def __init__(self, target=("127.0.0.1", 5432)):
        self.target = target
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.listener = None

    def start(self):
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", self.port))
        self.listener.listen(16)
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener):
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(a, b):
        try:
            while data := a.recv(65536):
                b.sendall(data)
        except OSError:
            pass
        finally:
            for s in (a, b):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def cut(self):
        try:
            self.listener.shutdown(socket.SHUT_RDWR)  # wakes the accept() blocked in the other thread
        except OSError:
            pass
        self.listener.close()
        for s in self.sockets:
            try:
                s.shutdown(socket.SHUT_RDWR)
                s.close()
            except OSError:
                pass
        self.sockets = []


def _get(url, headers=None):
    try:
        request = urllib.request.Request(url, headers=headers or {})  # noqa: S310 - loopback
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310 - loopback
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read().decode()


def test_requests_get_a_clear_503_and_the_server_recovers(tmp_path):
    with database(tmp_path, "proxy") as direct_url:
        env = env_for(tmp_path, direct_url)
        yg(env, "init-local")
        yg(env, "migrate", "--noinput", "-v", "0")
        proxy = Proxy()
        proxy.start()
        name = direct_url.rsplit("/", 1)[1]
        served = env_for(tmp_path, f"postgres://postgres@127.0.0.1:{proxy.port}/{name}",
                         PGCONNECT_TIMEOUT="3")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen([YG, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1"], env=served,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(100):
                try:
                    status, _, body = _get(base + "/healthz")
                    break
                except OSError:
                    time.sleep(0.1)
            assert status == 200 and json.loads(body)["database"] == "postgresql"

            proxy.cut()
            started = time.monotonic()
            status, headers, body = _get(base + "/healthz")
            assert status == 503 and headers.get("Retry-After") and "数据库暂时无法连接" in body
            status, _, body = _get(base + "/api/v1/me/", {"Authorization": "Token 0123456789abcdef"})
            assert status == 503 and json.loads(body)["error"]["code"] == "database_unavailable"
            assert time.monotonic() - started < 15, "no hang while the database is away"

            proxy.start()
            status, _, body = _get(base + "/healthz")
            assert status == 200, "the next request reconnects"
        finally:
            proxy.cut()
            server.terminate()
            server.wait(timeout=20)
