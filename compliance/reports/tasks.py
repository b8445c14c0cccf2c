"""The background task that renders a report's PDF.

Tasks go through Django's task interface (the django-tasks backport; ``django.tasks`` from
Django 6), so the backend is a setting (``TASK_BACKEND``): with the immediate backend the
render runs inside the request that asks for it; with the database backend it waits in
the database until a ``manage.py db_worker`` process on any machine takes it.

The job around it (one render per content key, limits, lost jobs queued again) is
``compliance.reports.jobs``.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django_tasks import task

from compliance.assessments.models import Assessment

from .jobs import produce
from .pdf import FULL, KINDS, VARIANTS, RenderError

logger = logging.getLogger(__name__)


def _assessment(assessment_uuid: str) -> Assessment | None:
    """The assessment a task renders, with what its report prints; None once deleted."""
    return (
        Assessment.objects.select_related("organisation", "version__questionnaire")
        .filter(uuid=assessment_uuid)
        .first()
    )


@task()
def render_report(assessment_uuid: str, language: str, variant: str = "", kind: str = FULL) -> dict:
    """Render and store the PDF of the assessment's report as it stands when the task runs."""
    if (
        language not in dict(settings.LANGUAGES)
        or variant not in {"", *VARIANTS.values()}
        or kind not in KINDS
    ):
        raise ValueError(
            f"No such report: language {language!r}, variant {variant!r}, kind {kind!r}"
        )
    assessment = _assessment(assessment_uuid)
    if assessment is None:
        return {"status": "deleted"}  # deleted since it was asked for: nothing to render
    try:
        row, _pdf = produce(assessment, language, variant or None, kind=kind)
    except RenderError as error:
        logger.warning("Report %s (%s) not rendered: %s", assessment_uuid, language, error.detail)
        raise
    return {"key": row.key, "status": row.status}


@task()
def prerender_reports(assessment_uuid: str) -> dict:
    """Render every document of a submitted assessment in every language (the board
    summary and the full report, in English and Chinese), so that the first download is
    a stored file. A render someone has already asked for is not done twice (``produce``
    claims each content key once)."""
    assessment = _assessment(assessment_uuid)
    if assessment is None or assessment.is_draft:
        return {"status": "skipped"}  # deleted, or reopened since it was submitted
    done = {}
    for language, _name in settings.LANGUAGES:
        for kind in KINDS:
            try:
                row, _pdf = produce(assessment, language, None, kind=kind)
            except RenderError as error:
                logger.warning(
                    "Report %s (%s, %s) not rendered: %s",
                    assessment_uuid,
                    language,
                    kind,
                    error.detail,
                )
                done[f"{language}/{kind}"] = "failed"
            else:
                done[f"{language}/{kind}"] = row.status
    return done


def prerender_on_submission(sender, assessment, **kwargs) -> None:
    """On a submission, queue the renders of its reports, when a worker renders them: with
    the immediate backend they would hold the submitting request (a download renders its
    document when asked for instead)."""
    from .jobs import runs_in_the_request

    if not runs_in_the_request():
        prerender_reports.enqueue(str(assessment.uuid))
