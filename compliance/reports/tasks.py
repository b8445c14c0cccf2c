"""The background task that renders a report's PDF, and how a request asks for it.

Tasks go through Django's task interface (the django-tasks backport; ``django.tasks`` from
Django 6), so the backend is a setting (``TASK_BACKEND``): with the immediate backend the
render runs inside the request that asks for it; with the database backend it waits in
the database until a ``manage.py db_worker`` process on any machine takes it.

A ``ReportFile`` row per content key is the job as the app sees it, so that a report is
asked for once however many people click at the same time: only the request that creates
the row (or moves it back to ``queued``) enqueues a task.

django-tasks-db 0.13 never runs a task twice: when a worker dies mid-task (killed,
out of memory, machine lost), its task result stays ``RUNNING`` for good. The app does not
rely on it coming back. A job that nobody will finish is *lost*, and the next request for
the report queues it again:
- ``running`` for longer than the render time limit plus a grace period (``pdf.is_stale``):
  a live worker always records an outcome within that time;
- ``queued`` for as long, when the backend says its task is no longer waiting (it ran
  without rendering this row, it was deleted, or it never got enqueued).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from compliance.assessments.models import Assessment

from .models import RenderSlot, ReportFile
from .pdf import VARIANTS, RenderError, is_stale, produce, stale_after

logger = logging.getLogger(__name__)


@task()
def render_report(assessment_uuid: str, language: str, variant: str = "") -> dict:
    """Render and store the PDF of the assessment's report as it stands when the task runs."""
    if language not in dict(settings.LANGUAGES) or variant not in {"", *VARIANTS.values()}:
        raise ValueError(f"No such report: language {language!r}, variant {variant!r}")
    assessment = (
        Assessment.objects.select_related("organisation", "version__questionnaire")
        .filter(uuid=assessment_uuid)
        .first()
    )
    if assessment is None:
        return {"status": "deleted"}  # deleted since it was asked for: nothing to render
    try:
        row, _pdf = produce(assessment, language, variant or None)
    except RenderError as error:
        logger.warning("Report %s (%s) not rendered: %s", assessment_uuid, language, error.detail)
        raise
    return {"key": row.key, "status": row.status}


def is_lost(row: ReportFile, now=None) -> bool:
    """A queued or running job that nobody will finish, so it may be queued again."""
    now = now or timezone.now()
    if row.status == ReportFile.Status.RUNNING:
        return is_stale(row, now)
    if row.status != ReportFile.Status.QUEUED:
        return False
    if row.queued_at and row.queued_at > now - stale_after():
        return False
    if not row.task_id:
        return True  # the request that queued it stopped before the task was enqueued
    if not render_report.get_backend().supports_get_result:
        return True
    try:
        result = render_report.get_result(row.task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return True
    return result.status != TaskResultStatus.READY


def runs_in_the_request() -> bool:
    """Whether renders run inside the web request (the immediate backend)."""
    return isinstance(render_report.get_backend(), ImmediateBackend)


def must_wait(assessment, user, key: str) -> bool:
    """Whether a new render of ``key`` has to wait for others to finish first.

    One render at a time per assessment and per person (a respondent alternating "save"
    and "download" asks for a new report each time; the next one starts when the current
    one is done, and the page that waits says so). Lost jobs do not count."""
    busy = ReportFile.objects.filter(
        status__in=[ReportFile.Status.QUEUED, ReportFile.Status.RUNNING]
    ).exclude(key=key)
    mine = Q(assessment=assessment)
    if user is not None and user.is_authenticated:
        mine |= Q(requested_by=user)
    now = timezone.now()
    return any(not is_lost(row, now) for row in busy.filter(mine))


def take_render_slot(key: str) -> int | None:
    """A web render slot for ``key`` (its number), or None when all are taken."""
    now = timezone.now()
    for number in range(1, settings.REPORT_WEB_RENDERS + 1):
        RenderSlot.objects.get_or_create(pk=number)
        free = Q(key="") | Q(taken_at__lt=now - stale_after())
        if RenderSlot.objects.filter(free, pk=number).update(key=key, taken_at=now):
            return number
    return None


def release_render_slot(number: int, key: str) -> None:
    RenderSlot.objects.filter(pk=number, key=key).update(key="", taken_at=None)


def request_report(
    assessment,
    language: str,
    variant: str | None,
    key: str,
    *,
    retry: bool = False,
    user=None,
) -> ReportFile | None:
    """The job of the report's content ``key``, enqueued when nobody has asked for it yet.

    Enqueues a task when the row is new, when it is lost, or when ``retry`` is set and it
    failed; concurrent requests race on the row (a unique key, a conditional update), so
    one task is enqueued however many ask. With the immediate backend the task has run
    when this returns. ``None`` when the render found newer content and replaced this row,
    or when it has to wait (``must_wait``, or every web render slot is taken): the page
    then shows that the report is being prepared, and asks again.
    """
    now = timezone.now()
    existing = ReportFile.objects.filter(key=key).first()
    if existing is None and must_wait(assessment, user, key):
        return None
    slot = None
    if runs_in_the_request() and (existing is None or _wanted(existing, retry, now)):
        slot = take_render_slot(key)
        if slot is None:
            return existing
    try:
        return _request(assessment, language, variant, key, retry, user, now)
    finally:
        if slot is not None:
            release_render_slot(slot, key)


def _wanted(row: ReportFile, retry: bool, now) -> bool:
    return (retry and row.status == ReportFile.Status.FAILED) or is_lost(row, now)


def _request(assessment, language, variant, key, retry, user, now) -> ReportFile | None:
    row, created = ReportFile.objects.get_or_create(
        key=key,
        defaults={
            "assessment": assessment,
            "language": language,
            "variant": variant or "",
            "status": ReportFile.Status.QUEUED,
            "attempt": 1,
            "queued_at": now,
            "requested_by": user if user is not None and user.is_authenticated else None,
        },
    )
    if not created:
        if not _wanted(row, retry, now):
            return row
        queued = ReportFile.objects.filter(
            pk=row.pk, status=row.status, attempt=row.attempt
        ).update(
            status=ReportFile.Status.QUEUED,
            attempt=F("attempt") + 1,
            queued_at=now,
            started_at=None,
            finished_at=None,
            failure="",
            error="",
            task_id="",
        )
        if not queued:  # another request was quicker
            return ReportFile.objects.filter(pk=row.pk).first()
    result = render_report.enqueue(str(assessment.uuid), language, variant or "")
    ReportFile.objects.filter(pk=row.pk).update(task_id=result.id)
    return ReportFile.objects.filter(pk=row.pk).first()
