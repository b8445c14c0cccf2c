"""An owner makes an API token in the browser, another system uses it, the owner revokes
it; the API's documentation page works under the Content-Security-Policy and calls the
API with the browser's session."""

import re

import pytest
from playwright.sync_api import expect

from compliance.organisations.models import Membership
from tests.browser.pages import log_in
from tests.browser.watch import Refusals
from tests.factories import PASSWORD, MembershipFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_token_made_used_and_revoked(live_server, page, sample_version):
    owner = MembershipFactory(role=Membership.Role.OWNER)
    base = live_server.url
    refusals = Refusals(page)
    log_in(page, base, owner.user.email, PASSWORD)
    page.goto(f"{base}/organisations/{owner.organisation.uuid}/settings/")
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    page.get_by_label("Name").fill("GRC tool")
    page.get_by_label("Change actions (status, owner, due date)").check()
    page.get_by_role("button", name="Make the token").click()
    shown = page.locator("[data-token]")
    expect(shown).to_have_text(re.compile(r"^icp_[0-9a-f]{8}_\S+$"))
    text = shown.inner_text()
    expect(page.get_by_role("cell", name=re.compile("GRC tool"))).to_be_visible()
    refusals.settle()
    refusals.assert_none()

    api = page.context.request
    header = {"Authorization": f"Bearer {text}"}
    listed = api.get(f"{base}/api/v1/organisations/", headers=header)
    assert listed.status == 200
    assert listed.json()["results"][0]["name"] == owner.organisation.name

    # Shown once: a fresh load of the page no longer has it.
    page.reload()
    expect(page.locator("[data-token]")).to_have_count(0)
    expect(page.get_by_role("cell", name="never")).to_have_count(0)  # it was used
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("Revoked “GRC tool”: it no longer works.")
    expect(page.locator(".badge", has_text="revoked")).to_be_visible()
    refused = api.get(f"{base}/api/v1/organisations/", headers=header)
    assert refused.status == 401
    assert refused.json()["error"]["message"] == "This token has been revoked."


def test_the_documentation_page_under_the_policy_calls_the_api(live_server, page, sample_version):
    owner = MembershipFactory(role=Membership.Role.OWNER)
    base = live_server.url
    refusals = Refusals(page)
    log_in(page, base, owner.user.email, PASSWORD)
    refusals.visit(f"{base}/api/v1/docs/")
    operation = page.locator("#operations-organisations-organisations_list")
    expect(operation).to_be_visible()
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(
        operation.locator(".live-responses-table tbody .response-col_status").first
    ).to_have_text("200")
    expect(operation.locator(".live-responses-table")).to_contain_text(owner.organisation.name)
    refusals.settle()
    refusals.assert_none()
