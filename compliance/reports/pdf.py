"""The PDF report: the report's HTML, rendered by WeasyPrint with a locked-down fetcher.

WeasyPrint fetches nothing the app did not choose: the only URLs it may open are
``data:`` URLs and ``app-static:`` URLs of the app's own static files (the report's
stylesheet). ``file:``, ``http:`` and any other URL are refused, so that no text in a
report can make the server read a local file or call a network address.

Rendered PDFs are stored by content (``ReportFile``): the key covers everything the report
shows, so a download of an unchanged report costs one database read, on any machine.
Rendering runs in a child process with a time limit, so that a render that hangs fails
with a clear message instead of holding a worker.
"""

from __future__ import annotations

import gc
import hashlib
import mimetypes
import multiprocessing
import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from . import charts
from .models import ReportFile
from .presentation import Report, build_report

STATIC_SCHEME = "app-static:"


def _template_digest() -> str:
    """Changes whenever the report's templates or stylesheet change (a new cache key)."""
    root = Path(settings.BASE_DIR)
    files = sorted((root / "templates" / "reports" / "pdf").glob("*.html"))
    files += sorted((root / "compliance" / "static" / "reports").glob("*.css"))
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


TEMPLATE_DIGEST = _template_digest()


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
            "generated": timezone.localtime(),
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


def render_pdf(report: Report, language: str, variant: str | None = None) -> bytes:
    return write_pdf(report_html(report, language), variant)


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
            raise RenderError(_("Rendering the report took too long."))
        ok, payload = receiver.recv()
    except EOFError:
        raise RenderError(_("Rendering the report failed.")) from None
    finally:
        if child.is_alive():
            child.kill()
        child.join(5)
        receiver.close()
    if not ok:
        raise RenderError(_("Rendering the report failed.") + f" ({payload})")
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


def cache_key(report: Report, language: str, variant: str | None) -> str:
    """Everything a report shows, digested: a change to any of it is a new key."""
    assessment = report.assessment
    parts = [
        str(assessment.uuid),
        assessment.status,
        assessment.title,
        str(assessment.period_start),
        str(assessment.period_end),
        assessment.organisation.name,
        assessment.last_changed_at.isoformat(),
        str(assessment.submitted_at),
        str(assessment.version_id),
        language,
        variant or "",
        TEMPLATE_DIGEST,
    ]
    if report.comparison:
        parts.append(str(report.comparison.previous.uuid))
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def html_for(assessment, language: str) -> str:
    with translation.override(language):
        return report_html(build_report(assessment), language)


def stored_pdf(
    assessment, language: str, variant: str | None = None, *, client_has: str = ""
) -> tuple[str, bytes | None]:
    """The report's PDF and its content key: rendered once per content, then read back.

    When ``client_has`` (an If-None-Match header) already names the key, the PDF is
    neither read nor rendered: the result is ``(key, None)``.
    """
    with translation.override(language):
        report = build_report(assessment)
        key = cache_key(report, language, variant)
        if f'"{key}"' in client_has:
            return key, None
        stored = ReportFile.objects.filter(key=key).values_list("content", flat=True).first()
        if stored is not None:
            return key, bytes(stored)
        pdf = render_pdf(report, language, variant)
    # A draft's older renders in this language are out of date: keep only the newest.
    ReportFile.objects.filter(
        assessment=assessment, language=language, variant=variant or ""
    ).delete()
    ReportFile.objects.get_or_create(
        key=key,
        defaults={
            "assessment": assessment,
            "language": language,
            "variant": variant or "",
            "content": pdf,
        },
    )
    return key, pdf
