"""Benchmarks: every figure is a ratio against a baseline measured in the same run.

Run with `make bench`. Uses its own database (SQLite under var/, or the PostgreSQL of
BENCH_DATABASE_URL); the app's data is not touched. Production settings (DEBUG off,
the manifest static storage) throughout. Prints one table:

- HTTP throughput under gunicorn (2 workers, wrk on loopback) of a 20-question section
  page and of the results page, against the login page; for SQLite, and for PostgreSQL
  when BENCH_POSTGRES_URL is set (the script runs itself once more against it).
- Server time of saving a section (20 answers) against viewing it.
- Query counts of the dashboard (50 assessments), a section page, a save, the results
  page and a PDF download, for a questionnaire of 20 and one of 200 questions.
- PDF report of a complete default assessment, per language: the app's render time per
  page against WeasyPrint rendering the same HTML directly; a cached download against
  a render; peak memory of a render.
- Scoring of a 500-question questionnaire against a 5-question one.

``--write-docs`` also writes the table, the machine and the date into
docs/performance.md, between its "bench:begin" and "bench:end" markers.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SQLITE_FILE = ROOT / "var" / "bench.sqlite3"
STATIC_ROOT = ROOT / "var" / "bench-static"


def main() -> None:
    """Set up Django with production settings and the benchmark's own database, then
    run. Nothing happens on import: a PDF render's child process (a multiprocessing
    forkserver) imports the main script again, and must not empty the database."""
    sys.path.insert(0, str(ROOT))
    import benchdata  # scripts/, beside this file

    benchdata.use_production_settings(
        os.environ.get("BENCH_DATABASE_URL", f"sqlite:///{SQLITE_FILE}"), STATIC_ROOT
    )
    (ROOT / "var").mkdir(exist_ok=True)
    if "BENCH_DATABASE_URL" not in os.environ:
        SQLITE_FILE.unlink(missing_ok=True)
    import django

    django.setup()
    # The task backend announces every render; the table is the output here.
    logging.getLogger("django_tasks").setLevel(logging.WARNING)
    benchdata.collect_static()  # the manifest static storage needs the collected files
    import benchmarks

    benchmarks.run()


if __name__ == "__main__":
    main()
