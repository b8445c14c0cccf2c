"""Sign up, log out, log in, invite a colleague, who accepts in another browser; change role."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from compliance.organisations.models import Membership

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"


def test_sign_up_invite_accept_and_change_role(live_server, page, browser, screenshot):
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Email address").fill("owner@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Organisation name").fill("Ningbo Precision Instruments Co., Ltd.")
    page.get_by_label("Sector").fill("Instruments")
    screenshot("signup")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    screenshot("signup-done")
    page.goto(re.search(r"https?://\S+/accounts/activate/\S+/", mail.outbox[-1].body).group(0))
    expect(page.locator("#header-organisation")).to_have_text(
        "Ningbo Precision Instruments Co., Ltd."
    )

    page.get_by_role("button", name="Account").click()
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill("owner@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")

    page.get_by_role("button", name="Account").click()
    page.get_by_role("link", name="Organisations").click()
    page.get_by_role("link", name="Members").click()
    page.get_by_label("Email address").fill("colleague@example.com")
    page.locator("#id_role").select_option("viewer")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".alert-success")).to_contain_text(
        "Invitation sent to colleague@example.com"
    )
    screenshot("members")
    link = re.search(r"https?://\S+/invitations/\S+/", mail.outbox[-1].body).group(0)

    colleague = browser.new_context(base_url=live_server.url)
    other = colleague.new_page()
    other.goto(link)
    expect(other.get_by_role("heading", level=1)).to_have_text(
        "Join Ningbo Precision Instruments Co., Ltd."
    )
    other.locator("#id_password1").fill("another-long-passphrase")
    other.get_by_label("Password again").fill("another-long-passphrase")
    other.get_by_role("button", name="Create account and join").click()
    expect(other.locator(".alert-success")).to_contain_text("Welcome to Ningbo")
    colleague.close()

    page.reload()
    row = page.locator("#members tr", has_text="colleague@example.com")
    expect(row).to_contain_text("colleague@example.com")
    row.get_by_label("Role of colleague@example.com").select_option("editor")
    row.get_by_role("button", name="Change role").click()
    expect(page.locator(".alert-success")).to_contain_text("colleague@example.com is now editor")
    assert Membership.objects.get(user__email="colleague@example.com").role == "editor"
