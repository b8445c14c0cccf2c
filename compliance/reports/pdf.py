"""The PDF report: the report's HTML, rendered by WeasyPrint with a locked-down fetcher.

WeasyPrint fetches nothing the app did not choose: the only URLs it may open are
``data:`` URLs and ``app-static:`` URLs of the app's own static files (the report's
stylesheet). ``file:``, ``http:`` and any other URL are refused, so that no text in a
report can make the server read a local file or call a network address.

Rendered PDFs are stored by content (``ReportFile``, the file itself in the default file
storage): the key covers everything the report shows, so a download of an unchanged report
costs one database read and one file read, on any machine. Rendering runs in a child
process with a time limit, so that a render that hangs fails with a clear message instead
of holding a worker.

A render is claimed before it starts (``produce``): the ``ReportFile`` row of its key goes
to ``running`` with a new attempt number, and the outcome is recorded only while the row
still carries that attempt. A running render older than the time limit plus
``STALE_GRACE`` belongs to a process that died (a render that overruns is stopped at the
time limit and recorded as failed), so it may be claimed again.
"""

from __future__ import annotations

import gc
import hashlib
import mimetypes
import multiprocessing
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import charts
from .models import ReportFile
from .presentation import Report, build_report

STATIC_SCHEME = "app-static:"
#: The PDF variants offered, by the name used in URLs (``?variant=pdfa``).
VARIANTS = {"pdfa": "pdf/a-3u"}
#: Seconds beyond REPORT_RENDER_TIMEOUT for storing the file and recording the outcome;
#: a render still running after both belongs to a process that died.
STALE_GRACE = 60


def _stylesheet_digest() -> str:
    """The report's stylesheet, which the HTML names but does not hold."""
    stylesheet = Path(__file__).resolve().parent / "static" / "reports" / "report.css"
    return hashlib.sha256(stylesheet.read_bytes()).hexdigest()


STYLESHEET_DIGEST = _stylesheet_digest()


@dataclass(frozen=True)
class PreparedReport:
    """A report as it would be printed now: its data, its exact HTML and the PDF's key."""

    report: Report
    html: str
    key: str


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that serves the app's static files and data: URLs only."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data", "app-static"}, allow_redirects=False)

    def fetch(self, url: str, headers=None):
        if url.startswith(STATIC_SCHEME):
            relative = url.removeprefix(STATIC_SCHEME).lstrip("/")
            if ".." in Path(relative).parts:
                raise ValueError(f"Refused URL: {url}")
            found = finders.find(relative)
            if not found:
                raise ValueError(f"No such static file: {relative}")
            content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=Path(found).read_bytes(), headers={"Content-Type": content_type}
            )
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Refused URL: {url}")


def report_html(report: Report, language: str) -> str:
    """The report as one HTML document, in ``language``."""
    with translation.override(language):
        page_text = _("Page %(page)s of %(pages)s")
        before, _sep, rest = page_text.partition("%(page)s")
        middle, _sep, after = rest.partition("%(pages)s")
        context = {
            "report": report,
            "assessment": report.assessment,
            "language": language,
            "html_lang": "zh-Hans" if language.startswith("zh") else "en",
            # When the answers stood as shown (not when the file was made), so that the
            # same answers always give the same document, and the same key.
            "as_of": timezone.localtime(
                report.assessment.submitted_at or report.assessment.last_changed_at
            ),
            "bars": charts.section_bars(report, "pdf-bars"),
            "page_before": _css_string(before),
            "page_middle": _css_string(middle),
            "page_after": _css_string(after),
            "methodology": report.assessment.version.methodology,
            "changelog": report.assessment.version.changelog,
        }
        return render_to_string("reports/pdf/report.html", context)


def _css_string(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ")


class RenderError(Exception):
    """The report could not be rendered (it failed, or took longer than allowed)."""

    def __init__(
        self, message: str, failure: str = ReportFile.Failure.ERROR, detail: str = ""
    ) -> None:
        super().__init__(message)
        self.failure = failure
        self.detail = detail


def write_pdf(html: str, variant: str | None = None, timeout: float | None = None) -> bytes:
    """WeasyPrint in a child process, so that a render that hangs can be stopped."""
    timeout = timeout or settings.REPORT_RENDER_TIMEOUT
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_render_child, args=(html, variant, sender), daemon=True)
    # Objects that exist before the fork are left alone by the child's garbage collector,
    # so that the child does not copy the parent's memory page by page.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderError(
                _("Rendering the report took too long."),
                ReportFile.Failure.TIMEOUT,
                f"stopped after {timeout:g} s",
            )
        ok, payload = receiver.recv()
    except EOFError:
        raise RenderError(_("Rendering the report failed.")) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if not ok:
        raise RenderError(
            _("Rendering the report failed.") + f" ({payload})", ReportFile.Failure.ERROR, payload
        )
    return payload


def _render_child(html: str, variant: str | None, sender) -> None:  # pragma: no cover (child)
    try:
        options = {"pdf_tags": True}
        if variant:
            options["pdf_variant"] = variant
        pdf = HTML(string=html, url_fetcher=StaticOnlyFetcher()).write_pdf(**options)
        sender.send((True, pdf))
    except Exception as error:  # reported to the parent, which raises RenderError
        sender.send((False, f"{type(error).__name__}: {error}"))
    finally:
        sender.close()
        os._exit(0)  # skip the parent's atexit handlers and database connections


def cache_key(html: str, variant: str | None) -> str:
    """The digest of exactly what is rendered: the HTML, its stylesheet and the variant.

    Everything the report shows (answers, the comparison with an earlier assessment, a
    translation, a template, a chart, presentation code) changes the HTML, so a stored
    PDF can never disagree with the report as it stands."""
    parts = [variant or "", STYLESHEET_DIGEST, html]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def html_for(assessment, language: str) -> str:
    with translation.override(language):
        return report_html(build_report(assessment), language)


def prepare(assessment, language: str, variant: str | None) -> PreparedReport:
    """The report as it stands, its HTML and the content key of its PDF."""
    with translation.override(language):
        report = build_report(assessment)
        html = report_html(report, language)
    return PreparedReport(report, html, cache_key(html, variant))


def stale_after() -> timedelta:
    """How long a render may be running before it is taken for dead."""
    return timedelta(seconds=settings.REPORT_RENDER_TIMEOUT + STALE_GRACE)


def is_stale(row: ReportFile, now: datetime | None = None) -> bool:
    """A running render that no live process will finish."""
    now = now or timezone.now()
    return row.status == ReportFile.Status.RUNNING and (
        row.started_at is None or row.started_at < now - stale_after()
    )


def _claim(assessment, language: str, variant: str | None, key: str) -> tuple[ReportFile, bool]:
    """The row of ``key``, and whether this process now holds it (and must render it)."""
    now = timezone.now()
    row, created = ReportFile.objects.get_or_create(
        key=key,
        defaults={
            "assessment": assessment,
            "language": language,
            "variant": variant or "",
            "status": ReportFile.Status.RUNNING,
            "attempt": 1,
            "queued_at": now,
            "started_at": now,
        },
    )
    row.assessment = assessment
    if created:
        return row, True
    if row.status != ReportFile.Status.QUEUED and not is_stale(row, now):
        return row, False  # ready, failed, or being rendered by a live process
    claimed = ReportFile.objects.filter(pk=row.pk, status=row.status, attempt=row.attempt).update(
        status=ReportFile.Status.RUNNING,
        attempt=F("attempt") + 1,
        started_at=now,
        finished_at=None,
        failure="",
        error="",
    )
    if not claimed:  # another process was quicker
        row.refresh_from_db()
        return row, False
    row.status, row.attempt, row.started_at = ReportFile.Status.RUNNING, row.attempt + 1, now
    return row, True


def produce(
    assessment,
    language: str,
    variant: str | None = None,
    *,
    prepared: PreparedReport | None = None,
) -> tuple[ReportFile, bytes | None]:
    """Render and store the report's PDF, unless it is stored or being rendered elsewhere.

    Returns the row of the report's current content key and, when this call rendered it,
    the PDF. A failed render is recorded on the row (``failed``, with the reason) and
    raises ``RenderError``; the assessment itself is never touched.
    """
    prepared = prepared or prepare(assessment, language, variant)
    key = prepared.key
    row, claimed = _claim(assessment, language, variant, key)
    if not claimed:
        return row, None
    mine = ReportFile.objects.filter(pk=row.pk, attempt=row.attempt)
    try:
        pdf = write_pdf(prepared.html, variant)
        row.file.save(f"{key}.pdf", ContentFile(pdf), save=False)
    except BaseException as error:
        if isinstance(error, RenderError):
            failure, detail = error.failure, error.detail
        else:
            failure, detail = ReportFile.Failure.ERROR, f"{type(error).__name__}: {error}"
        mine.update(
            status=ReportFile.Status.FAILED,
            failure=failure,
            error=detail,
            finished_at=timezone.now(),
        )
        row.status, row.failure, row.error = ReportFile.Status.FAILED, failure, detail
        raise
    recorded = mine.update(
        status=ReportFile.Status.READY, file=row.file.name, finished_at=timezone.now()
    )
    if not recorded:
        # Given up for dead while it worked: a newer attempt owns the row, or the row was
        # pruned. The file this attempt stored belongs to nobody.
        row.file.storage.delete(row.file.name)
        return ReportFile.objects.filter(pk=row.pk).first() or row, pdf
    row.status = ReportFile.Status.READY
    prune(row)
    return row, pdf


def prune(row: ReportFile) -> None:
    """Keep one PDF per assessment, language and variant: the newest ready one.

    Renders of older content (asked for before it), ready or not, are deleted with their
    files; a render in progress of older content then finds its row gone and discards
    its own file.
    """
    renders = ReportFile.objects.filter(
        assessment_id=row.assessment_id, language=row.language, variant=row.variant
    )
    newest = renders.filter(status=ReportFile.Status.READY).order_by("-requested_at", "-pk").first()
    if newest is not None:
        renders.exclude(pk=newest.pk).filter(
            Q(requested_at__lte=newest.requested_at) | Q(status=ReportFile.Status.READY)
        ).delete()
