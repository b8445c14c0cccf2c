"""The database going away mid-request: a clean error page, and no half-written save.

On PostgreSQL the fault is real: just before the chosen statement, a second connection
terminates the server process of the request's connection (``pg_terminate_backend``), so
the statement goes to a database that is no longer there. SQLite has no server to stop;
there the chosen statement fails with the error a failing disk gives.

The section save and the submission are tried with the fault at every statement the
request runs, one after the other: each time the response is the app's own error page,
and the assessment holds either everything the request wrote or nothing of it.
"""

import time
from datetime import date

import pytest
from django.db import OperationalError, close_old_connections, connection, connections
from django.test import Client
from django.urls import reverse

from compliance.assessments.models import Answer, Assessment, AssessmentEvent, HistoricalAnswer
from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
)
from compliance.questionnaires.selectors import load_version
from tests.processes import run_python

ERROR_PAGE = "Something went wrong on our side"
WRITES = ("INSERT", "UPDATE", "DELETE")


def terminate_backend(victim) -> None:
    """Stop the PostgreSQL server process of ``victim``, from another connection, and wait
    until it is gone."""
    pid = victim.connection.info.backend_pid
    killer = connections.create_connection(victim.alias)
    try:
        with killer.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
            for _ in range(500):
                cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
                if cursor.fetchone() is None:
                    return
                time.sleep(0.01)
    finally:
        killer.close()
    raise AssertionError(f"PostgreSQL backend {pid} is still running")


class Fault:
    """An execute wrapper: the database fails at statement number ``at`` (from 1); with
    ``at=0`` it only records the statements, and after how many of them each commit came."""

    def __init__(self, at: int = 0) -> None:
        self.at = at
        self.statements: list[str] = []
        self.commits: list[int] = []

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        if len(self.statements) == self.at:
            db = context["connection"]
            if db.vendor == "postgresql":
                terminate_backend(db)
            else:
                raise OperationalError("disk I/O error")
        return execute(sql, params, many, context)


def request_with(fault: Fault, send):
    commit = connection.commit

    def recorded_commit():
        fault.commits.append(len(fault.statements))
        return commit()

    connection.commit = recorded_commit  # the outermost atomic block ends with it
    try:
        with connection.execute_wrapper(fault):
            response = send()
    finally:
        del connection.commit
    # What Django does at the end of every request (the test client leaves it out): a
    # connection that failed is closed, and the next request opens a new one.
    close_old_connections()
    return response


def state(assessment) -> dict:
    """What a request may have written to the assessment (no ids, no times)."""
    row = Assessment.objects.get(pk=assessment.pk)
    return {
        "status": row.status,
        "result": row.result,
        "progress": (row.answered_count, row.applicable_count),
        "answers": sorted(
            Answer.objects.filter(assessment=row).values_list(
                "question__code", "choice_codes", "value_date", "comment", "revision"
            )
        ),
        "history": HistoricalAnswer.objects.filter(assessment_id=row.pk).count(),
        "events": sorted(
            AssessmentEvent.objects.filter(assessment=row).values_list("kind", flat=True)
        ),
    }


def started(editor, version) -> Assessment:
    """An assessment with one answer already given (so that a save creates and updates)."""
    assessment = create_assessment(
        organisation=editor.organisation, version=version, title="FY2026", user=editor.user
    )
    lists = load_version(version).questions["lists"]
    save_answers(
        assessment,
        [Submitted(lists, AnswerInput(choice_codes=("controlled",)), None)],
        editor.user,
    )
    return assessment


def completed(editor, version) -> Assessment:
    """An assessment with every question answered, ready to submit."""
    assessment = started(editor, version)
    content = load_version(version)
    given = {
        "policy-signed": AnswerInput(choice_codes=("yes",)),
        "policy-maturity": AnswerInput(choice_codes=("l1",)),
        "lists": AnswerInput(choice_codes=("controlled", "watch")),
        "watch-process": AnswerInput(choice_codes=("partial",)),
        "last-audit": AnswerInput(value_date=date(2026, 1, 15)),
    }
    save_answers(
        assessment,
        [Submitted(content.questions[code], value, None) for code, value in given.items()],
        editor.user,
    )
    return assessment


def save_section(client, assessment):
    return client.post(
        reverse("assessment_section", args=[assessment.uuid, 2]),
        {
            "lists-answer": ["controlled", "watch"],
            "lists-comment": "每周筛查一次。",
            "watch-process-answer": "yes",
            "watch-process-comment": "由合规专员负责。",
            "last-audit-answer": "2026-01-15",
        },
    )


def submit(client, assessment):
    return client.post(reverse("assessment_submit", args=[assessment.uuid]))


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("prepare", "send", "success"),
    [(started, save_section, 302), (completed, submit, 302)],
    ids=["section save", "submission"],
)
def test_the_database_failing_at_any_statement_gives_an_error_page_and_no_partial_write(
    editor, sample_version, prepare, send, success
):
    client = Client(raise_request_exception=False)
    client.force_login(editor.user)

    # Without a fault: what the request writes, and the statements it runs.
    assert send(client, prepare(editor, sample_version)).status_code == success  # warms up
    assessment = prepare(editor, sample_version)
    nothing = state(assessment)
    clean = Fault()
    assert request_with(clean, lambda: send(client, assessment)).status_code == success
    everything = state(assessment)
    assert everything != nothing
    statements = clean.statements
    last_write = max(i for i, sql in enumerate(statements, 1) if sql.lstrip().startswith(WRITES))
    first_write = min(i for i, sql in enumerate(statements, 1) if sql.lstrip().startswith(WRITES))
    assert first_write < last_write  # the request writes more than once: partial writes exist
    # The commit of the transaction that holds the writes; reads may come before it (the
    # webhooks' outbox looks for endpoints in the same transaction) and after it.
    committed = min(count for count in clean.commits if count >= last_write)

    for at in range(1, len(statements) + 1):
        assessment = prepare(editor, sample_version)
        assert state(assessment) == nothing
        fault = Fault(at)
        response = request_with(fault, lambda a=assessment: send(client, a))
        where = f"fault at statement {at}: {statements[at - 1][:80]}"
        assert fault.statements[at - 1] == statements[at - 1], where
        assert response.status_code == 500, where
        page = response.content.decode()
        assert ERROR_PAGE in page and "Traceback" not in page, where
        assert "500.html" in [t.name for t in response.templates], where
        # Up to its commit the request's transaction is undone; after it, kept whole.
        assert state(assessment) == (nothing if at <= committed else everything), where

    # And the app carries on as if nothing had happened.
    assessment = prepare(editor, sample_version)
    assert send(client, assessment).status_code == success
    assert state(assessment) == everything


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_while_the_database_is_gone_and_200_once_it_is_back(client):
    assert client.get("/healthz").status_code == 200
    response = request_with(Fault(at=1), lambda: client.get("/healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}
    assert client.get("/healthz").status_code == 200


def test_healthz_answers_503_when_the_postgresql_server_cannot_be_reached():
    # Nothing listens on port 9 (discard) of the loopback address.
    result = run_python(
        "import json\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='127.0.0.1')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n",
        DEBUG="1",
        DATABASE_URL="postgres://app:app@127.0.0.1:9/app",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == (
        '{"status": 503, "body": {"status": "error", "database": "unavailable"}}'
    )
