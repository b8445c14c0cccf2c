"""The results page and the exports; each gets its assessment through the access rule."""

import hashlib
import re
import tempfile
from datetime import timedelta
from urllib.parse import urlencode

from csp.decorators import csp_replace, csp_update
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.files import File
from django.db import IntegrityError, transaction
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import add_never_cache_headers
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_safe

from compliance.assessments.models import Answer
from compliance.assessments.selectors import assessment_or_404

from . import audit_pack as packs
from . import charts, exports, followup, oscal
from .approval import signed_report
from .jobs import request_report, rerender_lost_file
from .models import AuditPack, ReportFile, SignedReport
from .pdf import BOARD, FULL, KINDS, STATIC_SCHEME, VARIANTS, html_for, prepare
from .presentation import build_report, evidence_day, previous_assessment

#: After this long in the queue, the waiting page says that no worker has taken the job.
WAITING_LONG = timedelta(seconds=30)


def report_language(request: HttpRequest) -> str:
    """``?lang=en`` or ``?lang=zh-hans``, else the user's current language."""
    asked = request.GET.get("lang", "")
    known = {code for code, _name in settings.LANGUAGES}
    return asked if asked in known else translation.get_language()


def report_kind(request: HttpRequest) -> str:
    """Which document: ``?variant=board`` for the board summary (the URL contract of
    docs/architecture.md), the full report otherwise."""
    asked = request.GET.get("variant", "")
    return asked if asked in KINDS else FULL


def pdf_format(request: HttpRequest) -> str:
    """The PDF's flavour by its URL name: ``?format=pdfa`` for PDF/A (``?variant=pdfa``,
    its first address, still works and gives the full report); "" for plain PDF."""
    asked = request.GET.get("format", "") or request.GET.get("variant", "")
    return asked if asked in VARIANTS else ""


def _report_query(request: HttpRequest, language: str, variant_name: str, **extra: str) -> str:
    """The query string of the report asked for: language, kind, variant, inline (and
    ``extra``)."""
    params = {"lang": language}
    kind = report_kind(request)
    if kind != FULL:
        params["variant"] = kind
    if variant_name:
        params["format"] = variant_name
    if request.GET.get("inline"):
        params["inline"] = "1"
    return "?" + urlencode(params | extra)


def _pdf_response(request: HttpRequest, assessment, row: ReportFile) -> HttpResponse | None:
    """The stored PDF, or ``None`` when its file has gone from the storage."""
    try:
        handle = row.file.open("rb")
    except OSError:
        return None
    response = FileResponse(handle, content_type="application/pdf")
    response["ETag"] = f'"{row.key}"'
    response["Cache-Control"] = "private, no-cache"
    name = slugify(assessment.title) or "assessment"
    if row.kind != FULL:
        name += f"-{row.kind}"
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}-{row.language}.pdf"'
    return response


def _signed_response(request: HttpRequest, assessment, signed: SignedReport) -> HttpResponse:
    """An approved assessment's report as it was signed at approval (never rendered again)."""
    etag = f'"{signed.sha256}"'
    if etag in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
        response["ETag"] = etag
        return response
    data = SignedReport.objects.filter(pk=signed.pk).values_list("data", flat=True).get()
    response = HttpResponse(bytes(data), content_type="application/pdf")
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    name = slugify(assessment.title) or "assessment"
    if signed.kind != FULL:
        name += f"-{signed.kind}"
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = (
        f'{disposition}; filename="{name}-{signed.language}-signed.pdf"'
    )
    return response


def _status_page(
    request: HttpRequest,
    assessment,
    row: ReportFile | None,
    language: str,
    variant_name: str,
    pack: bool = False,
) -> HttpResponse:
    """Where a report stands: being prepared, ready (from the status view), or failed.

    For htmx polling, an answer that would show what the page already shows (``shown``)
    is a 204, which htmx does not swap: the page, and screen readers, stay quiet.
    """
    pdf_url = reverse(
        "assessment_audit_pack" if pack else "assessment_report_pdf", args=[assessment.uuid]
    )
    status_url = reverse(
        "assessment_audit_pack_status" if pack else "assessment_report_status",
        args=[assessment.uuid],
    )
    status = row.status if row is not None else ReportFile.Status.QUEUED
    ready, failed = status == ReportFile.Status.READY, status == ReportFile.Status.FAILED
    waiting_long = (
        status == ReportFile.Status.QUEUED
        and row is not None
        and row.queued_at is not None
        and row.queued_at < timezone.now() - WAITING_LONG
    )
    phase = "ready" if ready else "failed" if failed else "waiting" if waiting_long else "preparing"
    if request.htmx and request.GET.get("shown") == phase:
        response = HttpResponse(status=204)
        add_never_cache_headers(response)
        return response
    context = {
        "assessment": assessment,
        "pack": pack,
        "ready": ready,
        "failed": failed,
        "waiting_long": waiting_long,
        "error": row.get_failure_display() if failed else "",
        "download_url": pdf_url + _report_query(request, language, variant_name),
        "retry_url": pdf_url + _report_query(request, language, variant_name, retry="1"),
        "status_url": status_url + _report_query(request, language, variant_name),
        "poll_url": status_url + _report_query(request, language, variant_name, shown=phase),
    }
    if request.htmx:
        response = render(request, "reports/_report_status.html", context)
    elif failed:
        response = render(request, "reports/render_failed.html", context, status=503)
    else:
        response = render(request, "reports/preparing.html", context, status=200 if ready else 202)
    add_never_cache_headers(response)
    return response


def _report_job(request: HttpRequest, assessment) -> tuple[str, str | None, str, str, str]:
    """The language, variant (and its URL name), kind and content key of the report
    asked for."""
    language = report_language(request)
    variant_name = pdf_format(request)
    variant = VARIANTS.get(variant_name)
    kind = report_kind(request)
    return language, variant, variant_name, kind, prepare(assessment, language, variant, kind).key


@login_required
@require_safe
def report_pdf(request: HttpRequest, assessment) -> HttpResponse:
    """The PDF when it is stored; otherwise its render is asked for and a page follows it.

    With the immediate task backend the render runs here and the PDF is the answer, as
    before tasks; with the database backend the answer is a page that waits for a worker.
    ``?retry=1`` queues a failed render again.
    """
    assessment, _membership = assessment_or_404(request.user, assessment)
    if assessment.is_approved and not pdf_format(request):
        signed = signed_report(assessment, report_kind(request), report_language(request))
        if signed is not None:
            return _signed_response(request, assessment, signed)
    language, variant, variant_name, kind, key = _report_job(request, assessment)
    if f'"{key}"' in request.headers.get("If-None-Match", ""):
        response = HttpResponse(status=304)
        response["ETag"] = f'"{key}"'
        return response
    retry = bool(request.GET.get("retry"))
    row = request_report(
        assessment, language, variant, key, retry=retry, user=request.user, kind=kind
    )
    if retry:  # the address without the retry, so that reloading it does not retry again
        return redirect(request.path + _report_query(request, language, variant_name))
    if row is not None and row.status == ReportFile.Status.READY:
        response = _pdf_response(request, assessment, row)
        if response is not None:
            return response
        row = rerender_lost_file(row, user=request.user)
        if row is not None and row.status == ReportFile.Status.READY:
            response = _pdf_response(request, assessment, row)
            if response is not None:
                return response
    return _status_page(request, assessment, row, language, variant_name)


@login_required
@require_safe
def report_status(request: HttpRequest, assessment) -> HttpResponse:
    """Where the report's PDF stands, polled by the waiting page (a fragment for htmx)."""
    assessment, _membership = assessment_or_404(request.user, assessment)
    language, variant, variant_name, kind, key = _report_job(request, assessment)
    row = request_report(assessment, language, variant, key, user=request.user, kind=kind)
    return _status_page(request, assessment, row, language, variant_name)


#: The print document's links to the app's stylesheet, in the PDF fetcher's scheme.
STATIC_LINK = re.compile(rf'href="{STATIC_SCHEME}/?([^"]+)"')


@login_required
@require_safe
def report_page(request: HttpRequest, assessment) -> HttpResponse:
    """The report as a page of the site: its header and a way back, and the report
    itself in a frame, exactly as it is printed (its own stylesheet, not the site's)."""
    assessment, membership = assessment_or_404(request.user, assessment)
    language, kind = report_language(request), report_kind(request)
    query = _report_query(request, language, "")
    return render(
        request,
        "reports/report_page.html",
        {
            "assessment": assessment,
            "membership": membership,
            "language": language,
            "kind": kind,
            "query": query,
            "document": reverse("assessment_report_document", args=[assessment.uuid]) + query,
        },
    )


@login_required
@require_safe
@xframe_options_sameorigin
# The print document's @page rules (page numbers in the report's language) are an inline
# <style>: inline styles are allowed in this document alone. It runs no script, every
# value in it is escaped, script-src stays 'self', and only the site's own report page
# may frame it (docs/security.md).
@csp_update({"style-src": ["'unsafe-inline'"]})
@csp_replace({"frame-ancestors": ["'self'"]})
def report_document(request: HttpRequest, assessment) -> HttpResponse:
    """The report's HTML as WeasyPrint prints it (``report_page`` frames it)."""
    assessment, _membership = assessment_or_404(request.user, assessment)
    html = html_for(assessment, report_language(request), report_kind(request))
    # A browser cannot open app-static: links; it gets the stylesheet's static URL.
    html = STATIC_LINK.sub(lambda found: f'href="{static(found.group(1))}"', html)
    return HttpResponse(html)


#: The cache of rendered results pages (settings.CACHES).
RESULTS_CACHE = "pages"


def _results_key(assessment) -> tuple[str, str]:
    """Where an assessment's results page is kept (one place per assessment and
    language), and what it shows, as a digest: the assessment as it stands (a submitted
    one's answers and result are frozen with it; every write of a draft's answers
    records its ``last_changed_at``, ``services.record_change``), the earlier assessment
    it is compared with, and the names of who answered. The questionnaire version is
    published, so immutable."""
    previous = previous_assessment(assessment)
    people = sorted(
        set(
            Answer.objects.filter(assessment=assessment).values_list(
                "updated_by__first_name", "updated_by__last_name", "updated_by__email"
            )
        ),
        key=str,
    )
    parts = [
        assessment.status,
        str(assessment.submitted_at),
        assessment.last_changed_at.isoformat(),
        str(assessment.answered_count),
        assessment.title,
        f"{assessment.period_start}/{assessment.period_end}",
        f"{previous.uuid}/{previous.submitted_at.isoformat()}" if previous else "",
        repr(people),
        # Evidence is marked expired as of this day (a draft's: today).
        str(evidence_day(assessment)),
    ]
    key = f"results:{assessment.uuid}:{translation.get_language()}"
    return key, hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _results_body(request: HttpRequest, assessment) -> tuple[str, followup.Plan]:
    """The results page below its header, rendered once for each state of the
    assessment and kept until it changes: a submitted one's never does; a draft's is
    rendered again after its answers change (in DEBUG, templates change too: always).
    Kept with it: what the follow-up panel needs of the result."""

    def render_body() -> tuple[str, followup.Plan]:
        report = build_report(assessment)
        context = {"assessment": assessment, "report": report, "bars": charts.section_bars(report)}
        body = render_to_string("reports/_results_body.html", context, request)
        return body, followup.Plan.of(report)

    if settings.DEBUG:
        return render_body()
    cache = caches[RESULTS_CACHE]
    key, shows = _results_key(assessment)
    kept = cache.get(key)
    if kept is not None and kept[0] == shows:
        return kept[1], kept[2]
    body, plan = render_body()
    cache.set(key, (shows, body, plan))
    return body, plan  # a template's output: a SafeString, kept as such by the cache


@login_required
@require_safe
def results(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    body, plan = _results_body(request, assessment)
    return render(
        request,
        "reports/results.html",
        {
            "assessment": assessment,
            "membership": membership,
            "body": body,
            "panel": followup.panel(assessment, plan),
            "today": timezone.localdate(),
        },
    )


def _download(assessment, content: bytes, extension: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    name = slugify(assessment.title) or "assessment"
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


EXPORTS = {
    "csv": (exports.to_csv, "text/csv; charset=utf-8"),
    "xlsx": (exports.to_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "json": (exports.to_json, "application/json"),
    "events.csv": (exports.events_to_csv, "text/csv; charset=utf-8"),
    "oscal.json": (oscal.to_json, oscal.MEDIA_TYPE),
}


@login_required
@require_safe
def export(request: HttpRequest, assessment, extension: str) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    build, content_type = EXPORTS[extension]
    return _download(assessment, build(build_report(assessment)), extension, content_type)


def _pack_reports(request: HttpRequest, assessment, language: str, retry: bool = False):
    """Both reports of the pack, rendered (asked for where they are not): ``(rows, None)``
    when both are ready, else ``(None, the row to show the state of)``."""
    rows = {}
    for kind in (FULL, BOARD):
        key = prepare(assessment, language, None, kind).key
        row = request_report(
            assessment, language, None, key, retry=retry, user=request.user, kind=kind
        )
        if row is not None and row.status == ReportFile.Status.READY and not row.file:
            row = rerender_lost_file(row, user=request.user)
        if row is None or row.status != ReportFile.Status.READY:
            return None, row
        rows[kind] = row
    return rows, None


def _read_pdfs(rows: dict, user) -> dict[str, bytes] | None:
    pdfs = {}
    for kind, row in rows.items():
        try:
            with row.file.open("rb") as handle:
                pdfs[kind] = handle.read()
        except OSError:
            rerender_lost_file(row, user=user)
            return None
    return pdfs


@login_required
@require_safe
def audit_pack(request: HttpRequest, assessment) -> HttpResponse:
    """One ZIP of both reports, the exports, every evidence file and a manifest of their
    checksums (``audit_pack``). A draft's is streamed as it is made, named DRAFT; a
    submitted assessment's is built once, stored, and streamed from the storage. While
    its reports are still being rendered, a page follows them, as for the PDF."""
    assessment, _membership = assessment_or_404(request.user, assessment)
    language = report_language(request)
    signed = _signed_pdfs(assessment, language)
    if signed is not None:
        # An approved assessment's pack holds the signed reports, as approved.
        pdfs, keys = signed
    else:
        retry = bool(request.GET.get("retry"))
        rows, waiting = _pack_reports(request, assessment, language, retry)
        if retry:
            return redirect(request.path + "?" + urlencode({"lang": language}))
        pdfs = _read_pdfs(rows, request.user) if rows else None
        if pdfs is None:
            return _status_page(request, assessment, waiting, language, "", pack=True)
        keys = (rows[FULL].key, rows[BOARD].key)
    with translation.override(language):
        report = build_report(assessment)
        files = packs.members(report, pdfs)
        name = packs.file_name(report, language)
    size, limit = packs.expected_size(files), settings.AUDIT_PACK_MAX_BYTES
    if size > limit:
        # An item cited by many answers is in the pack once per answer: it adds up.
        messages.error(
            request,
            _(
                "The audit pack would be %(size)s, more than the %(limit)s a pack may be. "
                "Download the reports, the exports and the evidence one by one, or ask the "
                "administrator for a larger limit."
            )
            % {"size": filesizeformat(size), "limit": filesizeformat(limit)},
        )
        return redirect("assessment_results", assessment.uuid)
    if report.is_draft:
        response = StreamingHttpResponse(
            packs.stream(report, files, language), content_type="application/zip"
        )
    else:
        stored = _stored_pack(assessment, report, files, language, keys)
        response = FileResponse(stored.file.open("rb"), content_type="application/zip")
        response["Content-Length"] = str(stored.size)
        response["ETag"] = f'"{stored.key}"'
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "private, no-store"
    return response


def _signed_pdfs(assessment, language: str) -> tuple[dict[str, bytes], tuple[str, str]] | None:
    """Both signed reports of an approved assessment in ``language`` and their SHA-256,
    or None (not approved, or approved before reports were signed)."""
    if not assessment.is_approved:
        return None
    signed = {kind: signed_report(assessment, kind, language) for kind in (FULL, BOARD)}
    if any(row is None for row in signed.values()):
        return None
    pdfs = {
        kind: bytes(SignedReport.objects.values_list("data", flat=True).get(pk=row.pk))
        for kind, row in signed.items()
    }
    return pdfs, (signed[FULL].sha256, signed[BOARD].sha256)


def _stored_pack(assessment, report, files, language: str, keys: tuple[str, str]) -> AuditPack:
    """The submitted assessment's stored pack of this content, built now if there is none
    (``keys``: the two reports' own, which change when either does)."""
    parts = [language, *keys]
    parts += [f"{member.path}\x1f{member.evidence.get('recorded_sha256', '')}" for member in files]
    parts.append(hashlib.sha256(exports.to_json(report)).hexdigest())
    key = hashlib.sha256("\x1e".join(parts).encode()).hexdigest()
    stored = AuditPack.objects.filter(key=key).first()
    if stored is not None:
        return stored
    with tempfile.TemporaryFile() as spool:
        digest = hashlib.sha256()
        for chunk in packs.stream(report, files, language):
            spool.write(chunk)
            digest.update(chunk)
        size = spool.tell()
        spool.seek(0)
        pack = AuditPack(
            assessment=assessment, language=language, key=key, size=size, sha256=digest.hexdigest()
        )
        pack.file.save(f"{key}.zip", File(spool), save=False)
    try:
        with transaction.atomic():
            pack.save()
    except IntegrityError:  # another request stored the same pack meanwhile
        pack.file.delete(save=False)
        return AuditPack.objects.get(key=key)
    # Older packs of this assessment and language (before a reopening) are superseded.
    for old in AuditPack.objects.filter(assessment=assessment, language=language).exclude(
        pk=pack.pk
    ):
        old.delete()
    return pack


@login_required
@require_safe
def audit_pack_status(request: HttpRequest, assessment) -> HttpResponse:
    """Where the pack's reports stand, polled by the waiting page (a fragment for htmx)."""
    assessment, _membership = assessment_or_404(request.user, assessment)
    language = report_language(request)
    rows, waiting = _pack_reports(request, assessment, language)
    row = rows[BOARD] if rows else waiting
    return _status_page(request, assessment, row, language, "", pack=True)
