"""Benchmarks: every figure is a ratio against a baseline measured in the same run.

Run with `make bench`. Uses its own SQLite database under var/ (the app's data is not
touched). Figures:

- PDF report of a complete default assessment, per language: the app's render time
  against WeasyPrint rendering the same HTML directly (the floor); a cached download
  against a render; peak memory of a render.
- Scoring of a 500-question questionnaire: time per call.
"""

from __future__ import annotations

import os
import re
import resource
import secrets
import socket
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HTTP_ONLY = "--http-only" in sys.argv
SQLITE_URL = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
os.environ.setdefault("DEBUG", "1")
# The benchmark's own key: the gunicorn it starts must accept the sessions made here.
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ["DATABASE_URL"] = os.environ.get("BENCH_DATABASE_URL", SQLITE_URL)
(ROOT / "var").mkdir(exist_ok=True)
(ROOT / "var" / "bench.sqlite3").unlink(missing_ok=True)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.utils import translation  # noqa: E402
from weasyprint import HTML  # noqa: E402

from compliance.assessments.scoring import load_version  # noqa: E402
from compliance.assessments.services import (  # noqa: E402
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
)
from compliance.organisations.services import ensure_demo_account  # noqa: E402
from compliance.questionnaires.models import QuestionnaireVersion  # noqa: E402
from compliance.reports.models import ReportFile  # noqa: E402
from compliance.reports.pdf import StaticOnlyFetcher, report_html, stored_pdf  # noqa: E402
from compliance.reports.presentation import build_report  # noqa: E402
from compliance.scoring import (  # noqa: E402
    AnswerData,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    SectionSpec,
    score,
)

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def timed(function, rounds: int = ROUNDS) -> float:
    """The median wall time of ``rounds`` calls, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def complete_assessment():
    if os.environ["DATABASE_URL"].startswith("postgres"):
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)
    call_command("loaddata", "default_questionnaire", verbosity=0)
    organisation, user = ensure_demo_account()
    version = QuestionnaireVersion.objects.get(questionnaire__slug="cn-export-control-icp")
    assessment = create_assessment(
        organisation=organisation, version=version, title="Benchmark", user=user
    )
    content = load_version(version)
    items = []
    for index, question in enumerate(content.questions.values()):
        choices = list(question.choices.all())
        value = (
            AnswerInput(choice_codes=(choices[index % len(choices)].code,))
            if choices
            else AnswerInput(value_text="Benchmark answer")
        )
        items.append(Submitted(question, value, None, ""))
    save_answers(assessment, items, user)
    return assessment


def bench_pdf(assessment) -> list[tuple[str, str, str]]:
    rows = []
    for language in ("en", "zh-hans"):
        with translation.override(language):
            html = report_html(build_report(assessment), language)

        def floor(html=html):
            HTML(string=html, url_fetcher=StaticOnlyFetcher()).write_pdf(pdf_tags=True)

        def app_render(language=language):
            ReportFile.objects.all().delete()
            stored_pdf(assessment, language)

        def cached(language=language):
            stored_pdf(assessment, language)

        floor_time = timed(floor)
        render_time = timed(app_render)
        cached_time = timed(cached, rounds=ROUNDS * 3)
        pages = len(HTML(string=html, url_fetcher=StaticOnlyFetcher()).render().pages)
        rows += [
            (f"PDF {language}: WeasyPrint alone ({pages} pages)", f"{floor_time:.2f} s", "1.00"),
            (
                f"PDF {language}: app render / WeasyPrint alone",
                f"{render_time:.2f} s",
                f"{render_time / floor_time:.2f}",
            ),
            (
                f"PDF {language}: cached download / app render",
                f"{cached_time * 1000:.1f} ms",
                f"{cached_time / render_time:.4f}",
            ),
        ]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows.append(("PDF: peak memory of a render (child process)", f"{peak:.0f} MB", "-"))
    return rows


def bench_scoring() -> list[tuple[str, str, str]]:
    choices = tuple(ChoiceSpec(f"l{i}", Fraction(i, 4)) for i in range(5))
    sections = tuple(
        SectionSpec(
            f"s{s}",
            Fraction(1),
            tuple(
                QuestionSpec(f"q{s}-{q}", "maturity", Fraction(1 + q % 3), choices=choices)
                for q in range(50)
            ),
        )
        for s in range(10)
    )
    spec = QuestionnaireSpec(sections)
    answers = {
        question.code: AnswerData(choices=frozenset({f"l{i % 5}"}))
        for i, question in enumerate(spec.questions())
    }
    small = QuestionnaireSpec((SectionSpec("s", Fraction(1), sections[0].questions[:5]),))
    per_call = timed(lambda: score(spec, answers), rounds=20)
    baseline = timed(lambda: score(small, answers), rounds=20)
    return [
        ("Scoring: 5 questions (baseline)", f"{baseline * 1000:.2f} ms", "1.00"),
        (
            "Scoring: 500 questions / 5 questions",
            f"{per_call * 1000:.2f} ms",
            f"{per_call / baseline:.1f}",
        ),
    ]


def twenty_question_assessment(organisation, user):
    """A published questionnaire whose first section has 20 questions, half answered."""
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

    questions = [
        QuestionDocument(
            code=f"q{i}",
            type="yes_partial_no",
            text=Text(f"Question {i} about the internal compliance programme?", f"问题{i}？"),
            guidance=Text("What good looks like, and the evidence to ask for.", "填写指引。"),
            choices=default_choices("yes_partial_no"),
        )
        for i in range(20)
    ]
    document = QuestionnaireDocument(
        slug="bench-20",
        title=Text("Benchmark", "基准"),
        score_bands=[BandDocument("all", Decimal(0), Decimal(100), Text("All", "全部"))],
        sections=[SectionDocument("s", Text("Twenty", "二十"), questions=questions)],
    )
    version = publish_version(create_version(document))
    assessment = create_assessment(
        organisation=organisation, version=version, title="Benchmark 20", user=user
    )
    content = load_version(version)
    items = [
        Submitted(question, AnswerInput(choice_codes=("yes",)), None, "")
        for question in list(content.questions.values())[:10]
    ]
    save_answers(assessment, items, user)
    return assessment


def session_cookie(user) -> str:
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    return f"sessionid={session.session_key}"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wrk(url: str, cookie: str, seconds: int = 6) -> float:
    """Requests per second on loopback (2 threads, 8 connections)."""
    output = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "-H", f"Cookie: {cookie}", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non_2xx:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))


def bench_http(label: str) -> list[tuple[str, str, str]]:
    """Throughput under gunicorn with production settings, relative to the login page."""
    from compliance.organisations.services import ensure_demo_account

    organisation, user = ensure_demo_account()
    assessment = twenty_question_assessment(organisation, user)
    cookie = session_cookie(user)
    port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "STATIC_ROOT": str(ROOT / "var" / "bench-static"),
    }
    python = sys.executable
    subprocess.run(
        [python, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "compliance.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        pages = {
            "login page (baseline)": "/accounts/login/",
            "section page, 20 questions": f"/assessments/{assessment.uuid}/sections/1/",
            "results page, 20 questions": f"/assessments/{assessment.uuid}/results/",
        }
        rates = {}
        for name, path in pages.items():
            wrk(base + path, cookie, seconds=1)  # warm up
            rates[name] = wrk(base + path, cookie)
    finally:
        server.terminate()
        server.wait(10)
    baseline = rates["login page (baseline)"]
    return [
        (f"HTTP {label}: {name}", f"{rate:.0f} req/s", f"{rate / baseline:.2f}")
        for name, rate in rates.items()
    ]


def main() -> None:
    label = "PostgreSQL" if os.environ["DATABASE_URL"].startswith("postgres") else "SQLite"
    if HTTP_ONLY:
        call_command("migrate", verbosity=0)
        rows = bench_http(label)
        print_rows(rows)
        return
    assessment = complete_assessment()
    rows = bench_pdf(assessment) + bench_scoring() + bench_http(label)
    print_rows(rows)
    (ROOT / "var" / "bench.sqlite3").unlink(missing_ok=True)


def print_rows(rows) -> None:
    width = max(len(name) for name, _, _ in rows)
    print(f"{'figure'.ljust(width)}  {'value':>12}  {'ratio':>8}")
    for name, value, ratio in rows:
        print(f"{name.ljust(width)}  {value:>12}  {ratio:>8}")


if __name__ == "__main__":
    main()
