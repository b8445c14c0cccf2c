"""The PDF report: the report's HTML, rendered by WeasyPrint with a locked-down fetcher.

WeasyPrint fetches nothing the app did not choose: the only URLs it may open are
``data:`` URLs and ``app-static:`` URLs of the static files listed in ``STATIC_FILES``
(the report's stylesheet). ``file:``, ``http:`` and any other URL are refused, so that
no text in a report can make the server read a local file or call a network address.

Rendered PDFs are stored by content (``ReportFile``, the file itself in the default file
storage): the key covers everything the report shows, so a download of an unchanged report
costs one database read and one file read, on any machine. Rendering runs in a child
process (``compliance.reports.weasy``, started by a multiprocessing forkserver that has
imported WeasyPrint once) with a time limit, so that a render that hangs fails with a
clear message instead of holding a worker, and its memory goes back when it ends.

The job around a render (who renders which key, when, what is recorded) is
``compliance.reports.jobs``.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import charts, weasy
from .models import ReportFile
from .presentation import Report, build_report

STATIC_SCHEME = weasy.STATIC_SCHEME
#: The static files a report may use, by the name its HTML gives (``app-static:<name>``).
STATIC_FILES = {
    f"reports/{name}": str(Path(__file__).resolve().parent / "static" / "reports" / name)
    for name in ("report.css", "charts.css")
}
#: The PDF flavours offered, by the name used in URLs (``?format=pdfa``).
VARIANTS = {"pdfa": "pdf/a-3u"}
#: The documents a report is printed as, from the same data and template set, by the
#: name used in URLs (``?variant=board``): the board summary (at most four pages: the score,
#: critical findings, the ten actions that add most, change since last time) and the
#: full report, for an auditor.
FULL, BOARD = "full", "board"
KINDS = {FULL: "reports/pdf/report.html", BOARD: "reports/pdf/board.html"}


def _stylesheet_digest() -> str:
    """The report's static files, which the HTML names but does not hold."""
    digest = hashlib.sha256()
    for name, path in sorted(STATIC_FILES.items()):
        digest.update(f"{name}\x1f".encode())
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()


STYLESHEET_DIGEST = _stylesheet_digest()
logger = logging.getLogger(__name__)
# Render processes come from a forkserver that has imported WeasyPrint (and nothing of
# Django): forking it is quick, and a child holds only what one render needs.
RENDERERS = multiprocessing.get_context("forkserver")
RENDERERS.set_forkserver_preload(["compliance.reports.weasy"])


@dataclass(frozen=True)
class PreparedReport:
    """A report as it would be printed now: its data, its exact HTML and the PDF's key."""

    report: Report
    html: str
    key: str


def report_html(report: Report, language: str, kind: str = FULL) -> str:
    """The report as one HTML document of ``kind``, in ``language``."""
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
            "marking": _css_string(_marking(report.assessment.organisation)),
            "methodology": report.assessment.version.methodology,
            "changelog": report.assessment.version.changelog,
            "kind": kind,
        }
        return render_to_string(KINDS[kind], context)


def _marking(organisation) -> str:
    """The marking at the top of every page: the organisation's, "Confidential" by
    default (in the report's language), or none."""
    if not organisation.report_marking_on:
        return ""
    return organisation.report_marking or _("Confidential")


def _css_string(text: str) -> str:
    """``text`` for a CSS string in the print stylesheet: every character that is not a
    letter, digit, space or plain punctuation becomes a CSS escape, so that no text (an
    organisation's marking included) can end the string or the <style>, and the
    template's HTML escaping finds nothing to change."""
    safe = " .,:;-_()/%"
    return "".join(c if c.isalnum() or c in safe else f"\\{ord(c):x} " for c in text)


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
    receiver, sender = RENDERERS.Pipe(duplex=False)
    child = RENDERERS.Process(
        target=weasy.render_to_pipe, args=(html, variant, STATIC_FILES, sender), daemon=True
    )
    child.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise RenderError(
                _("Rendering the report took too long."),
                ReportFile.Failure.TIMEOUT,
                f"stopped after {timeout:g} s",
            )
        ok, payload, peak_kib = receiver.recv()
    except EOFError:
        raise RenderError(_("Rendering the report failed.")) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    # The renderer's peak memory, for sizing workers (and read by the benchmark).
    logger.info(
        "Report render: %s, peak memory %d MiB",
        "done" if ok else "failed",
        peak_kib // 1024,
        extra={"peak_kib": peak_kib},
    )
    if not ok:
        raise RenderError(
            _("Rendering the report failed.") + f" ({payload})", ReportFile.Failure.ERROR, payload
        )
    return payload


def cache_key(html: str, variant: str | None, kind: str = FULL) -> str:
    """The digest of exactly what is rendered: the HTML, its stylesheet and the variant.

    Everything the report shows (answers, the comparison with an earlier assessment, a
    translation, a template, a chart, presentation code) changes the HTML, so a stored
    PDF can never disagree with the report as it stands."""
    parts = [variant or "", kind, STYLESHEET_DIGEST, html]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def html_for(assessment, language: str, kind: str = FULL) -> str:
    return prepare(assessment, language, None, kind).html


def prepare(
    assessment, language: str, variant: str | None, kind: str = FULL, signoff=None
) -> PreparedReport:
    """The report of ``kind`` as it stands (with ``signoff``, the sign-off being signed),
    its HTML and the content key of its PDF."""
    with translation.override(language):
        report = build_report(assessment, signoff)
        html = report_html(report, language, kind)
    return PreparedReport(report, html, cache_key(html, variant, kind))
