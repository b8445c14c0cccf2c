"""A real submission is told to the endpoints that want it."""

import json

from compliance.assessments.services import submit
from compliance.webhooks.models import Endpoint
from compliance.webhooks.signing import HEADER, verify
from tests.factories import answer_all
from tests.webhooks.test_delivery import Receiver, receiver, url  # noqa: F401 (fixture)
from tests.webhooks.test_outbox import allowed  # noqa: F401 (fixture)


def test_a_submission_is_delivered(
    receiver,  # noqa: F811
    allowed,  # noqa: F811
    assessment,
    editor,
    django_capture_on_commit_callbacks,
):
    endpoint = Endpoint.objects.create(
        organisation=editor.organisation, url=url(receiver), events=["assessment.submitted"]
    )
    answer_all(assessment, editor.user)
    with django_capture_on_commit_callbacks(execute=True):
        submit(assessment, editor.user)
    [(_path, headers, body)] = Receiver.seen
    assert headers["X-Webhook-Event"] == "assessment.submitted"
    assert verify(endpoint.secret, body, headers[HEADER])
    data = json.loads(body)["data"]
    assert data["id"] == str(assessment.uuid) and data["url"].endswith(
        f"/api/v1/assessments/{assessment.uuid}/"
    )


def test_an_event_costs_one_query_where_no_endpoint_wants_it(
    assessment, editor, django_assert_num_queries
):
    from compliance.assessments.models import AssessmentEvent

    Endpoint.objects.create(
        organisation=editor.organisation, url="https://hooks.example/x", events=["ping"]
    )
    with django_assert_num_queries(2):  # the event's INSERT and the look for endpoints
        AssessmentEvent.objects.create(
            assessment=assessment, kind=AssessmentEvent.Kind.SUBMITTED, user=editor.user
        )
