"""The portal's real processes, each in its own process on the test database, for the
tests where the broker, the workers, beat and the web servers matter: a Celery worker, a
beat, a gunicorn server, and a Redis of the test's own."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from django.db import connection

from agency.celery import app

READY_TIMEOUT = 30


def database_url():
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def process_env(broker_url: str, mail_dir: Path, **extra) -> dict:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": broker_url,
        "TEST_MAIL_DIR": str(mail_dir),
        "DJANGO_LOG_LEVEL": "WARNING",
        # The logs are read while the process runs.
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def wait_for_log(process, log: Path, text: str, what: str):
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if text in log.read_text():
            return
        if process.poll() is not None:
            break
        time.sleep(0.1)
    raise RuntimeError(f"The {what} did not start:\n{log.read_text()}")


class Worker:
    def __init__(self, broker_url: str, mail_dir: Path, mail_delay: float = 0, name="worker"):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.mail_delay = mail_delay
        self.process = None
        self.log = mail_dir.parent / f"{name}.log"

    def spawn(self, *command, **env):
        """Runs `python -m <command>` with the test's settings, its output to the log."""
        self.process = subprocess.Popen(
            [sys.executable, "-m", *command],
            env=process_env(self.broker_url, self.mail_dir, **env),
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start(self):
        self.spawn(
            *("celery", "-A", "agency", "worker", "--concurrency=1", "--loglevel=INFO"),
            *("--without-mingle", "--without-gossip"),
            f"--hostname=test-{time.monotonic_ns()}@localhost",
            TEST_MAIL_DELAY=str(self.mail_delay),
        )
        wait_for_log(self.process, self.log, "ready.", "worker")
        return self

    def kill(self):
        """SIGKILL to the worker and its pool, as when a machine dies."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        self.kill()


class Beat(Worker):
    """A beat process with its own schedule file, queueing the sweep every `sweep_seconds`."""

    def __init__(self, broker_url: str, mail_dir: Path, sweep_seconds: int, name="beat"):
        super().__init__(broker_url, mail_dir, name=name)
        self.sweep_seconds = sweep_seconds

    def start(self):
        self.spawn(
            *("celery", "-A", "agency", "beat", "--loglevel=INFO"),
            f"--schedule={self.log.with_suffix('.schedule')}",
            REMINDER_SWEEP_SECONDS=str(self.sweep_seconds),
        )
        wait_for_log(self.process, self.log, "beat: Starting", "beat")
        return self


class Web(Worker):
    """A gunicorn server of the portal on a free port of its own."""

    def __init__(self, broker_url: str, mail_dir: Path, name="web"):
        super().__init__(broker_url, mail_dir, name=name)
        self.port = free_port()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.spawn(
            *("gunicorn", "agency.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"),
            *("--access-logfile", "-"),
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                if self.process.poll() is not None:
                    break
                time.sleep(0.1)
        raise RuntimeError(f"The web server did not start:\n{self.log.read_text()}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Redis:
    """A Redis server of the test's own, which the test may stop and start again."""

    def __init__(self, folder: Path):
        self.port = free_port()
        self.folder = folder
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self):
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait()


def use_broker(url):
    """Points the portal's Celery app at another broker; the pools are made afresh."""
    app.conf.broker_url = url
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, timeout=20, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(interval)
    return condition()
