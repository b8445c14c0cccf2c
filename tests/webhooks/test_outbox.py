"""Queued after commit, sent signed to a real loopback receiver, retried, given up."""

import json
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from compliance.webhooks import outbox
from compliance.webhooks.models import Delivery, Endpoint
from compliance.webhooks.signing import HEADER, verify
from tests.factories import OrganisationFactory
from tests.webhooks.test_delivery import Receiver, receiver, url  # noqa: F401 (fixture)


@pytest.fixture
def allowed(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "::1/128"]
    settings.WEBHOOK_ALLOW_HTTP = True
    settings.WEBHOOK_TIMEOUT = 1


@pytest.fixture
def endpoint(db, receiver, allowed):  # noqa: F811
    return Endpoint.objects.create(
        organisation=OrganisationFactory(), url=url(receiver), events=["ping", "action.overdue"]
    )


def test_a_delivery_is_sent_after_commit_signed(endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(endpoint.organisation, "ping", "ping-1", {"hello": "world"})
        assert Receiver.seen == []  # nothing before the commit
    [(_path, headers, body)] = Receiver.seen
    assert verify(endpoint.secret, body, headers[HEADER])
    assert headers["X-Webhook-Delivery"] == str(row.uuid)
    assert json.loads(body)["data"] == {"hello": "world"}
    row.refresh_from_db()
    assert (row.status, row.last_status_code, row.attempts) == ("delivered", 200, 1)


def test_an_event_is_told_once_per_key(endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        outbox.queue(endpoint.organisation, "action.overdue", "a1", {})
        outbox.queue(endpoint.organisation, "action.overdue", "a1", {})
    assert len(Receiver.seen) == 1 and Delivery.objects.count() == 1


def test_an_event_the_endpoint_does_not_want_is_not_queued(endpoint):
    assert outbox.queue(endpoint.organisation, "assessment.approved", "x", {}) == []


def test_a_500_forever_is_retried_with_backoff_then_given_up(
    endpoint, settings, django_capture_on_commit_callbacks
):
    Receiver.behaviour = "error"
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(endpoint.organisation, "ping", "p", {})
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_status_code) == ("retrying", 1, 500)
    first_wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < first_wait <= timedelta(minutes=1)
    assert outbox.deliver(row.pk) is False and len(Receiver.seen) == 1  # not due yet
    for attempts in (2, 3):
        Delivery.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now())
        outbox.deliver(row.pk)
        row.refresh_from_db()
        assert row.attempts == attempts
    assert row.status == "given_up" and len(Receiver.seen) == 3
    assert outbox.retry_delay(2) == timedelta(minutes=2)
    assert outbox.retry_delay(20) == timedelta(hours=6)


def test_a_receiver_that_hangs_is_a_recorded_failure(endpoint, django_capture_on_commit_callbacks):
    Receiver.behaviour = "hang"
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(endpoint.organisation, "ping", "p", {})
    row.refresh_from_db()
    assert row.status == "retrying" and row.last_error == "timeout|"
    assert row.error_text() == "No complete answer within the time allowed."


def test_an_endpoint_on_a_private_network_is_refused_at_delivery(
    db, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_ALLOW_HTTP = True
    endpoint = Endpoint.objects.create(
        organisation=OrganisationFactory(), url="http://169.254.169.254/", events=["ping"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(endpoint.organisation, "ping", "p", {})
    row.refresh_from_db()
    assert row.status == "retrying" and "private, local or reserved" in row.error_text()
    assert row.error_text().startswith("The address was refused: ")


def test_send_again(endpoint, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(endpoint.organisation, "ping", "p", {})
    with django_capture_on_commit_callbacks(execute=True):
        outbox.send_again(row)
    assert len(Receiver.seen) == 2
    row.refresh_from_db()
    assert row.status == "delivered"


@pytest.mark.django_db(transaction=True)  # the worker opens and closes connections itself
def test_with_the_database_backend_a_failure_queues_its_next_attempt(endpoint, settings):
    from django_tasks_db.models import DBTaskResult

    from tests.processes import DATABASE_TASKS, run_worker

    settings.TASKS = DATABASE_TASKS
    Receiver.behaviour = "error"
    with transaction.atomic():
        [row] = outbox.queue(endpoint.organisation, "ping", "p", {})
    assert Receiver.seen == []  # queued for a worker, not sent in the request
    run_worker()
    row.refresh_from_db()
    assert (row.status, row.attempts) == ("retrying", 1)
    waiting = DBTaskResult.objects.filter(status="READY").get()
    assert waiting.run_after == row.next_attempt_at


def test_a_closed_port_and_a_500_are_worded_for_the_owner(
    db,
    allowed,
    receiver,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    import socket

    from django.utils import translation

    with socket.socket() as spare:  # a port nobody listens on once this closes
        spare.bind(("127.0.0.1", 0))
        closed = spare.getsockname()[1]
    organisation = OrganisationFactory()
    Endpoint.objects.create(
        organisation=organisation, url=f"http://127.0.0.1:{closed}/", events=["ping"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(organisation, "ping", "p", {})
    row.refresh_from_db()
    assert row.last_error.startswith("connection|")
    assert row.error_text().startswith("The connection failed: ")
    with translation.override("zh-hans"):
        assert row.error_text().startswith("连接失败")
    Receiver.behaviour = "error"
    other = OrganisationFactory()
    Endpoint.objects.create(organisation=other, url=url(receiver), events=["ping"])
    with django_capture_on_commit_callbacks(execute=True):
        [row] = outbox.queue(other, "ping", "q", {})
    row.refresh_from_db()
    assert row.error_text() == "The receiver answered with an error: HTTP 500"
