"""An owner registers an endpoint on a loopback receiver, sends a test event, sees it
delivered with 200, sends it again, makes a new secret, pauses the endpoint and removes it."""

import pytest
from playwright.sync_api import expect

from compliance.organisations.models import Membership
from tests.browser.pages import log_in
from tests.browser.watch import Refusals
from tests.factories import PASSWORD, MembershipFactory
from tests.webhooks.test_delivery import Receiver, receiver, url  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_endpoint_registered_tested_and_sent_again(
    live_server,
    page,
    settings,
    receiver,  # noqa: F811
):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.WEBHOOK_ALLOW_HTTP = True
    owner = MembershipFactory(role=Membership.Role.OWNER)
    base = live_server.url
    refusals = Refusals(page)
    log_in(page, base, owner.user.email, PASSWORD)
    page.goto(f"{base}/organisations/{owner.organisation.uuid}/settings/")
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Address").fill(url(receiver))
    page.get_by_label("An assessment is approved").check()
    page.get_by_role("button", name="Add the endpoint").click()
    expect(page.locator("[data-secret]")).not_to_be_empty()
    page.get_by_role("button", name="Send a test event").click()
    row = page.locator("[data-delivery]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Delivered")
    expect(row).to_contain_text("200")
    row.get_by_role("button", name="Send again").click()
    expect(page.get_by_role("status")).to_contain_text("The delivery is being sent again.")
    assert len(Receiver.seen) == 2
    assert {headers["X-Webhook-Event"] for _p, headers, _b in Receiver.seen} == {"ping"}
    secret = page.locator("[data-secret]").inner_text()
    page.get_by_role("button", name="Make a new secret").click()
    expect(page.get_by_role("status")).to_contain_text("Made a new secret.")
    expect(page.locator("[data-secret]")).not_to_have_text(secret)
    page.get_by_label("Send deliveries").uncheck()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("Saved the endpoint's settings.")
    expect(page.locator("[data-paused]")).to_be_visible()
    expect(page.get_by_label("Send deliveries")).not_to_be_checked()
    remove = page.get_by_role("button", name="Remove it", exact=True)
    expect(remove).to_be_hidden()
    page.locator("[data-remove] summary").click()
    expect(page.locator("[data-remove]")).to_contain_text("its 1 delivery is deleted")
    remove.click()
    expect(page.get_by_role("status")).to_contain_text("Removed the endpoint")
    expect(page.get_by_text("No endpoints yet.")).to_be_visible()
    refusals.settle()
    refusals.assert_none()
