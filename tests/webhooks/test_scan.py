"""The daily scan tells each overdue action and expiring item once."""

import io
from datetime import date

import pytest
from django.core.management import call_command

from compliance.actions.models import Action
from compliance.evidence.services import add_item
from compliance.webhooks.models import Delivery, Endpoint
from tests.evidence.files import ALLOWED, upload
from tests.webhooks.test_delivery import Receiver, receiver, url  # noqa: F401 (fixture)
from tests.webhooks.test_outbox import allowed  # noqa: F401 (fixture)


def test_overdue_and_expiring_are_told_once(receiver, allowed, editor, sample_version):  # noqa: F811
    organisation = editor.organisation
    Endpoint.objects.create(
        organisation=organisation,
        url=url(receiver),
        events=["action.overdue", "evidence.expiring"],
    )
    question = sample_version.questions.get(code="policy-signed")
    Action.objects.create(
        organisation=organisation,
        question=question,
        question_code=question.code,
        title="Sign",
        due_date=date(2026, 1, 1),
    )
    add_item(
        organisation,
        editor.user,
        title="Licence",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
        valid_until=date(2026, 1, 20),
    )
    for _run in range(2):
        call_command("send_webhooks", "--today", "2026-01-10", stdout=io.StringIO())
    events = sorted(headers["X-Webhook-Event"] for _p, headers, _b in Receiver.seen)
    assert events == ["action.overdue", "evidence.expiring"]
    assert Delivery.objects.filter(status="delivered").count() == 2


@pytest.mark.parametrize("day", ["tomorrow", "2026-02-30"])
def test_a_day_that_is_not_a_date_is_refused_by_name(db, day):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="is not a date"):
        call_command("send_webhooks", "--today", day, stdout=io.StringIO())
