"""The outbox of the workflow e-mails: sent once the transaction commits, in each
recipient's language; a failed send is recorded and tried again, never undoing the change
that queued it, and never sending an e-mail twice."""

import logging
import smtplib
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from compliance.notifications import outbox
from compliance.notifications.models import MailKind, OutgoingMail, SentMail
from compliance.notifications.tasks import deliver_mail
from tests.factories import UserFactory
from tests.processes import DATABASE_TASKS

LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
FAILING = "tests.notifications.test_outbox.UnreachableMailServer"
CONTEXT = {
    "assessment_title": "ICP 2026",
    "organisation_name": "Exporter Ltd.",
    "actor_name": "Anna Chen",
    "note": "",
    "url": "https://example.org/assessments/1/",
}


class UnreachableMailServer(BaseEmailBackend):
    """An e-mail backend whose server refuses every message."""

    def send_messages(self, email_messages):
        raise smtplib.SMTPException("The mail server is down.")


def request_review(users, *, dedupe_key: str = "", **context) -> list[OutgoingMail]:
    return outbox.queue(
        MailKind.REVIEW_REQUESTED,
        users,
        "review_requested",
        {**CONTEXT, **context},
        site="https://example.org",
        dedupe_key=dedupe_key,
    )


def make_due() -> None:
    """Move the clock on: every unsent e-mail's next attempt is due."""
    OutgoingMail.objects.update(next_attempt_at=timezone.now() - timedelta(seconds=1))


@pytest.mark.django_db(transaction=True)
def test_a_change_rolled_back_queues_and_sends_nothing():
    reviewer = UserFactory()
    with pytest.raises(RuntimeError), transaction.atomic():
        request_review([reviewer])
        raise RuntimeError("The state change failed.")
    assert not OutgoingMail.objects.exists()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_mail_goes_after_the_commit_in_each_recipients_language():
    english = UserFactory(email="en@example.com", preferred_language="en")
    chinese = UserFactory(email="zh@example.com", preferred_language="zh-hans")
    with transaction.atomic():
        request_review([english, chinese])
        assert mail.outbox == []  # nothing before the commit
    sent = {message.to[0]: message for message in mail.outbox}
    assert sent.keys() == {"en@example.com", "zh@example.com"}
    assert sent["en@example.com"].subject == "Review requested: ICP 2026 (Exporter Ltd.)"
    assert sent["zh@example.com"].subject == "请审阅：ICP 2026（Exporter Ltd.）"
    assert sent["zh@example.com"].extra_headers["Content-Language"] == "zh-hans"
    assert "https://example.org/assessments/1/" in sent["zh@example.com"].body
    assert "Anna Chen submitted the assessment “ICP 2026”" in sent["en@example.com"].body
    assert not OutgoingMail.objects.filter(sent_at__isnull=True).exists()
    assert sorted(SentMail.objects.values_list("kind", "recipient", "sent_by")) == [
        (MailKind.REVIEW_REQUESTED, "en@example.com", None),
        (MailKind.REVIEW_REQUESTED, "zh@example.com", None),
    ]


@pytest.mark.django_db(transaction=True)
def test_a_failed_send_is_recorded_and_never_undoes_the_change(settings, caplog):
    settings.EMAIL_BACKEND = FAILING
    reviewer = UserFactory()
    with caplog.at_level(logging.WARNING, "compliance.notifications"), transaction.atomic():
        reviewer.first_name = "Changed in the same transaction"
        reviewer.save()
        request_review([reviewer])
    reviewer.refresh_from_db()
    assert reviewer.first_name == "Changed in the same transaction"
    row = OutgoingMail.objects.get()
    assert (row.attempts, row.sent_at) == (1, None)
    assert "The mail server is down." in row.last_error
    wait = row.next_attempt_at - timezone.now()
    assert timedelta(seconds=50) < wait <= timedelta(minutes=1)
    assert not SentMail.objects.exists()
    assert "attempt 1 of 8" in caplog.text


def test_the_delay_doubles_from_a_minute_up_to_six_hours():
    delays = [outbox.retry_delay(attempts) for attempts in (1, 2, 3, 9, 10, 60)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 256, 360, 360)]


@pytest.mark.django_db
def test_send_pending_mail_sends_a_failed_mail_once_it_is_due(
    settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    with django_capture_on_commit_callbacks(execute=True):
        request_review([UserFactory()])
    settings.EMAIL_BACKEND = LOCMEM
    call_command("send_pending_mail")
    assert mail.outbox == []  # the next attempt is not due yet

    make_due()
    output = StringIO()
    call_command("send_pending_mail", verbosity=2, stdout=output)
    assert len(mail.outbox) == 1
    assert "Sent 1, failed 0" in output.getvalue()
    row = OutgoingMail.objects.get()
    assert row.sent_at is not None and row.attempts == 1

    make_due()
    call_command("send_pending_mail")
    assert len(mail.outbox) == 1
    assert SentMail.objects.count() == 1


@pytest.mark.django_db
def test_an_email_is_given_up_after_the_most_attempts(
    settings, caplog, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = FAILING
    settings.MAIL_MAX_ATTEMPTS = 3
    with django_capture_on_commit_callbacks(execute=True):
        request_review([UserFactory()])
    make_due()
    call_command("send_pending_mail")
    row = OutgoingMail.objects.get()
    assert row.attempts == 2
    assert timedelta(minutes=1) < row.next_attempt_at - timezone.now() <= timedelta(minutes=2)

    make_due()
    output = StringIO()
    with caplog.at_level(logging.ERROR, "compliance.notifications"):
        call_command("send_pending_mail", verbosity=2, stdout=output)
    assert "given up 1" in output.getvalue()
    assert "given up after 3 failed attempts" in caplog.text

    settings.EMAIL_BACKEND = LOCMEM
    make_due()
    call_command("send_pending_mail")
    assert mail.outbox == []
    assert OutgoingMail.objects.get().attempts == 3


@pytest.mark.django_db
def test_a_line_break_in_the_title_cannot_add_a_header(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        request_review([UserFactory()], assessment_title="ICP\r\nBcc: someone@example.net")
        request_review([UserFactory()], assessment_title="A" * 400)
    injected, long = mail.outbox
    assert injected.subject == "Review requested: ICP Bcc: someone@example.net (Exporter Ltd.)"
    assert "Bcc" not in injected.extra_headers
    assert injected.recipients() == [injected.to[0]]
    assert len(long.subject) == 300


@pytest.mark.django_db
def test_the_same_event_is_mailed_once(django_capture_on_commit_callbacks):
    reviewer = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        first = request_review([reviewer], dedupe_key="assessment-1/submission-1")
        again = request_review([reviewer], dedupe_key="assessment-1/submission-1")
        later = request_review([reviewer], dedupe_key="assessment-1/submission-2")
    assert (len(first), again, len(later)) == (1, [], 1)
    assert len(mail.outbox) == 2


@pytest.mark.django_db
def test_a_mail_another_transaction_queued_meanwhile_is_skipped():
    reviewer = UserFactory()
    (queued,) = request_review([reviewer], dedupe_key="assessment-1/submission-1")
    duplicate = OutgoingMail(
        kind=queued.kind,
        recipient=queued.recipient,
        subject=queued.subject,
        body=queued.body,
        language="en",
        dedupe_key=queued.dedupe_key,
    )
    assert outbox._store([duplicate]) == []
    assert OutgoingMail.objects.count() == 1  # and the transaction is still usable


@pytest.mark.django_db
def test_inactive_users_and_users_without_an_address_are_skipped():
    active = UserFactory()
    rows = request_review([active, UserFactory(is_active=False), UserFactory(email=""), active])
    assert [row.recipient for row in rows] == [active.email]


@pytest.mark.django_db
def test_delivering_a_mail_that_is_not_there_sends_nothing():
    assert outbox.deliver(12345) is False


@pytest.mark.django_db
def test_a_backend_that_can_wait_runs_the_task_again_at_the_next_attempt(settings):
    settings.TASKS = DATABASE_TASKS
    settings.EMAIL_BACKEND = FAILING
    (row,) = request_review([UserFactory()])
    assert deliver_mail.call(row.pk) is False
    row.refresh_from_db()
    retry = DBTaskResult.objects.get()
    assert retry.task_path == "compliance.notifications.tasks.deliver_mail"
    assert retry.args_kwargs == {"args": [row.pk], "kwargs": {}}
    assert retry.run_after == row.next_attempt_at

    settings.EMAIL_BACKEND = LOCMEM
    make_due()
    assert deliver_mail.call(row.pk) is True
    assert DBTaskResult.objects.count() == 1  # sent: nothing more to run
