"""Processes of the app as deployed (production settings) on the test's own database:
workers, shells and gunicorn, for tests of what happens between processes."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from compliance.reports.models import ReportFile

ROOT = Path(__file__).resolve().parents[1]
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


class SharedDatabase:
    """The test's database, as another process can open it: PostgreSQL's test database
    itself, or for SQLite (in memory, this process only) a file copied to and from it."""

    def __init__(self, folder: Path) -> None:
        self.sqlite_file = None
        settings = connection.settings_dict
        if connection.vendor == "postgresql":
            self.url = "postgres://{}:{}@{}:{}/{}".format(
                quote(settings["USER"], safe=""),
                quote(settings["PASSWORD"], safe=""),
                settings["HOST"] or "localhost",
                settings["PORT"] or 5432,
                settings["NAME"],
            )
        elif connection.vendor == "sqlite":
            self.sqlite_file = folder / "shared.sqlite3"
            self.url = f"sqlite:///{self.sqlite_file}"
        else:  # pragma: no cover
            pytest.fail(f"No way to share a {connection.vendor} test database")

    def publish(self) -> None:
        """Make what this process wrote visible to the other process."""
        if self.sqlite_file:
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            connection.connection.backup(target)
            target.close()

    def take_back(self) -> None:
        """Bring what the other process wrote into this process's database."""
        if self.sqlite_file:
            source = sqlite3.connect(self.sqlite_file)
            source.backup(connection.connection)
            source.close()

    def render_status(self) -> str | None:
        """The status of the (only) stored render, as the other process left it."""
        if not self.sqlite_file:
            return ReportFile.objects.values_list("status", flat=True).first()
        with sqlite3.connect(self.sqlite_file, timeout=20) as peek:
            row = peek.execute("SELECT status FROM reports_reportfile").fetchone()
        return row[0] if row else None


def app_process(
    command: list[str], shared: SharedDatabase, env: dict | None = None, **popen
) -> subprocess.Popen:
    """A process of the app, as deployed (production settings), on the test's database:
    ``manage.py`` with ``command``, or a module's ``-m`` command line."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "compliance.settings",
        "SECRET_KEY": "tests-only-not-a-secret",
        "DEBUG": "0",
        "DATABASE_URL": shared.url,
        "TASK_BACKEND": "database",
        "MEDIA_ROOT": str(django_settings.MEDIA_ROOT),
        **(env or {}),
    }
    return subprocess.Popen(
        [sys.executable, *([] if command[0] == "-m" else ["manage.py"]), *command],
        cwd=ROOT,
        env=environment,
        **popen,
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(shared: SharedDatabase, env: dict | None = None):
    """gunicorn serving the app on loopback; yields its base URL once /healthz answers."""
    port = free_port()
    environment = {
        "DJANGO_SETTINGS_MODULE": "tests.settings_deployed",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        **(env or {}),
    }
    command = ["-m", "gunicorn", "compliance.wsgi", "--bind", f"127.0.0.1:{port}"]
    server = app_process(command, shared, env=environment)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"gunicorn exited with {server.returncode}")
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=5):  # noqa: S310
                    break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("gunicorn did not answer /healthz within a minute")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


def run_worker() -> None:
    """The django-tasks-db worker, for real: it runs every queued task, then stops."""
    handlers = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    try:
        call_command(
            "db_worker", "--batch", "--no-startup-delay", "--no-reload", "--interval=0", verbosity=0
        )
    finally:  # the worker installs its own shutdown handlers in this process
        for number, handler in handlers.items():
            signal.signal(number, handler)


# Variables the test run sets for itself that must not leak into a production-like process.
DEPLOYMENT_VARIABLES = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "DJANGO_ALLOW_ASYNC_UNSAFE"}


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_VARIABLES}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "compliance.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
    )
