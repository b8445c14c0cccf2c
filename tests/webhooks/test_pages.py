"""The owners' webhook pages: add (the address checked), see deliveries, send again,
a test event; other members 403, outsiders 404."""

import pytest
from django.urls import reverse

from compliance.organisations.models import Membership
from compliance.webhooks.models import Delivery, Endpoint
from tests.factories import MembershipFactory
from tests.webhooks.test_delivery import Receiver, receiver, url  # noqa: F401 (fixture)
from tests.webhooks.test_outbox import allowed  # noqa: F401 (fixture)


@pytest.fixture
def owner(db):
    return MembershipFactory(role=Membership.Role.OWNER)


def test_an_owner_adds_an_endpoint_sends_a_test_and_sends_it_again(
    client,
    owner,
    receiver,  # noqa: F811
    allowed,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    client.force_login(owner.user)
    listing = reverse("webhook_endpoints", args=[owner.organisation.uuid])
    response = client.post(listing, {"url": url(receiver), "events": ["assessment.approved"]})
    endpoint = Endpoint.objects.get()
    assert response["Location"] == reverse(
        "webhook_endpoint", args=[owner.organisation.uuid, endpoint.uuid]
    )
    page = client.get(response["Location"]).content.decode()
    assert endpoint.secret in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhook_endpoint_ping", args=[owner.organisation.uuid, endpoint.uuid]))
    delivery = Delivery.objects.get()
    assert delivery.status == "delivered" and len(Receiver.seen) == 1
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse(
                "webhook_delivery_resend",
                args=[owner.organisation.uuid, endpoint.uuid, delivery.uuid],
            )
        )
    assert len(Receiver.seen) == 2


@pytest.mark.parametrize(
    "address", ["http://169.254.169.254/", "http://10.0.0.1/hook", "file:///etc/passwd"]
)
def test_a_private_or_odd_address_is_refused_and_nothing_saved(client, owner, settings, address):
    settings.WEBHOOK_ALLOW_HTTP = True
    client.force_login(owner.user)
    response = client.post(
        reverse("webhook_endpoints", args=[owner.organisation.uuid]),
        {"url": address, "events": ["assessment.approved"]},
    )
    assert response.status_code == 200
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(("role", "status"), [("editor", 403), ("viewer", 403)])
def test_only_owners(client, owner, role, status):
    member = MembershipFactory(organisation=owner.organisation, role=role)
    client.force_login(member.user)
    assert (
        client.get(reverse("webhook_endpoints", args=[owner.organisation.uuid])).status_code
        == status
    )


def test_an_outsider_gets_404(client, owner):
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    client.force_login(outsider.user)
    assert (
        client.get(reverse("webhook_endpoints", args=[owner.organisation.uuid])).status_code == 404
    )


def test_the_pages_cost_the_same_for_many_deliveries(client, owner, django_assert_max_num_queries):
    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url="https://hooks.example/x", events=["ping"]
    )
    client.force_login(owner.user)
    detail = reverse("webhook_endpoint", args=[owner.organisation.uuid, endpoint.uuid])
    listing = reverse("webhook_endpoints", args=[owner.organisation.uuid])
    counts = []
    for size in (1, 40):
        Delivery.objects.bulk_create(
            Delivery(endpoint=endpoint, event="ping", key=f"{size}-{n}", body="{}")
            for n in range(size)
        )
        Endpoint.objects.create(
            organisation=owner.organisation, url=f"https://hooks.example/{size}", events=["ping"]
        )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(detail).status_code == 200
            assert client.get(listing).status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1]
