"""The results page and the exports; each gets its assessment through the access rule."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.text import slugify
from django.views.decorators.http import require_safe

from compliance.assessments.selectors import assessment_or_404

from . import charts, exports
from .presentation import build_report


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


@login_required
@require_safe
def export_csv(request: HttpRequest, assessment) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    report = build_report(assessment)
    return _download(assessment, exports.to_csv(report), "csv", "text/csv; charset=utf-8")


@login_required
@require_safe
def export_xlsx(request: HttpRequest, assessment) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    report = build_report(assessment)
    return _download(
        assessment,
        exports.to_xlsx(report),
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@login_required
@require_safe
def export_json(request: HttpRequest, assessment) -> HttpResponse:
    assessment, _membership = assessment_or_404(request.user, assessment)
    report = build_report(assessment)
    return _download(assessment, exports.to_json(report), "json", "application/json")
