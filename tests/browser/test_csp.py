"""Every main page works in Chromium under the Content-Security-Policy: nothing is refused
(no `securitypolicyviolation` event, no console error or warning), htmx autosaves, and the
admin works."""

import pytest
from playwright.sync_api import Page, expect

from compliance.questionnaires.services import new_draft_from
from tests.browser.watch import Refusals
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def refusals(page):
    return Refusals(page)


def test_the_watch_sees_what_the_policy_refuses(live_server, page, refusals):
    """The watch itself: an injected inline style and inline script are refused and
    reported, so the empty lists in the tests below mean something."""
    refusals.visit(live_server.url)
    page.evaluate(
        """() => {
          document.body.insertAdjacentHTML("beforeend", '<p style="color: red">refused</p>');
          const script = document.createElement("script");
          script.textContent = "window.ranInline = true";
          document.body.append(script);
        }"""
    )
    refusals.settle()
    assert {v["directive"] for v in refusals.violations} == {"style-src-attr", "script-src-elem"}
    assert page.evaluate("() => window.ranInline") is None
    assert any("Content Security Policy" in line for line in refusals.console)


def assert_filled(bar, value: str, fraction: float) -> None:
    """A Bootstrap progress bar announces ``value`` and is filled to ``fraction``."""
    expect(bar).to_have_attribute("aria-valuenow", value)
    track = bar.bounding_box()["width"]
    filled = bar.locator(".progress-bar").bounding_box()["width"]
    assert filled == pytest.approx(track * fraction, abs=1)


def log_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assessments")


def test_main_pages_and_autosave_under_the_policy(
    live_server, page, refusals, editor, assessment, screenshot
):
    base = live_server.url
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/password_reset/"):
        refusals.visit(base + path)

    log_in(page, base, editor.user.email)
    refusals.settle()
    refusals.visit(f"{base}/assessments/new/")
    refusals.visit(f"{base}/organisations/")

    section = f"{base}/assessments/{assessment.uuid}/sections/1/"
    refusals.visit(section)
    # htmx inserts no <style> of its own (base.html's htmx-config; app.css styles it).
    assert page.locator("style").count() == 0
    page.get_by_label("Some").check()
    expect(page.locator("#save-status")).to_contain_text("Saved 1 answer")
    refusals.settle()
    screenshot("section")
    refusals.visit(section)
    # One of the sample's four applicable questions: the overall bar is a quarter full,
    # through app.css's pct-25 class rather than style="width: 25%".
    assert_filled(page.locator("main .progress").first, "25", 0.25)

    refusals.visit(f"{base}/assessments/{assessment.uuid}/")
    assert_filled(page.locator("#sections .progress").first, "50", 0.5)
    screenshot("overview")

    refusals.visit(f"{base}/assessments/{assessment.uuid}/submit/")
    refusals.visit(f"{base}/assessments/{assessment.uuid}/results/")
    # The print document: its own stylesheet loads (the report's cover is styled).
    refusals.visit(f"{base}/assessments/{assessment.uuid}/report/")
    assert page.evaluate("document.styleSheets.length") >= 2
    assert page.evaluate("[...document.styleSheets].every(sheet => sheet.cssRules.length)")
    refusals.visit(f"{base}/assessments/{assessment.uuid}/questions/policy-maturity/history/")
    refusals.visit(f"{base}/assessments/")
    refusals.assert_none()


def test_admin_under_the_policy(live_server, page, refusals, editor, assessment, screenshot):
    user = editor.user
    user.is_staff = user.is_superuser = True
    user.save()
    base = live_server.url
    refusals.visit(f"{base}/admin/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name="Questionnaires, people and records")).to_be_visible()
    refusals.settle()

    version = assessment.version
    draft = new_draft_from(version)
    question = draft.sections.first().questions.first()
    for path in (
        "/admin/",
        "/admin/questionnaires/questionnaireversion/",
        f"/admin/questionnaires/questionnaireversion/{version.pk}/change/",
        f"/admin/questionnaires/questionnaireversion/{draft.pk}/change/",
        f"/admin/questionnaires/questionnaireversion/{draft.pk}/preview/",
        f"/admin/questionnaires/questionnaireversion/{draft.pk}/compare/",
        "/admin/questionnaires/section/",
        "/admin/questionnaires/question/",
        f"/admin/questionnaires/question/{question.pk}/change/",
        "/admin/accounts/user/",
        f"/admin/accounts/user/{user.pk}/change/",
        "/admin/organisations/organisation/",
    ):
        refusals.visit(base + path)
    # Editing a draft question: the inline formsets add rows with the admin's scripts.
    page.goto(f"{base}/admin/questionnaires/question/{question.pk}/change/")
    rows = page.locator("#choices-group .inline-related.dynamic-choices")
    existing = rows.count()
    page.get_by_text("Add another Choice").click()
    expect(rows).to_have_count(existing + 1)
    refusals.settle()
    # The version page's own stylesheet (admin.css) lays its buttons out in one row.
    page.goto(f"{base}/admin/questionnaires/questionnaireversion/{version.pk}/change/")
    expect(page.locator(".version-state form.version-action").first).to_have_css(
        "display", "inline"
    )
    screenshot("admin-version")
    refusals.settle()
    refusals.assert_none()


def test_a_form_refused_by_the_csrf_check_under_the_policy(live_server, page, refusals):
    """A form sent without the CSRF cookie (cookies blocked, or the page older than a log
    in) gets a page of the site: Django's own has an inline <style> the policy refuses."""
    refusals.visit(f"{live_server.url}/accounts/login/")
    page.context.clear_cookies(name="csrftoken")
    page.get_by_label("Email address").fill("someone@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    refusals.expected_status = 403
    with page.expect_navigation():
        page.get_by_role("main").get_by_role("button", name="Log in").click()
    refusals.settle()
    refusals.assert_none()
    expect(page.get_by_role("heading", level=1)).to_have_text("The form could not be sent")
