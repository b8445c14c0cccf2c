"""The render job of a report's PDF: one state machine for every process.

A ``ReportFile`` row per content key is the job as the app sees it: ``queued`` when a
request asks for a report whose content has no PDF yet (``request_report``), ``running``
when a process claims it to render (``produce``), then ``ready`` or ``failed``. Every
move is one conditional update on the row's status and attempt (``_move``), so that
however many requests and workers race, one queues and one renders; a render records its
outcome only while the row still carries the attempt it claimed.

django-tasks-db 0.13 never runs a task twice: when a worker dies mid-task, its task
result stays ``RUNNING`` for good. The app does not rely on it coming back. A job that
nobody will finish is *lost*, and the next request for the report queues it again:
- ``running`` for longer than the render time limit plus ``STALE_GRACE`` (``is_stale``):
  a live process always records an outcome within that time;
- ``queued`` for as long, when the backend says its task is no longer waiting (it ran
  without rendering this row, it was deleted, or it never got enqueued).

Renders are limited: one at a time per assessment and per person, and with the
immediate backend at most ``REPORT_WEB_RENDERS`` at once across the web processes.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import F, Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch

from .models import RenderSlot, ReportFile
from .pdf import FULL, PreparedReport, RenderError, prepare, write_pdf

#: Seconds beyond REPORT_RENDER_TIMEOUT for storing the file and recording the outcome;
#: a render still running after both belongs to a process that died.
STALE_GRACE = 60


def stale_after() -> timedelta:
    """How long a render may be running before it is taken for dead."""
    return timedelta(seconds=settings.REPORT_RENDER_TIMEOUT + STALE_GRACE)


def is_stale(row: ReportFile, now: datetime | None = None) -> bool:
    """A running render that no live process will finish."""
    now = now or timezone.now()
    return row.status == ReportFile.Status.RUNNING and (
        row.started_at is None or row.started_at < now - stale_after()
    )


def _move(
    assessment,
    language: str,
    variant: str | None,
    key: str,
    to: str,
    wanted,
    user=None,
    kind: str = FULL,
) -> tuple[ReportFile, bool]:
    """The row of ``key``, created in state ``to``, or moved to it when ``wanted(row)``;
    and whether this call made the move (the one that must act on it). The move is a
    conditional update on the status and attempt the row had: of processes racing for
    it, one wins; the others get the row as the winner left it."""
    now = timezone.now()
    times = {"queued_at": now, "started_at": now if to == ReportFile.Status.RUNNING else None}
    row, created = ReportFile.objects.get_or_create(
        key=key,
        defaults={
            "assessment": assessment,
            "language": language,
            "variant": variant or "",
            "kind": kind,
            "status": to,
            "attempt": 1,
            "requested_by": user if user is not None and user.is_authenticated else None,
            **times,
        },
    )
    row.assessment = assessment
    if created:
        return row, True
    if not wanted(row, now):
        return row, False
    if to == ReportFile.Status.RUNNING:
        times = {"started_at": now}
    moved = ReportFile.objects.filter(pk=row.pk, status=row.status, attempt=row.attempt).update(
        status=to,
        attempt=F("attempt") + 1,
        finished_at=None,
        failure="",
        error="",
        **times,
        **({"task_id": ""} if to == ReportFile.Status.QUEUED else {}),
    )
    row.refresh_from_db()
    row.assessment = assessment  # the refresh dropped it; the stored file's name needs it
    return row, bool(moved)


def _claimable(row: ReportFile, now) -> bool:
    """Queued, or running in a process that died: ready, failed and live ones are not."""
    return row.status == ReportFile.Status.QUEUED or is_stale(row, now)


def produce(
    assessment,
    language: str,
    variant: str | None = None,
    *,
    kind: str = FULL,
    prepared: PreparedReport | None = None,
) -> tuple[ReportFile, bytes | None]:
    """Render and store the report's PDF, unless it is stored or being rendered elsewhere.

    Returns the row of the report's current content key and, when this call rendered it,
    the PDF. A failed render is recorded on the row (``failed``, with the reason) and
    raises ``RenderError``; the assessment itself is never touched.
    """
    prepared = prepared or prepare(assessment, language, variant, kind)
    key = prepared.key
    row, claimed = _move(
        assessment, language, variant, key, ReportFile.Status.RUNNING, _claimable, kind=kind
    )
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
    """Keep one PDF per assessment, language, variant and kind: the newest ready one.

    Renders of older content (asked for before it), ready or not, are deleted with their
    files; a render in progress of older content then finds its row gone and discards
    its own file.
    """
    renders = ReportFile.objects.filter(
        assessment_id=row.assessment_id, language=row.language, variant=row.variant, kind=row.kind
    )
    newest = renders.filter(status=ReportFile.Status.READY).order_by("-requested_at", "-pk").first()
    if newest is not None:
        renders.exclude(pk=newest.pk).filter(
            Q(requested_at__lte=newest.requested_at) | Q(status=ReportFile.Status.READY)
        ).delete()


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
    from .tasks import render_report  # the task module imports this one

    if not render_report.get_backend().supports_get_result:
        return True
    try:
        result = render_report.get_result(row.task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch):
        return True
    return result.status != TaskResultStatus.READY


def runs_in_the_request() -> bool:
    """Whether renders run inside the web request (the immediate backend)."""
    from .tasks import render_report  # the task module imports this one

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
    kind: str = FULL,
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
        return _request(assessment, language, variant, key, retry, user, now, kind)
    finally:
        if slot is not None:
            release_render_slot(slot, key)


def _wanted(row: ReportFile, retry: bool, now) -> bool:
    return (retry and row.status == ReportFile.Status.FAILED) or is_lost(row, now)


def _enqueue(row: ReportFile) -> ReportFile | None:
    from .tasks import render_report  # the task module imports this one

    result = render_report.enqueue(str(row.assessment.uuid), row.language, row.variant, row.kind)
    ReportFile.objects.filter(pk=row.pk).update(task_id=result.id)
    return ReportFile.objects.filter(pk=row.pk).first()


def _request(assessment, language, variant, key, retry, user, now, kind) -> ReportFile | None:
    row, queued = _move(
        assessment,
        language,
        variant,
        key,
        ReportFile.Status.QUEUED,
        lambda row, now: _wanted(row, retry, now),
        user,
        kind,
    )
    if not queued:
        return row
    return _enqueue(row)


def rerender_lost_file(row: ReportFile, user=None) -> ReportFile | None:
    """A ready row whose file has gone from the storage: the row is forgotten and the
    report asked for again (rendered now with the immediate backend)."""
    assessment, language, variant, key = row.assessment, row.language, row.variant, row.key
    ReportFile.objects.filter(pk=row.pk, status=ReportFile.Status.READY).delete()
    return request_report(assessment, language, variant or None, key, user=user, kind=row.kind)
