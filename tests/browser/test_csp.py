"""Every main page works in Chromium under the Content-Security-Policy: nothing is refused
(no `securitypolicyviolation` event, no console error or warning), htmx autosaves, and the
admin works."""

import pytest
from playwright.sync_api import Page, expect

from compliance.questionnaires.services import new_draft_from
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Runs in every document before its own scripts (Playwright injects it, outside the policy).
LISTEN = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.reportViolation({
    page: location.pathname,
    directive: event.effectiveDirective,
    blocked: event.blockedURI,
    source: event.sourceFile + ":" + event.lineNumber,
    sample: event.sample,
  });
}, true);
"""


class Refusals:
    """What the browser refused or complained about, page by page."""

    def __init__(self, page: Page):
        self.page = page
        self.violations: list[dict] = []
        self.console: list[str] = []
        page.expose_function("reportViolation", self._violation)
        page.add_init_script(LISTEN)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.console.append(f"page error: {error}"))

    def _violation(self, details: dict) -> None:
        self.violations.append(details)

    def _console(self, message) -> None:
        if message.type in ("error", "warning"):
            self.console.append(f"{message.type} on {self.page.url}: {message.text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert response.status == 200, url
        self.settle()

    def settle(self) -> None:
        """Violation reports are queued tasks; let them arrive."""
        self.page.wait_for_load_state("load")
        self.page.wait_for_timeout(150)

    def assert_none(self) -> None:
        assert self.violations == []
        assert self.console == []


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
    rows = page.locator("#choices-group tr.form-row.dynamic-choices")
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
