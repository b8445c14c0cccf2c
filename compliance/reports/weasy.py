"""WeasyPrint with a locked-down fetcher, in a process of its own: no Django here.

``compliance.reports.pdf`` runs :func:`render_to_pipe` in a child of a multiprocessing
forkserver that has imported this module and WeasyPrint once. Each render is a fresh
small process that the parent can kill when it takes too long, and whose memory is
returned when it ends; it inherits nothing of the web process (no database connection,
no Django state), so this module imports nothing of Django or of the app.

The fetcher serves ``data:`` URLs and ``app-static:`` URLs of the static files the
parent listed (name -> path on disk), and refuses every other URL (``file:``, ``http:``
and the rest), so that no text in a report can make the server read a local file or
call a network address.
"""

from __future__ import annotations

import gc
import mimetypes
import resource
from collections.abc import Mapping
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_SCHEME = "app-static:"


class StaticOnlyFetcher(URLFetcher):
    """A WeasyPrint URL fetcher for ``data:`` URLs and the listed static files only."""

    def __init__(self, static_files: Mapping[str, str]) -> None:
        super().__init__(allowed_protocols={"data", "app-static"}, allow_redirects=False)
        self.static_files = dict(static_files)

    def fetch(self, url: str, headers=None):
        if url.startswith(STATIC_SCHEME):
            name = url.removeprefix(STATIC_SCHEME).lstrip("/")
            path = self.static_files.get(name)
            if path is None:
                raise ValueError(f"Refused URL: {url}")
            content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
            return URLFetcherResponse(
                url, body=Path(path).read_bytes(), headers={"Content-Type": content_type}
            )
        if url.startswith("data:"):
            return super().fetch(url, headers)
        raise ValueError(f"Refused URL: {url}")


def render(html: str, variant: str | None, static_files: Mapping[str, str]) -> bytes:
    options = {"pdf_tags": True}
    if variant:
        options["pdf_variant"] = variant
    return HTML(string=html, url_fetcher=StaticOnlyFetcher(static_files)).write_pdf(**options)


def render_to_pipe(html: str, variant: str | None, static_files, sender) -> None:
    """The child's work: ``(True, pdf, peak KiB)`` or ``(False, reason, peak KiB)``.

    The process ends after one render and its memory goes back whole, so the cyclic
    garbage collector is turned off: it would only walk WeasyPrint's boxes again and
    again (a third of the render time of a long Chinese report)."""
    gc.disable()
    try:
        result = (True, render(html, variant, static_files))
    except Exception as error:  # reported to the parent, which raises RenderError
        result = (False, f"{type(error).__name__}: {error}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sender.send((*result, peak))
    sender.close()
