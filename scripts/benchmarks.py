"""The benchmarks themselves; ``scripts/bench.py`` sets Django up and runs them (see its
docstring). Imported only after Django is set up with the benchmark's settings."""

from __future__ import annotations

import datetime
import json
import os
import platform
import re
import secrets
import statistics
import subprocess
import sys
import time
from fractions import Fraction
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
HTTP_ONLY = "--http-only" in sys.argv
WRITE_DOCS = "--write-docs" in sys.argv
SQLITE_FILE = ROOT / "var" / "bench.sqlite3"
STATIC_ROOT = ROOT / "var" / "bench-static"
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))

import logging  # noqa: E402

import benchdata  # noqa: E402 (scripts/, beside this file)
import django  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import translation  # noqa: E402
from weasyprint import HTML  # noqa: E402

from compliance.assessments.models import Assessment  # noqa: E402
from compliance.assessments.services import (  # noqa: E402
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
    submit,
)
from compliance.organisations.services import ensure_demo_account  # noqa: E402
from compliance.questionnaires.models import QuestionnaireVersion  # noqa: E402
from compliance.questionnaires.selectors import load_version  # noqa: E402
from compliance.reports.jobs import produce  # noqa: E402
from compliance.reports.models import ReportFile  # noqa: E402
from compliance.reports.pdf import STATIC_FILES, prepare, report_html  # noqa: E402
from compliance.reports.presentation import build_report  # noqa: E402
from compliance.reports.weasy import StaticOnlyFetcher  # noqa: E402
from compliance.scoring import (  # noqa: E402
    AnswerData,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    SectionSpec,
    score,
)

Row = tuple[str, str, str]


def timed(function, rounds: int = ROUNDS) -> float:
    """The median wall time of ``rounds`` calls, in seconds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def fresh_database() -> None:
    if connection.vendor == "postgresql":
        call_command("flush", "--noinput", verbosity=0)
    call_command("migrate", verbosity=0)


# Data ----------------------------------------------------------------------------------


def complete_default_assessment():
    call_command("loaddata", "default_questionnaire", verbosity=0)
    organisation, user = ensure_demo_account()
    version = QuestionnaireVersion.objects.filter(
        questionnaire__slug="cn-export-control-icp"
    ).latest("number")
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
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, user)
    return assessment


def default_version():
    """Version 2 of the default questionnaire, what users start (loaded once)."""
    if not QuestionnaireVersion.objects.filter(
        questionnaire__slug="cn-export-control-icp"
    ).exists():
        call_command("loaddata", "default_questionnaire", verbosity=0)
    return QuestionnaireVersion.objects.filter(questionnaire__slug="cn-export-control-icp").latest(
        "number"
    )


def answered_default(organisation, user, title: str, submitted: bool):
    """An assessment of the default questionnaire with every question answered (full
    marks every third question, the rest spread over the choices, a comment where a
    choice asks for one), submitted or left a draft: what users actually have."""
    version = default_version()
    assessment = create_assessment(
        organisation=organisation, version=version, title=title, user=user
    )
    items = []
    for index, question in enumerate(load_version(version).questions.values()):
        choices = [choice for choice in question.choices.all() if not choice.exclusive]
        if choices:
            choice = choices[0] if index % 3 == 0 else choices[index % len(choices)]
            value = AnswerInput(choice_codes=(choice.code,), comment="Benchmark comment.")
        elif question.type == "date":
            value = AnswerInput(value_date=datetime.date(2026, 3, 31))
        elif question.type == "number":
            value = AnswerInput(value_number=12)
        else:
            value = AnswerInput(value_text="Benchmark answer")
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, user)
    return submit(assessment, user) if submitted else assessment


def biggest_section(version) -> int:
    sections = load_version(version).sections
    return 1 + max(range(len(sections)), key=lambda i: len(sections[i].questions.all()))


def section_post(size: int = 20, answer: str = "yes") -> dict:
    return {f"q{i}-answer": answer for i in range(size)} | {"save": ""}


# Figures -------------------------------------------------------------------------------


def bench_queries() -> list[Row]:
    """Query counts of each page for a 20- and a 200-question questionnaire: equal."""
    counts: dict[str, list[int]] = {}
    for size in (20, 200):
        organisation, user = benchdata.member(f"queries-{size}@bench.example")
        version = _version(size)
        assessments = [
            benchdata.half_answered(version, organisation, user, f"Assessment {n}")
            for n in range(50)
        ]
        assessment = assessments[-1]
        client = Client()
        client.force_login(user)
        section = reverse("assessment_section", args=[assessment.uuid, 1])
        requests = {
            "dashboard (50 assessments)": ("get", reverse("assessment_dashboard"), {}),
            "section page (20 questions)": ("get", section, {}),
            "section save (20 answers)": ("post", section, section_post()),
            "results page": ("get", reverse("assessment_results", args=[assessment.uuid]), {}),
            "PDF download (rendered)": (
                "get",
                reverse("assessment_report_pdf", args=[assessment.uuid]),
                {},
            ),
        }
        client.get(section)  # the session and the loaded version, as on any later request
        for name, (method, url, data) in requests.items():
            with CaptureQueriesContext(connection) as queries:
                response = getattr(client, method)(url, data)
            if response.status_code not in (200, 302):
                raise RuntimeError(f"{url} answered {response.status_code}")
            counts.setdefault(name, []).append(len(queries))
    return [
        (f"Queries: {name}, 20 / 200 questions", f"{small} / {large}", f"{large / small:.2f}")
        for name, (small, large) in counts.items()
    ]


def bench_save() -> list[Row]:
    """Server time of saving a 20-question section against viewing it (in process)."""
    organisation, user = benchdata.member("save@bench.example")
    assessment = benchdata.half_answered(_version(20), organisation, user, "Save")
    client = Client()
    client.force_login(user)
    url = reverse("assessment_section", args=[assessment.uuid, 1])
    client.get(url)
    rounds = ROUNDS * 10
    view = timed(lambda: client.get(url), rounds)
    answers = iter(["no", "yes"] * rounds)
    save = timed(lambda: client.post(url, section_post(answer=next(answers))), rounds)
    # One client without cookies, as a first visit: a new Client per call would measure
    # building the request handler (WhiteNoise indexes the static files) instead.
    visitor = Client()

    def first_visit():
        visitor.cookies.clear()
        visitor.get(reverse("login"))

    first_visit()
    login = timed(first_visit, rounds)
    autosave = _autosave_of_one_answer(organisation, user, rounds)
    choice = _autosave_of_one_answer(organisation, user, rounds, change="choice")
    whole = _autosave_of_one_answer(organisation, user, rounds, whole_form=True)
    results = _draft_results_after_a_change(organisation, user, rounds)
    return [
        ("Section page view, 20 questions (baseline)", f"{view * 1000:.1f} ms", "1.00"),
        (
            "Section save, 20 changed answers / view",
            f"{save * 1000:.1f} ms",
            f"{save / view:.2f}",
        ),
        ("Login page, in process (baseline)", f"{login * 1000:.1f} ms", "1.00"),
        (
            "Autosave of one changed comment, default questionnaire's biggest section / login",
            f"{autosave * 1000:.1f} ms",
            f"{autosave / login:.2f}",
        ),
        (
            "The same autosave of a changed choice (the progress recounted) / login",
            f"{choice * 1000:.1f} ms",
            f"{choice / login:.2f}",
        ),
        (
            "The same autosave posting the whole page (no partial=1) / login",
            f"{whole * 1000:.1f} ms",
            f"{whole / login:.2f}",
        ),
        (
            "Results of that draft, first view after a change / login",
            f"{results * 1000:.1f} ms",
            f"{results / login:.2f}",
        ),
    ]


def bench_api() -> list[Row]:
    """Server time of the API's assessment list, one page of 100 assessments (a quarter
    of them submitted, with their frozen results), read with a token, against the login
    page: both in process, as the autosave rows."""
    from datetime import timedelta

    from django.conf import settings
    from django.utils import timezone

    from compliance.api.tokens import make_token

    settings.API_RATE = "1000000/min"  # the benchmark measures the work, not the limit
    organisation, user = benchdata.member("api@bench.example", role="owner")
    version = _version(20)
    from compliance.assessments.scoring import answers_by_code, compute_result

    answered = benchdata.half_answered(version, organisation, user, "API 0")
    result = compute_result(load_version(version), answers_by_code(answered)).to_json()
    for index in range(1, 100):
        assessment = create_assessment(
            organisation=organisation, version=version, title=f"API {index}", user=user
        )
        if index % 4 == 0:
            Assessment.objects.filter(pk=assessment.pk).update(
                status=Assessment.Status.SUBMITTED,
                result=result,
                submitted_at=timezone.now(),
            )
    token = make_token(
        organisation, user, name="bench", scopes=[], expires_at=timezone.now() + timedelta(days=1)
    )
    client = Client()
    header = {"HTTP_AUTHORIZATION": f"Bearer {token.text}"}
    url = "/api/v1/assessments/?page_size=100"
    rows_seen = len(client.get(url, **header).json()["results"])
    if rows_seen != 100:
        raise RuntimeError(f"The API listed {rows_seen} assessments, not 100")
    rounds = ROUNDS * 10
    listing = timed(lambda: client.get(url, **header), rounds)
    visitor = Client()

    def first_visit():
        visitor.cookies.clear()
        visitor.get(reverse("login"))

    first_visit()
    login = timed(first_visit, rounds)
    with CaptureQueriesContext(connection) as queries:
        client.get(url, **header)
    return [
        (
            "API: list of 100 assessments with a token / login page",
            f"{listing * 1000:.1f} ms ({len(queries)} queries)",
            f"{listing / login:.2f}",
        )
    ]


def _autosave_of_one_answer(
    organisation, user, rounds: int, whole_form: bool = False, change: str = "comment"
) -> float:
    """Server time of an htmx autosave that changes one answer of the biggest section of
    a complete default-questionnaire assessment (its comment, or its choice: then the
    progress is counted again), posted url-encoded as htmx posts it: the changed card's
    fields with partial=1, as autosave.js sends them, or (``whole_form``) every field of
    the page."""
    assessment = answered_default(organisation, user, "Autosave", submitted=False)
    client = Client()
    client.force_login(user)
    number = biggest_section(assessment.version)
    url = reverse("assessment_section", args=[assessment.uuid, number])
    data = benchdata.form_fields(client.get(url).content.decode())
    if change == "choice":
        # The first single-choice question with two other choices than the one given:
        # the autosaves switch between those two.
        radios: dict[str, list[str]] = {}
        page = client.get(url).content.decode()
        for name, value in re.findall(r'type="radio" name="([^"]+-answer)" value="([^"]*)"', page):
            radios.setdefault(name, []).append(value)
        field, others = next(
            (name, [[v] for v in values if [v] != data.get(name)][:2])
            for name, values in radios.items()
            if len(values) >= 3
        )
        code = field.removesuffix("-answer")
        values = iter(others * (10 * rounds + 10))
    else:
        field = next(name for name in data if name.endswith("-comment"))
        code = field.removesuffix("-comment")
        values = iter([f"Changed {n}."] for n in range(10 * rounds + 10))
    loaded = f"{code}-loaded"
    if not whole_form:
        data = {name: value for name, value in data.items() if name.startswith(f"{code}-")}
        data["partial"] = ["1"]

    def autosave():
        data[field] = next(values)
        response = client.post(
            url,
            urlencode(data, doseq=True),
            "application/x-www-form-urlencoded",
            headers={"HX-Request": "true"},
        )
        assert response["X-Autosave"] == "saved", response.content[:300]
        # The page's new token of the card, as the answer swaps it in.
        token = re.search(f'name="{re.escape(loaded)}" value="([^"]*)"', response.text)
        data[loaded] = [token[1]]

    autosave()
    return timed(autosave, rounds)


def _draft_results_after_a_change(organisation, user, rounds: int) -> float:
    """Server time of a complete draft's results page viewed after each change of one
    of its answers (a comment): rendered again each time, never the kept one."""
    assessment = answered_default(organisation, user, "Results after a change", submitted=False)
    question = next(iter(load_version(assessment.version).questions.values()))
    client = Client()
    client.force_login(user)
    url = reverse("assessment_results", args=[assessment.uuid])
    times = []
    for n in range(rounds + 1):
        change = AnswerInput(choice_codes=(question.choices.all()[0].code,), comment=f"{n}.")
        save_answers(assessment, [Submitted(question, change, None)], user)
        start = time.perf_counter()
        assert client.get(url).status_code == 200
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:])


_VERSIONS: dict[int, object] = {}


def _version(size: int):
    if size not in _VERSIONS:
        _VERSIONS[size] = benchdata.sized_version(size)
    return _VERSIONS[size]


class PeakMemory(logging.Handler):
    """The largest peak memory that a render reported (compliance.reports.pdf logs it)."""

    def __init__(self) -> None:
        super().__init__()
        self.peak_kib = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.peak_kib = max(self.peak_kib, getattr(record, "peak_kib", 0))


def bench_pdf(assessment) -> list[Row]:
    rows = []
    memory = PeakMemory()
    renders = logging.getLogger("compliance.reports.pdf")
    renders.addHandler(memory)
    renders.setLevel(logging.INFO)
    for language in ("en", "zh-hans"):
        with translation.override(language):
            html = report_html(build_report(assessment), language)

        def floor(html=html):
            HTML(string=html, url_fetcher=StaticOnlyFetcher(STATIC_FILES)).write_pdf(pdf_tags=True)

        def app_render(language=language):
            ReportFile.objects.all().delete()
            produce(assessment, language)

        def cached(language=language):
            # What a download of a stored report costs: its key, its row, its file.
            row = ReportFile.objects.get(key=prepare(assessment, language, None).key)
            with row.file.open("rb") as stored:
                stored.read()

        floor_time = timed(floor)
        render_time = timed(app_render)
        cached_time = timed(cached, rounds=ROUNDS * 3)
        pages = len(HTML(string=html, url_fetcher=StaticOnlyFetcher(STATIC_FILES)).render().pages)
        rows += [
            (
                f"PDF {language}: WeasyPrint alone, per page ({pages} pages)",
                f"{floor_time / pages * 1000:.0f} ms",
                "1.00",
            ),
            (
                f"PDF {language}: app render per page / WeasyPrint alone",
                f"{render_time / pages * 1000:.0f} ms",
                f"{render_time / floor_time:.2f}",
            ),
            (
                f"PDF {language}: cached download / app render",
                f"{cached_time * 1000:.1f} ms",
                f"{cached_time / render_time:.4f}",
            ),
        ]
    renders.removeHandler(memory)
    peak = memory.peak_kib / 1024
    rows.append(("PDF: peak memory of a render (child process)", f"{peak:.0f} MB", "-"))
    return rows


#: The audit pack's evidence: 8 files of 25 MB (the largest a file may be), 200 MB.
PACK_FILES, PACK_FILE_MB = 8, 25


def bench_audit_pack(assessment) -> list[Row]:
    """A draft's audit pack with 200 MB of evidence, downloaded (streamed) in process,
    against `zip` storing the same files; and the peak of Python's heap while it is
    made (tracemalloc), which is what the pack costs beyond the reports it holds."""
    import shutil
    import tempfile
    import tracemalloc

    from django.core.files.uploadedfile import TemporaryUploadedFile

    from compliance.assessments.evidence import link_item
    from compliance.evidence.services import add_item
    from compliance.evidence.storage import evidence_storage

    shutil.rmtree(evidence_storage().location, ignore_errors=True)
    questions = list(load_version(assessment.version).questions.values())
    sources = []
    for index in range(PACK_FILES):
        upload = TemporaryUploadedFile(f"evidence-{index}.pdf", "application/pdf", 0, None)
        upload.write(b"%PDF-1.7\n")
        for _chunk in range(PACK_FILE_MB):
            upload.write(os.urandom(1024 * 1024 - (10 if _chunk == 0 else 0)))
        upload.size = upload.tell()
        upload.seek(0)
        item = add_item(
            assessment.organisation,
            assessment.created_by,
            title=f"Evidence {index}",
            files=[upload],
        )
        link_item(assessment, questions[index], item, assessment.created_by)
        sources.append(evidence_storage().path(item.files.get().key))
        upload.close()
    client = Client()
    client.force_login(assessment.created_by)
    url = reverse("assessment_audit_pack", args=[assessment.uuid]) + "?lang=en"
    client.get(url)  # the reports of the pack rendered once, as for any download

    def download() -> int:
        response = client.get(url)
        return sum(len(chunk) for chunk in response.streaming_content)

    def plain_zip() -> None:
        with tempfile.TemporaryDirectory() as folder:
            subprocess.run(["zip", "-0", "-q", "-j", f"{folder}/plain.zip", *sources], check=True)

    zip_time = timed(plain_zip)
    pack_time = timed(download)
    tracemalloc.start()
    size = download()
    peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
    tracemalloc.stop()
    shutil.rmtree(evidence_storage().location, ignore_errors=True)
    megabytes = PACK_FILES * PACK_FILE_MB
    return [
        (f"Audit pack: `zip -0` of the {megabytes} MB of evidence", f"{zip_time:.2f} s", "1.00"),
        (
            f"Audit pack ({size / 1024 / 1024:.0f} MB) downloaded / `zip -0`",
            f"{pack_time:.2f} s",
            f"{pack_time / zip_time:.2f}",
        ),
        ("Audit pack: peak Python memory while it streams", f"{peak:.0f} MB", "-"),
    ]


def bench_scoring() -> list[Row]:
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


# HTTP ----------------------------------------------------------------------------------


def bench_http(label: str) -> list[Row]:
    """Throughput under gunicorn with production settings, relative to the login page."""
    organisation, user = benchdata.member(f"http-{secrets.token_hex(4)}@bench.example")
    assessment = benchdata.half_answered(_version(20), organisation, user, "HTTP")
    draft = answered_default(organisation, user, "Default, draft", submitted=False)
    done = answered_default(organisation, user, "Default, submitted", submitted=True)
    biggest = biggest_section(draft.version)
    cookie = benchdata.session_cookie(user)
    port = benchdata.free_port()
    server = benchdata.start_gunicorn(port)
    try:
        base = f"http://127.0.0.1:{port}"
        pages = {
            "login page (baseline)": ("/accounts/login/", None),
            "section page, 20 questions": (f"/assessments/{assessment.uuid}/sections/1/", cookie),
            "results page, 20 questions": (f"/assessments/{assessment.uuid}/results/", cookie),
            "default questionnaire: section 1": (f"/assessments/{draft.uuid}/sections/1/", cookie),
            f"default questionnaire: biggest section ({biggest})": (
                f"/assessments/{draft.uuid}/sections/{biggest}/",
                cookie,
            ),
            "default questionnaire: results, draft": (
                f"/assessments/{draft.uuid}/results/",
                cookie,
            ),
            "default questionnaire: results, submitted": (
                f"/assessments/{done.uuid}/results/",
                cookie,
            ),
        }
        rates = {}
        for name, (path, page_cookie) in pages.items():
            benchdata.check_ok(base + path, page_cookie)
            benchdata.wrk(base + path, page_cookie, seconds=1)  # warm up
            rates[name] = benchdata.wrk(base + path, page_cookie)
    finally:
        benchdata.stop_gunicorn(server)
    baseline = rates["login page (baseline)"]
    return [
        (f"HTTP {label}: {name}", f"{rate:.0f} req/s", f"{rate / baseline:.2f}")
        for name, rate in rates.items()
    ]


def postgres_rows() -> list[Row]:
    """The HTTP figures once more, against PostgreSQL, from a second run of this script."""
    url = os.environ.get("BENCH_POSTGRES_URL")
    if not url:
        return [("HTTP PostgreSQL: skipped (BENCH_POSTGRES_URL is not set)", "-", "-")]
    # A database of the benchmark's own on that server: the one named in the URL is untouched.
    own = benchdata.recreate_postgres_database(url, "app_bench")
    env = {**os.environ, "BENCH_DATABASE_URL": own}
    env.pop("BENCH_POSTGRES_URL")
    output = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench.py"), "--http-only"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    benchdata.drop_postgres_database(url, "app_bench")
    return [tuple(row) for row in json.loads(output.strip().splitlines()[-1])]


# Output --------------------------------------------------------------------------------


def table(rows: list[Row]) -> str:
    width = max(len(name) for name, _, _ in rows)
    lines = [f"{'figure'.ljust(width)}  {'value':>14}  {'ratio':>8}"]
    lines += [f"{name.ljust(width)}  {value:>14}  {ratio:>8}" for name, value, ratio in rows]
    return "\n".join(lines)


def machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        found = re.search(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = found.group(1).strip() if found else cpu
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    postgres = ""
    if os.environ.get("BENCH_POSTGRES_URL"):
        postgres = (
            ", PostgreSQL "
            + subprocess.run(["psql", "--version"], capture_output=True, text=True).stdout.split()[
                -1
            ]
        )
    return (
        f"{cpu}, {os.cpu_count()} cores, {memory:.0f} GiB; {platform.platform()}; "
        f"Python {platform.python_version()}, Django {django.get_version()}, "
        f"SQLite {connection.Database.sqlite_version}{postgres}"
    )


def write_docs(rows: list[Row], seconds: float) -> None:
    path = ROOT / "docs" / "performance.md"
    text = path.read_text()
    begin, end = "<!-- bench:begin -->", "<!-- bench:end -->"
    block = (
        f"{begin}\nMeasured {datetime.date.today().isoformat()} by `make bench` "
        f"({seconds / 60:.1f} minutes) on {machine()}.\n\n"
        f"```\n{table(rows)}\n```\n{end}"
    )
    path.write_text(re.sub(re.escape(begin) + ".*?" + re.escape(end), block, text, flags=re.S))
    print(f"Wrote the figures into {path.relative_to(ROOT)}.")


def run() -> None:
    """Every benchmark, printed as one table (``bench.py`` has set Django up)."""
    started = time.perf_counter()
    label = "PostgreSQL" if connection.vendor == "postgresql" else "SQLite"
    fresh_database()
    if HTTP_ONLY:
        print(json.dumps(bench_http(label)))
        return
    rows = bench_http(label) + postgres_rows() + bench_save() + bench_api() + bench_queries()
    assessment = complete_default_assessment()
    rows += bench_pdf(assessment) + bench_audit_pack(assessment) + bench_scoring()
    print(table(rows))
    if WRITE_DOCS:
        write_docs(rows, time.perf_counter() - started)
    SQLITE_FILE.unlink(missing_ok=True)
