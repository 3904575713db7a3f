"""A real Celery worker in its own process, on the test database, for the tests where the
broker and the worker matter."""

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


class Worker:
    def __init__(self, broker_url: str, mail_dir: Path, mail_delay: float = 0):
        self.broker_url = broker_url
        self.mail_dir = mail_dir
        self.mail_delay = mail_delay
        self.process = None
        self.log = mail_dir.parent / "worker.log"

    def start(self):
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
            "DATABASE_URL": database_url(),
            "REDIS_URL": self.broker_url,
            "TEST_MAIL_DIR": str(self.mail_dir),
            "TEST_MAIL_DELAY": str(self.mail_delay),
            "DJANGO_LOG_LEVEL": "WARNING",
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "agency",
                "worker",
                "--concurrency=1",
                "--without-mingle",
                "--without-gossip",
                "--loglevel=INFO",
                f"--hostname=test-{time.monotonic_ns()}@localhost",
            ],
            env=env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if "ready." in self.log.read_text():
                return self
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise RuntimeError(f"The worker did not start:\n{self.log.read_text()}")

    def kill(self):
        """SIGKILL to the worker and its pool, as when a machine dies."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self):
        self.kill()


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
