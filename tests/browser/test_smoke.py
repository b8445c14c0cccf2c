"""The first pages a new user sees, in a real Chromium."""

import pytest
from playwright.sync_api import expect

from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_leads_to_the_login_page(live_server, page, screenshot):
    page.goto(live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("compliance self-assessment")
    screenshot("home")
    page.get_by_role("main").get_by_role("link", name="Log in").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/login/")
    expect(page.get_by_label("Email address")).to_be_visible()
    screenshot("login")


def test_user_logs_in_and_switches_language(live_server, page, screenshot):
    user = UserFactory(email="officer@example.com")
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_role("heading", level=1)).to_have_text("登录")
    screenshot("login-zh")
    page.get_by_role("button", name="English").click()
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")
