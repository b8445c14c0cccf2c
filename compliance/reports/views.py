"""The results page and the exports; each gets its assessment through the access rule."""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from compliance.assessments.selectors import assessment_or_404

from . import charts, exports
from .pdf import RenderError, html_for, stored_pdf
from .presentation import build_report

VARIANTS = {"pdfa": "pdf/a-3u"}


def report_language(request: HttpRequest) -> str:
    """``?lang=en`` or ``?lang=zh-hans``, else the user's current language."""
    asked = request.GET.get("lang", "")
    known = {code for code, _name in settings.LANGUAGES}
    return asked if asked in known else translation.get_language()


@login_required
@require_safe
def report_pdf(request: HttpRequest, assessment) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    language = report_language(request)
    variant = VARIANTS.get(request.GET.get("variant", ""))
    try:
        key, pdf = stored_pdf(
            assessment, language, variant, client_has=request.headers.get("If-None-Match", "")
        )
    except RenderError as error:
        return render(
            request,
            "reports/render_failed.html",
            {"assessment": assessment, "error": error},
            status=503,
        )
    if pdf is None:
        response = HttpResponse(status=304)
        response["ETag"] = f'"{key}"'
        return response
    response = HttpResponse(pdf, content_type="application/pdf")
    response["ETag"] = f'"{key}"'
    response["Cache-Control"] = "private, no-cache"
    name = slugify(assessment.title) or "assessment"
    disposition = "inline" if request.GET.get("inline") else "attachment"
    response["Content-Disposition"] = f'{disposition}; filename="{name}-{language}.pdf"'
    return response


@login_required
@require_safe
def report_page(request: HttpRequest, assessment) -> HttpResponse:
    """The same report as an HTML page (what the PDF is printed from)."""
    assessment, _membership = assessment_or_404(request.user, assessment)
    return HttpResponse(html_for(assessment, report_language(request)))


@login_required
@require_safe
def results(request: HttpRequest, assessment) -> HttpResponse:
    assessment, membership = assessment_or_404(request.user, assessment)
    report = build_report(assessment)
    return render(
        request,
        "reports/results.html",
        {
            "assessment": assessment,
            "membership": membership,
            "report": report,
            "bars": charts.section_bars(report),
            "radar": charts.radar(report),
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
}


@login_required
@require_safe
def export(request: HttpRequest, assessment, extension: str) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    build, content_type = EXPORTS[extension]
    return _download(assessment, build(build_report(assessment)), extension, content_type)
