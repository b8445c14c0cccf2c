"""Set-up shared by the scripts that measure the app (`make loadtest`, and `make bench` can
use it too): production settings, a database of one's own, test data, sessions, gunicorn.

Importing this module does nothing. Call ``use_production_settings`` before
``django.setup()``, and ``collect_static`` after it; the data and session functions need
Django set up too, and import the app's code only when called.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


# Settings and database -----------------------------------------------------------------


def use_production_settings(database_url: str, static_root: Path) -> None:
    """Production settings (DEBUG off, the manifest static storage) over plain HTTP on
    loopback, for this process and every process it starts afterwards (gunicorn)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "compliance.settings"
    os.environ["DEBUG"] = "0"
    # One key for this process and the servers it starts: they must accept its sessions.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1,localhost"
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["STATIC_ROOT"] = str(static_root)
    os.environ["DATABASE_URL"] = database_url
    # Evidence files of the benchmark's own, never the app's (emptied by the benchmark).
    os.environ["EVIDENCE_ROOT"] = str(static_root.parent / "bench-evidence")
    os.environ.pop("EVIDENCE_BUCKET", None)
    os.environ.pop("TASK_BACKEND", None)  # reports render in the request (the default)
    if not (os.environ.get("SIGNING_KEY_FILE") or os.environ.get("SIGNING_PKCS12_FILE")):
        # Production requires the signing key of approved reports: a throwaway pair.
        signing = static_root.parent / "bench-signing"
        subprocess.run(
            [sys.executable, "manage.py", "make_signing_key", "--dir", str(signing), "-v0"],
            cwd=static_root.parent.parent,
            env={**os.environ, "DEBUG": "1"},
            check=True,
        )
        os.environ["SIGNING_KEY_FILE"] = str(signing / "key.pem")
        os.environ["SIGNING_CERT_FILE"] = str(signing / "cert.pem")


def collect_static() -> None:
    """Collect the static files into STATIC_ROOT: the manifest static storage needs them
    before the first page renders. Skipped when the last collection there saw the same
    source files (hashing and compressing them all takes most of a minute). Needs Django
    set up."""
    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders
    from django.core.management import call_command

    sources = sorted(
        (path, storage.path(path))
        for finder in get_finders()
        for path, storage in finder.list(["CVS", ".*", "*~"])
    )
    digest = hashlib.sha256()
    for path, location in sources:
        stat = os.stat(location)
        digest.update(f"{path}\0{location}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    root = Path(settings.STATIC_ROOT)
    stamp = root.with_name(root.name + ".sources")
    collected = (root / "staticfiles.json").exists() and stamp.exists()
    if collected and stamp.read_text() == digest.hexdigest():
        return
    call_command("collectstatic", interactive=False, verbosity=0)
    stamp.write_text(digest.hexdigest())


def database_url(server_url: str, name: str) -> str:
    """``server_url`` with its database name replaced by ``name``."""
    parts = urlsplit(server_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def _postgres(server_url: str):
    import psycopg

    return psycopg.connect(server_url, autocommit=True)


def recreate_postgres_database(server_url: str, name: str) -> str:
    """An empty database ``name`` on the server of ``server_url`` (whose role needs
    CREATEDB), dropped first if it exists; returns its URL. Only ``name`` is touched."""
    from psycopg import sql

    with _postgres(server_url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(server_url, name)


def drop_postgres_database(server_url: str, name: str) -> None:
    from psycopg import sql

    with _postgres(server_url) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def postgres_version(server_url: str) -> str:
    with _postgres(server_url) as connection:
        return connection.execute("SHOW server_version").fetchone()[0].split()[0]


# Data ------------------------------------------------------------------------------------


def question_text(number: int) -> str:
    """The English text of question ``q<number>`` of a ``sized_version`` questionnaire."""
    return f"Question {number} about the internal compliance programme?"


def sized_version(size: int, slug: str | None = None):
    """A published questionnaire of ``size`` yes / partially / no questions ``q0``,
    ``q1``, ..., in sections of 20."""
    from decimal import Decimal

    from compliance.questionnaires.document import (
        BandDocument,
        QuestionDocument,
        QuestionnaireDocument,
        SectionDocument,
        Text,
        create_version,
        default_choices,
    )
    from compliance.questionnaires.services import publish_version

    def question(number: int) -> QuestionDocument:
        return QuestionDocument(
            code=f"q{number}",
            type="yes_partial_no",
            text=Text(question_text(number), f"问题{number}？"),
            guidance=Text("What good looks like, and the evidence to ask for.", "填写指引。"),
            choices=default_choices("yes_partial_no"),
        )

    sections = [
        SectionDocument(
            f"s{first // 20}",
            Text(f"Section {first // 20 + 1}", f"第{first // 20 + 1}部分"),
            questions=[question(n) for n in range(first, min(first + 20, size))],
        )
        for first in range(0, size, 20)
    ]
    document = QuestionnaireDocument(
        slug=slug or f"sized-{size}",
        title=Text(f"{size} questions", f"{size}个问题"),
        score_bands=[BandDocument("all", Decimal(0), Decimal(100), Text("All", "全部"))],
        sections=sections,
    )
    return publish_version(create_version(document))


def member(email: str, organisation=None, role: str = "editor"):
    """A user, with an organisation of their own (as its owner), or with ``role`` in
    ``organisation``. Returns (organisation, user). No password (hashing one costs a
    fraction of a second): log the user in with ``session_key``."""
    from compliance.accounts.models import User
    from compliance.organisations.models import Membership
    from compliance.organisations.services import create_organisation

    user = User.objects.create_user(email=email, password=None)
    if organisation is None:
        return create_organisation(user, f"Organisation of {email}"), user
    Membership.objects.create(organisation=organisation, user=user, role=role)
    return organisation, user


def half_answered(version, organisation, user, title: str):
    """An assessment of ``version`` with every other question answered "yes"."""
    from compliance.assessments.services import (
        AnswerInput,
        Submitted,
        create_assessment,
        save_answers,
    )
    from compliance.questionnaires.selectors import load_version

    assessment = create_assessment(
        organisation=organisation, version=version, title=title, user=user
    )
    questions = list(load_version(version).questions.values())
    save_answers(
        assessment,
        [Submitted(q, AnswerInput(choice_codes=("yes",)), None) for q in questions[::2]],
        user,
    )
    return assessment


def session_key(user) -> str:
    """A logged-in session of ``user`` in the session store, as a login would leave it."""
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def session_cookie(user) -> str:
    """A ``Cookie`` header value that logs a client in as ``user``."""
    from django.conf import settings

    return f"{settings.SESSION_COOKIE_NAME}={session_key(user)}"


# Servers ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(port: int, workers: int = 2, log: Path | None = None) -> subprocess.Popen:
    """gunicorn on 127.0.0.1:``port`` with this process's environment, once /healthz
    answers 200 (the database included). Warnings and errors go to ``log`` if given."""
    output = open(log, "w") if log else None  # noqa: SIM115 (the server keeps it open)
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "compliance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=output,
        stderr=output,
    )
    if output:
        output.close()  # the child has its own copy
    health = f"http://127.0.0.1:{port}/healthz"
    for _ in range(300):
        if server.poll() is not None:
            raise RuntimeError(f"gunicorn on port {port} exited with {server.returncode}")
        try:
            with urllib.request.urlopen(health, timeout=2) as response:
                if response.status == 200:
                    return server
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.1)
    stop_gunicorn(server)
    raise RuntimeError(f"gunicorn on port {port} did not answer /healthz")


def stop_gunicorn(server: subprocess.Popen) -> None:
    """Stop gracefully (requests in progress finish), and for good after 30 seconds."""
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# HTTP load ------------------------------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def check_ok(url: str, cookie: str | None) -> None:
    """The page answers 200 itself (wrk would count a redirect as a success)."""
    headers = {"Cookie": cookie} if cookie else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (our own http URL)
    try:
        status = urllib.request.build_opener(NoRedirect).open(request, timeout=30).status
    except urllib.error.HTTPError as error:
        status = error.code
    if status != 200:
        raise RuntimeError(f"{url} answered {status}, not 200")


def wrk(url: str, cookie: str | None, seconds: int = 6) -> float:
    """Requests per second on loopback (2 threads, 8 connections)."""
    headers = ["-H", f"Cookie: {cookie}"] if cookie else []
    output = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", *headers, url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)|Socket errors: .*", output)
    if errors:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def form_fields(html: str) -> dict[str, list[str]]:
    """What a browser posts of a page's form: its inputs (checked ones only, for radio
    buttons and checkboxes) and textareas."""
    from html.parser import HTMLParser

    class Form(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.fields: list[list[str]] = []
            self.textarea = False

        def handle_starttag(self, tag, attrs) -> None:
            attrs = dict(attrs)
            name = attrs.get("name")
            if tag == "input" and name and attrs.get("type") not in ("submit", "button"):
                if attrs.get("type") in ("radio", "checkbox") and "checked" not in attrs:
                    return
                self.fields.append([name, attrs.get("value") or ""])
            elif tag == "textarea" and name:
                self.fields.append([name, ""])
                self.textarea = True

        def handle_data(self, data) -> None:
            if self.textarea:
                self.fields[-1][1] += data

        def handle_endtag(self, tag) -> None:
            if tag == "textarea":
                self.textarea = False

    form = Form()
    form.feed(html)
    posted: dict[str, list[str]] = {}
    for name, value in form.fields:
        posted.setdefault(name, []).append(value)
    return posted
