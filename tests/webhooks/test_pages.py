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


def test_an_owner_pauses_an_endpoint_and_changes_its_events(client, owner):
    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url="https://hooks.example/x", events=["ping"]
    )
    client.force_login(owner.user)
    detail = reverse("webhook_endpoint", args=[owner.organisation.uuid, endpoint.uuid])
    response = client.post(detail, {"events": ["action.overdue", "assessment.approved"]})
    assert response["Location"] == detail
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.active) == (["action.overdue", "assessment.approved"], False)
    page = client.get(detail).content.decode()
    assert "data-paused" in page
    listing = client.get(reverse("webhook_endpoints", args=[owner.organisation.uuid]))
    assert "An action is overdue; An assessment is approved" in listing.content.decode()
    # Paused: an event is not queued for it.
    from compliance.webhooks import outbox

    assert outbox.queue(owner.organisation, "action.overdue", "k", {}) == []
    client.post(detail, {"events": ["action.overdue"], "active": "on"})
    endpoint.refresh_from_db()
    assert endpoint.active and len(outbox.queue(owner.organisation, "action.overdue", "k", {})) == 1


def test_settings_without_an_event_are_refused_and_nothing_changes(client, owner):
    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url="https://hooks.example/x", events=["ping"]
    )
    client.force_login(owner.user)
    detail = reverse("webhook_endpoint", args=[owner.organisation.uuid, endpoint.uuid])
    for data in ({"active": "on"}, {"events": ["no.such"], "active": "on"}):
        response = client.post(detail, data)
        assert response.status_code == 200 and b"is-invalid" in response.content
    endpoint.refresh_from_db()
    assert (endpoint.events, endpoint.active) == (["ping"], True)


def test_a_new_secret_signs_what_is_sent_next(
    client,
    owner,
    receiver,  # noqa: F811
    allowed,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    from compliance.webhooks import signing

    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url=url(receiver), events=["ping"]
    )
    old = endpoint.secret
    client.force_login(owner.user)
    args = [owner.organisation.uuid, endpoint.uuid]
    response = client.post(reverse("webhook_endpoint_secret", args=args))
    endpoint.refresh_from_db()
    assert endpoint.secret != old and len(endpoint.secret) >= 40
    assert endpoint.secret in client.get(response["Location"]).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("webhook_endpoint_ping", args=args))
    [(_path, headers, body)] = Receiver.seen
    assert signing.verify(endpoint.secret, body, headers[signing.HEADER])
    assert not signing.verify(old, body, headers[signing.HEADER])


@pytest.mark.parametrize("name", ["webhook_endpoint_secret", "webhook_endpoint_delete"])
def test_a_viewer_cannot_change_an_endpoint(client, owner, name):
    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url="https://hooks.example/x", events=["ping"]
    )
    viewer = MembershipFactory(organisation=owner.organisation, role="viewer")
    client.force_login(viewer.user)
    args = [owner.organisation.uuid, endpoint.uuid]
    assert client.post(reverse(name, args=args)).status_code == 403
    assert (
        client.post(reverse("webhook_endpoint", args=args), {"events": ["ping"]}).status_code == 403
    )
    assert Endpoint.objects.get() == endpoint
    assert Endpoint.objects.get().secret == endpoint.secret and Endpoint.objects.get().active


def test_deliveries_beyond_the_first_fifty_are_on_the_next_page(client, owner):
    endpoint = Endpoint.objects.create(
        organisation=owner.organisation, url="https://hooks.example/x", events=["ping"]
    )
    Delivery.objects.bulk_create(
        Delivery(endpoint=endpoint, event="ping", key=f"k{n}", body="{}") for n in range(51)
    )
    client.force_login(owner.user)
    detail = reverse("webhook_endpoint", args=[owner.organisation.uuid, endpoint.uuid])
    first = client.get(detail).content.decode()
    assert first.count("data-delivery=") == 50 and 'href="?page=2"' in first
    assert "Page 1 of 2" in first
    second = client.get(detail, {"page": 2}).content.decode()
    assert second.count("data-delivery=") == 1 and 'href="?page=1"' in second
