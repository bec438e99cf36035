"""Kill the production server (SIGKILL, master and workers) during a burst of postings, restart
it, and show that every acknowledged movement is in the ledger and balances equal the ledger.

The server is the real one: gunicorn serving `wsgi:app` with gthread workers on a migrated
database (SQLite file, or a fresh PostgreSQL schema), on a free local port.
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlmodel import Session, select

from accounts.tokens import issue_token
from app import create_app
from core.db import get_engine
from core.migrate import upgrade
from inventory.models import Movement
from tests.conftest import BACKENDS
from tests.factories import make_item, make_network, make_user

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
THREADS = 6
# a different body under an acknowledged key: the server must answer with the original
RETRY = {"type": "receipt", "facility": "A", "item": "PPE-N95", "quantity": 5, "lot_no": "X"}

# one worker runs the whole module, so its databases are set up once per engine
pytestmark = pytest.mark.xdist_group("crash")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _prepare(url: str) -> tuple[int, str]:
    """Migrate, add a small network, an item and a clerk of depot A; returns (user id, token)."""
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    engine = get_engine(app)
    upgrade(engine)
    with app.app_context(), Session(engine) as session:
        f = make_network(session)
        make_item(session, shelf_life_days=None)
        clerk = make_user(session, "crash_clerk", "clerk", facilities=[f["A"]])
        _row, token = issue_token(session, clerk, "crash")
        session.commit()
        user_id = clerk.id
    engine.dispose()
    return user_id, token


class Server:
    """gunicorn in its own process group, so one signal reaches master and workers."""

    def __init__(self, env: dict, log: Path):
        self.port = _free_port()
        self.log = log.open("ab")
        self.process = subprocess.Popen(
            [
                str(GUNICORN),
                "-w",
                "2",
                "-k",
                "gthread",
                "--threads",
                "4",
                "-b",
                f"127.0.0.1:{self.port}",
                "--preload",  # one import of the app, then the workers fork
                "wsgi:app",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=self.log,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert self.process.poll() is None, log.read_text()[-3000:]
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            try:
                conn.request("GET", "/api/v1/openapi.json")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                time.sleep(0.2)
            finally:
                conn.close()
        raise AssertionError("the server did not start:\n" + log.read_text()[-3000:])

    def kill(self, sig=signal.SIGKILL) -> None:
        os.killpg(self.process.pid, sig)
        self.process.wait(timeout=30)
        self.log.close()


def _burst(port, token, stop, acknowledged, sent, lock, n):
    """Alternate receipts and issues at depot A, each with its own idempotency key."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        _post_until_stopped(conn, token, stop, acknowledged, sent, lock, n)
    finally:
        conn.close()


def _post_until_stopped(conn, token, stop, acknowledged, sent, lock, n):
    k = 0
    while not stop.is_set():
        key = f"crash-{n}-{k}-{uuid.uuid4().hex[:8]}"
        body = {
            "type": "receipt" if k % 3 else "issue",
            "facility": "A",
            "item": "PPE-N95",
            "quantity": 5 if k % 3 else 2,
            "lot_no": f"C{n}",
        }
        headers = {
            "Authorization": f"Bearer {token}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        }
        with lock:
            sent.append(key)
        try:
            conn.request("POST", "/api/v1/movements", json.dumps(body), headers)
            response = conn.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException):
            # the server is gone, perhaps halfway through an answer: not acknowledged
            return
        if response.status in (200, 201):
            ids = [m["id"] for m in json.loads(payload)["movements"]]
            with lock:
                acknowledged[key] = ids
        k += 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_during_a_burst_loses_no_acknowledged_movement(backend, request, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'crash.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_schemas").new()
    user_id, token = _prepare(url)
    # no scheduled jobs: the burst of postings is the only work the server does
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "APP_ENV": "development",
        "LOG_FORMAT": "json",
        "SCHEDULER_ENABLED": "0",
    }
    server = Server(env, tmp_path / "gunicorn.log")

    stop, lock = threading.Event(), threading.Lock()
    acknowledged: dict[str, list[int]] = {}
    sent: list[str] = []
    threads = [
        threading.Thread(
            target=_burst, args=(server.port, token, stop, acknowledged, sent, lock, n)
        )
        for n in range(THREADS)
    ]
    for t in threads:
        t.start()
    started = time.monotonic()
    deadline = started + 20
    while len(acknowledged) < 60 and time.monotonic() < deadline:
        time.sleep(0.02)
    server.kill()  # mid-burst: the clients are still posting
    print(f"{len(acknowledged)} acknowledged in {time.monotonic() - started:.1f} s")
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acknowledged) >= 60, "the burst was too slow to be interrupted meaningfully"
    assert len(sent) > len(acknowledged)

    server = Server(env, tmp_path / "gunicorn.log")
    try:
        app = create_app({"DATABASE_URL": url, "TESTING": True})
        with Session(get_engine(app)) as session:
            keys = [f"api:{user_id}:{k}" for k in acknowledged]
            found = {
                m.idempotency_key: m.id
                for m in session.exec(select(Movement).where(Movement.idempotency_key.in_(keys)))
            }
        get_engine(app).dispose()
        missing = [k for k in acknowledged if f"api:{user_id}:{k}" not in found]
        assert not missing, f"acknowledged but lost: {missing}"
        for key, ids in acknowledged.items():
            assert found[f"api:{user_id}:{key}"] == ids[0]
        # and the restarted server answers a retry of an acknowledged posting with the original
        key = next(iter(acknowledged))
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        conn.request(
            "POST",
            "/api/v1/movements",
            json.dumps(
                {
                    "type": "receipt",
                    "facility": "A",
                    "item": "PPE-N95",
                    "quantity": 5,
                    "lot_no": "X",
                }
            ),
            {
                "Authorization": f"Bearer {token}",
                "Content-Type": "application/json",
                "Idempotency-Key": key,
            },
        )
        retry = conn.getresponse()
        payload = json.loads(retry.read())
        conn.close()
        assert retry.status == 200
        assert [m["id"] for m in payload["movements"]] == acknowledged[key]
    finally:
        server.kill(signal.SIGTERM)

    # the same command an operator runs, in-process (a new interpreter costs seconds)
    app = create_app({"DATABASE_URL": url, "TESTING": True})
    check = app.test_cli_runner().invoke(args=["verify-ledger"])
    get_engine(app).dispose()
    assert check.exit_code == 0, check.output
    assert "0 difference(s)" in check.output
