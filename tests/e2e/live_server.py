"""The real app served by gunicorn on a free local port, on a fresh migrated and seeded database."""

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`flask --app app db upgrade`, `flask --app app seed`, then `gunicorn wsgi:app`.

    Everything runs as subprocesses of this interpreter's environment, exactly as an operator
    would run it, with the database in `workdir`."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.database_url = f"sqlite:///{workdir / 'e2e.sqlite3'}"
        self.log_path = workdir / "server.log"
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None
        self._log = None

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.pop("TEST_DATABASE_URL", None)
        env.update(
            DATABASE_URL=self.database_url,
            APP_ENV="development",
            SECRET_KEY="e2e-" + os.urandom(16).hex(),
            PYTHONUNBUFFERED="1",
            # no background jobs racing the journeys; the weekly report is made once, below
            SCHEDULER_ENABLED="0",
        )
        return env

    def flask(self, *args: str, timeout: float = 900) -> str:
        """Run a `flask --app app` command; its output, or an error with that output."""
        done = subprocess.run(
            [sys.executable, "-m", "flask", "--app", "app", *args],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    def prepare_database(self) -> None:
        # the seed takes ~15 s on an idle machine and minutes on a crowded one: generous limits
        self.flask("db", "upgrade")
        self.flask("seed")
        # the scheduled weekly report, run as the scheduler would (archived, for the leader)
        self.flask("jobs", "run", "weekly_report")

    def start(self, timeout: float = 120) -> None:
        self._log = open(self.log_path, "w")  # closed in stop()
        command = [sys.executable, "-m", "gunicorn", "wsgi:app", "--access-logfile", "-"]
        command += ["--bind", f"127.0.0.1:{self.port}", "--workers", "1", "--threads", "4"]
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.stop()
                raise RuntimeError(f"the server exited on start:\n{self.log_tail()}")
            if self._answers():
                return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{self.log_tail()}")

    def _answers(self) -> bool:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
        try:
            connection.request("GET", "/auth/login")
            return connection.getresponse().status == 200
        except OSError:
            return False
        finally:
            connection.close()

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def log_tail(self, lines: int = 40) -> str:
        if not self.log_path.exists():
            return ""
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
