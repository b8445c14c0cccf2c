"""PDF reports through Django's task interface: queued once, rendered by the real
django-tasks-db worker, stored through the file storage, failures reported, a killed
worker's job taken up again. Each test runs on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db.models import F
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from compliance.assessments.models import Answer, Assessment
from compliance.reports.jobs import stale_after
from compliance.reports.models import ReportFile
from compliance.reports.views import WAITING_LONG
from tests.factories import give
from tests.processes import DATABASE_TASKS, SharedDatabase, app_process, run_worker

ROOT = Path(__file__).resolve().parents[2]
SLOW_COMMENT = "word " * 30_000  # a few seconds of WeasyPrint: a render to interrupt


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = DATABASE_TASKS


def pdf_url(assessment) -> str:
    return reverse("assessment_report_pdf", args=[assessment.uuid])


def status_url(assessment) -> str:
    return reverse("assessment_report_status", args=[assessment.uuid])


def stored_files() -> list[str]:
    root = Path(django_settings.MEDIA_ROOT)
    return sorted(str(path.relative_to(root)) for path in root.rglob("*.pdf"))


def snapshot(assessment) -> tuple:
    """Everything a render could have changed about an assessment, were it to touch it."""
    fresh = Assessment.objects.get(pk=assessment.pk)
    answers = list(Answer.objects.filter(assessment=fresh).order_by("pk").values())
    return (fresh.status, fresh.title, fresh.last_changed_at, fresh.submitted_at, answers)


def test_the_immediate_backend_renders_in_the_request_and_stores_a_file(
    editor_client, assessment, editor
):
    give(assessment, editor.user, "policy-signed", "yes")
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 200
    pdf = response.getvalue()  # streamed from the storage: read once
    assert pdf.startswith(b"%PDF-")
    row = ReportFile.objects.get()
    assert row.status == ReportFile.Status.READY and row.attempt == 2  # queued, claimed
    assert row.file.name == f"reports/{assessment.uuid}/{row.key}.pdf"
    assert stored_files() == [row.file.name]
    assert default_storage.open(row.file.name).read() == pdf
    assert not DBTaskResult.objects.exists()


def test_the_database_backend_queues_one_task_and_shows_a_waiting_page(
    database_tasks, editor_client, assessment
):
    first = editor_client.get(pdf_url(assessment), {"lang": "en"})
    second = editor_client.get(pdf_url(assessment), {"lang": "en"})  # a second click
    for response in (first, second):
        assert response.status_code == 202
        page = response.content.decode()
        assert "Preparing your report…" in page
        assert f'hx-get="{status_url(assessment)}?lang=en&amp;shown=preparing"' in page
        assert 'hx-trigger="every 2s"' in page
        assert "no-store" in response["Cache-Control"]
    task = DBTaskResult.objects.get()
    assert task.status == "READY"
    assert task.task_path == "compliance.reports.tasks.render_report"
    assert task.args_kwargs["args"] == [str(assessment.uuid), "en", "", "full"]
    row = ReportFile.objects.get()
    assert row.status == ReportFile.Status.QUEUED and row.task_id == str(task.id)
    assert not row.file and stored_files() == []
    # Polling: nothing new is a 204, which htmx leaves alone; the page itself asks again.
    poll = editor_client.get(
        status_url(assessment), {"lang": "en", "shown": "preparing"}, HTTP_HX_REQUEST="true"
    )
    assert poll.status_code == 204
    # Without JavaScript, the status page reloads itself instead.
    page = editor_client.get(status_url(assessment), {"lang": "en"})
    assert page.status_code == 202
    refresh = f'<meta http-equiv="refresh" content="5;url={status_url(assessment)}?lang=en">'
    assert refresh in page.content.decode()
    assert DBTaskResult.objects.count() == 1


def test_a_job_nobody_takes_says_so_after_a_while(database_tasks, editor_client, assessment):
    editor_client.get(pdf_url(assessment), {"lang": "en"})
    ReportFile.objects.update(queued_at=F("queued_at") - WAITING_LONG)
    fragment = editor_client.get(
        status_url(assessment), {"lang": "en", "shown": "preparing"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    assert "Still waiting for a free worker." in fragment.content.decode()
    assert "shown=waiting" in fragment.content.decode()
    # Still waiting in the backend's queue, however long: not lost, not queued twice.
    ReportFile.objects.update(queued_at=F("queued_at") - stale_after())
    editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_renders_and_the_download_follows(database_tasks, editor_client, assessment):
    assert editor_client.get(pdf_url(assessment), {"lang": "zh-hans"}).status_code == 202
    run_worker()
    task = DBTaskResult.objects.get()
    assert task.status == "SUCCESSFUL", task.traceback
    row = ReportFile.objects.get()
    assert task.return_value == {"key": row.key, "status": "ready"}
    assert row.status == ReportFile.Status.READY and stored_files() == [row.file.name]

    fragment = editor_client.get(
        status_url(assessment), {"lang": "zh-hans", "shown": "preparing"}, HTTP_HX_REQUEST="true"
    )
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert 'id="report-download"' in html and f'href="{pdf_url(assessment)}?lang=zh-hans"' in html
    assert "hx-trigger" not in html  # polling stops

    download = editor_client.get(pdf_url(assessment), {"lang": "zh-hans"})
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert download.getvalue() == default_storage.open(row.file.name).read()
    assert download["ETag"] == f'"{row.key}"'
    assert download["Content-Disposition"] == 'attachment; filename="2026-zh-hans.pdf"'
    again = editor_client.get(
        pdf_url(assessment), {"lang": "zh-hans"}, HTTP_IF_NONE_MATCH=download["ETag"]
    )
    assert again.status_code == 304
    assert DBTaskResult.objects.count() == 1  # nothing queued again


@pytest.mark.django_db(transaction=True)
def test_a_submission_has_its_reports_rendered_before_anyone_asks(
    database_tasks, editor_client, assessment, editor
):
    """With workers, submitting queues the renders of both documents in both languages;
    each first download is then a stored file, not a waiting page. (Committed for real:
    the submission's signal follows the commit, and the worker, as workers do, drops a
    connection left inside a transaction.)"""
    from compliance.assessments.services import submit
    from tests.factories import answer_all

    answer_all(assessment, editor.user)
    submit(assessment, editor.user)
    task = DBTaskResult.objects.get()
    assert task.task_path == "compliance.reports.tasks.prerender_reports"
    run_worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    rows = ReportFile.objects.filter(assessment=assessment, status=ReportFile.Status.READY)
    assert sorted(rows.values_list("language", "kind")) == [
        ("en", "board"),
        ("en", "full"),
        ("zh-hans", "board"),
        ("zh-hans", "full"),
    ]
    for params in ({"lang": "en"}, {"lang": "zh-hans", "variant": "board"}):
        download = editor_client.get(pdf_url(assessment), params)
        assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert DBTaskResult.objects.count() == 1  # nothing queued by the downloads


def test_with_the_immediate_backend_a_submission_renders_nothing(
    editor_client, assessment, editor, django_capture_on_commit_callbacks
):
    """Renders inside the request would hold the submission: a download renders its
    document when asked for instead."""
    from compliance.assessments.services import submit
    from tests.factories import answer_all

    answer_all(assessment, editor.user)
    with django_capture_on_commit_callbacks(execute=True):
        submit(assessment, editor.user)
    assert not ReportFile.objects.exists()


def test_a_failed_render_leaves_the_assessment_alone_and_offers_a_retry(
    settings, editor_client, assessment, editor
):
    give(assessment, editor.user, "policy-signed", "yes")
    before = snapshot(assessment)
    settings.REPORT_RENDER_TIMEOUT = 0.001
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 503
    page = response.content.decode()
    assert "Rendering the report took too long." in page
    assert "Your assessment is unchanged." in page
    retry = f"{pdf_url(assessment)}?lang=en&amp;retry=1"
    assert f'href="{retry}"' in page
    row = ReportFile.objects.get()
    assert row.status == ReportFile.Status.FAILED and row.failure == ReportFile.Failure.TIMEOUT
    assert not row.file and stored_files() == []
    assert snapshot(assessment) == before
    # Asking again does not render again by itself: the failure stands until a retry.
    assert editor_client.get(pdf_url(assessment), {"lang": "en"}).status_code == 503

    settings.REPORT_RENDER_TIMEOUT = 120
    retried = editor_client.get(pdf_url(assessment), {"lang": "en", "retry": "1"})
    assert retried.status_code == 302 and retried["Location"] == f"{pdf_url(assessment)}?lang=en"
    served = editor_client.get(retried["Location"])
    assert served.status_code == 200 and served.getvalue().startswith(b"%PDF-")
    assert snapshot(assessment) == before


def test_the_failure_message_follows_the_pages_language(settings, client, editor, assessment):
    editor.user.preferred_language = "zh-hans"
    editor.user.save()
    client.force_login(editor.user)
    settings.REPORT_RENDER_TIMEOUT = 0.001
    page = client.get(pdf_url(assessment), {"lang": "en"}).content.decode()
    assert "报告生成超时。" in page and "took too long" not in page


@pytest.mark.django_db(transaction=True)
def test_a_failed_render_in_the_worker_is_shown_and_retried_once(
    database_tasks, settings, editor_client, assessment, editor
):
    give(assessment, editor.user, "policy-signed", "yes")
    before = snapshot(assessment)
    settings.REPORT_RENDER_TIMEOUT = 0.001
    editor_client.get(pdf_url(assessment), {"lang": "en"})
    run_worker()
    failed_task = DBTaskResult.objects.get()
    assert failed_task.status == "FAILED"
    assert failed_task.exception_class_path == "compliance.reports.pdf.RenderError"
    assert snapshot(assessment) == before

    fragment = editor_client.get(
        status_url(assessment), {"lang": "en", "shown": "preparing"}, HTTP_HX_REQUEST="true"
    ).content.decode()
    assert "Rendering the report took too long." in fragment and 'id="report-retry"' in fragment
    assert editor_client.get(pdf_url(assessment), {"lang": "en"}).status_code == 503

    settings.REPORT_RENDER_TIMEOUT = 120
    for _click in range(2):  # a double click on "Try again" queues one task
        retried = editor_client.get(pdf_url(assessment), {"lang": "en", "retry": "1"})
        assert retried.status_code == 302
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert editor_client.get(retried["Location"]).status_code == 202
    run_worker()
    assert ReportFile.objects.get().status == ReportFile.Status.READY
    assert editor_client.get(retried["Location"]).status_code == 200


@pytest.mark.django_db(transaction=True)
def test_stale_renders_are_deleted_with_their_files(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes")
    editor_client.get(pdf_url(assessment), {"lang": "en"})
    old = ReportFile.objects.get()
    give(assessment, editor.user, "policy-signed", "no")
    editor_client.get(pdf_url(assessment), {"lang": "en"})
    new = ReportFile.objects.get()
    assert new.key != old.key
    assert stored_files() == [new.file.name]
    Assessment.objects.filter(pk=assessment.pk).delete()
    assert not ReportFile.objects.exists() and stored_files() == []


@pytest.mark.django_db(transaction=True)
def test_a_file_gone_from_the_storage_is_rendered_again(editor_client, assessment):
    first = editor_client.get(pdf_url(assessment), {"lang": "en"})
    default_storage.delete(ReportFile.objects.get().file.name)
    second = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert second.status_code == 200 and second["ETag"] == first["ETag"]
    assert stored_files() == [ReportFile.objects.get().file.name]


CLICK = """
import time
from pathlib import Path
from compliance.assessments.models import Assessment
from compliance.reports.jobs import request_report
assessment = Assessment.objects.select_related(
    "organisation", "version__questionnaire"
).get(uuid="{uuid}")
folder = Path("{folder}")
(folder / "ready-{n}").touch()
while len(list(folder.glob("ready-*"))) < {clicks}:
    time.sleep(0.005)
request_report(assessment, "en", None, "{key}")
"""


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_clicks_in_several_processes_queue_one_task(
    database_tasks, assessment, tmp_path
):
    from compliance.reports.pdf import prepare

    key = prepare(assessment, "en", None).key
    shared = SharedDatabase(tmp_path)
    shared.publish()
    clicks = 4
    processes = [
        app_process(
            [
                "shell",
                "-v0",
                "-c",
                CLICK.format(uuid=assessment.uuid, folder=tmp_path, n=n, clicks=clicks, key=key),
            ],
            shared,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for n in range(clicks)
    ]
    outputs = [process.communicate(timeout=120)[0].decode() for process in processes]
    assert [process.returncode for process in processes] == [0] * clicks, outputs
    shared.take_back()
    assert ReportFile.objects.count() == 1
    assert DBTaskResult.objects.count() == 1
    assert ReportFile.objects.get().task_id == str(DBTaskResult.objects.get().id)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_render_leaves_the_job_to_be_taken_up_again(
    database_tasks, settings, editor_client, assessment, editor, tmp_path
):
    give(assessment, editor.user, "policy-signed", "yes", comment=SLOW_COMMENT)
    assert editor_client.get(pdf_url(assessment), {"lang": "en"}).status_code == 202
    shared = SharedDatabase(tmp_path)
    shared.publish()

    # A real `manage.py db_worker` process takes the job and is killed (SIGKILL, as by the
    # out-of-memory killer or a lost machine) in the middle of the render.
    log = (tmp_path / "worker.log").open("w+")
    worker = app_process(
        ["db_worker", "--no-reload", "--no-startup-delay"],
        shared,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while shared.render_status() != ReportFile.Status.RUNNING:
            assert worker.poll() is None, "the worker stopped"
            assert time.monotonic() < deadline, "the worker did not start the render"
            time.sleep(0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the worker and its render child
        worker.wait()
        log.seek(0)
        output = log.read()
        log.close()
    shared.take_back()

    # What django-tasks-db really leaves: the task "RUNNING" for good (it never re-runs a
    # task), the job "running", no file.
    task = DBTaskResult.objects.get()
    assert task.status == "RUNNING", output
    assert len(task.worker_ids) == 1
    row = ReportFile.objects.get()
    assert row.status == ReportFile.Status.RUNNING and not row.file, output
    assert stored_files() == []

    # Within the render's time limit the job may still be alive: wait, queue nothing.
    assert editor_client.get(pdf_url(assessment), {"lang": "en"}).status_code == 202
    assert DBTaskResult.objects.count() == 1

    # Past the time limit and its grace, no live worker holds it: the next request
    # queues it again, once, and a worker renders it.
    ReportFile.objects.update(started_at=F("started_at") - stale_after() - timedelta(seconds=1))
    for _click in range(2):
        assert editor_client.get(pdf_url(assessment), {"lang": "en"}).status_code == 202
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    run_worker()
    row.refresh_from_db()
    assert row.status == ReportFile.Status.READY and row.attempt == 4
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 200 and response.getvalue().startswith(b"%PDF-")
    assert stored_files() == [row.file.name]
