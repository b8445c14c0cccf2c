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
import resource
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "compliance.settings")
os.environ.setdefault("DEBUG", "1")
os.environ["DATABASE_URL"] = f"sqlite:///{ROOT / 'var' / 'bench.sqlite3'}"
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


def main() -> None:
    assessment = complete_assessment()
    rows = bench_pdf(assessment) + bench_scoring()
    width = max(len(name) for name, _, _ in rows)
    print(f"{'figure'.ljust(width)}  {'time':>10}  {'ratio':>8}")
    for name, value, ratio in rows:
        print(f"{name.ljust(width)}  {value:>10}  {ratio:>8}")
    (ROOT / "var" / "bench.sqlite3").unlink(missing_ok=True)


if __name__ == "__main__":
    main()
