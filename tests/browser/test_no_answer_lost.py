"""Nothing a respondent types is lost: dates in Chinese, leaving right after typing, and
autosaves that fail say so and keep the text on the page."""

import pytest
from playwright.sync_api import Page, expect

from compliance.assessments.models import Answer, Assessment
from tests.browser.pages import log_in, settled
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def section(page: Page, base: str, assessment, number: int = 1) -> None:
    page.goto(f"{base}/assessments/{assessment.uuid}/sections/{number}/")
    settled(page)


def stored(assessment, code: str) -> Answer | None:
    return Answer.objects.filter(assessment=assessment, question__code=code).first()


def test_a_date_survives_the_chinese_section_page(
    live_server, page, editor, assessment, screenshot
):
    editor.user.preferred_language = "zh-hans"
    editor.user.save()
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    section(page, live_server.url, assessment, 2)
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    page.locator("#id_last-audit-answer").fill("2025-03-15")
    settled(page)
    page.reload()
    expect(page.locator("#id_last-audit-answer")).to_have_value("2025-03-15")
    # An autosave of another question leaves the date alone.
    page.locator("#q-lists input[type=checkbox]").first.check()
    settled(page)
    assert str(stored(assessment, "last-audit").value_date) == "2025-03-15"
    page.reload()
    expect(page.locator("#id_last-audit-answer")).to_have_value("2025-03-15")
    screenshot("date-zh")


@pytest.mark.parametrize("leave_by", ["sidebar", "review"])
def test_a_comment_typed_just_before_leaving_is_saved(
    live_server, page, editor, assessment, leave_by
):
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    number = 1 if leave_by == "sidebar" else 2
    section(page, live_server.url, assessment, number)
    code = "policy-signed" if number == 1 else "lists"
    page.locator(f"#q-{code} summary", has_text="Comment").click()
    page.locator(f"#id_{code}-comment").fill("Typed, then away at once.")
    if leave_by == "sidebar":
        page.locator(".section-nav a", has_text="2.").click()
        expect(page.locator("h1")).to_contain_text("2.")
    else:
        page.get_by_role("link", name="Review and submit").click()
        page.wait_for_url("**/submit/")
    assert stored(assessment, code).comment == "Typed, then away at once."


def test_an_autosave_refused_because_the_assessment_was_submitted_says_so(
    live_server, page, editor, assessment, screenshot
):
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    section(page, live_server.url, assessment)
    Assessment.objects.filter(pk=assessment.pk).update(status=Assessment.Status.SUBMITTED)
    page.locator("#q-policy-signed summary", has_text="Comment").click()
    comment = page.locator("#id_policy-signed-comment")
    comment.fill("Written after someone else submitted.")
    comment.blur()
    form = page.locator("#section-form")
    expect(form).to_have_attribute("data-autosave", "failed")
    expect(page.locator("#save-status")).to_contain_text("submitted meanwhile")
    expect(page.locator("#save-status")).not_to_contain_text("Saved")
    expect(comment).to_have_value("Written after someone else submitted.")
    assert stored(assessment, "policy-signed") is None
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot("refused-390")


def test_an_autosave_that_cannot_reach_the_server_says_so_and_the_page_asks_before_leaving(
    live_server, page, editor, assessment
):
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    section(page, live_server.url, assessment)
    page.route(
        "**/sections/1/",
        lambda route: route.abort() if route.request.method == "POST" else route.continue_(),
    )
    page.locator("#q-policy-signed input[type=radio]").first.check()
    expect(page.locator("#section-form")).to_have_attribute("data-autosave", "failed")
    expect(page.locator("#save-status")).to_contain_text("could not be reached")
    asked = []

    def dialog(d):
        asked.append(d.type)
        d.dismiss()

    page.on("dialog", dialog)
    page.locator(".section-nav a", has_text="2.").click()
    expect(page.locator("h1")).to_contain_text("1.")  # stayed: the browser asked
    assert asked == ["beforeunload"]
    # Back online, the next change saves everything the page holds.
    page.unroute("**/sections/1/")
    page.locator("#q-policy-maturity input[type=radio]").first.check()
    settled(page)
    assert stored(assessment, "policy-signed") is not None
    assert stored(assessment, "policy-maturity") is not None


def test_an_autosave_after_the_session_ended_says_so(live_server, page, editor, assessment):
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    section(page, live_server.url, assessment)
    page.context.clear_cookies()
    page.locator("#q-policy-signed input[type=radio]").first.check()
    expect(page.locator("#section-form")).to_have_attribute("data-autosave", "failed")
    expect(page.locator("#save-status")).to_contain_text("no longer signed in")
    expect(page.locator("#q-policy-signed input[type=radio]").first).to_be_checked()


def test_an_autosave_posts_only_the_card_that_changed(live_server, page, editor, assessment):
    """The server reads and writes what changed: autosave.js posts the changed card's
    fields (with partial=1), not the page's."""
    log_in(page, live_server.url, editor.user.email, PASSWORD)
    section(page, live_server.url, assessment)
    with page.expect_request(lambda r: r.method == "POST" and "/sections/1/" in r.url) as saved:
        page.locator("#q-policy-maturity input[type=radio]").first.check()
    body = saved.value.post_data
    settled(page)
    from urllib.parse import parse_qs

    names = set(parse_qs(body, keep_blank_values=True))
    assert "partial" in names and "policy-maturity-answer" in names
    assert "policy-maturity-loaded" in names
    assert not any(name.startswith("policy-signed-") for name in names), names
    assert stored(assessment, "policy-maturity").choice_codes
    assert stored(assessment, "policy-signed") is None
    # A second change of another card, then a third of the first: each save sends what
    # it has not yet had acknowledged, and nothing is lost.
    page.locator("#q-policy-signed input[type=radio]").first.check()
    settled(page)
    page.locator("#q-policy-maturity input[type=radio]").nth(1).check()
    settled(page)
    page.reload()
    expect(page.locator("#q-policy-signed input[type=radio]").first).to_be_checked()
    expect(page.locator("#q-policy-maturity input[type=radio]").nth(1)).to_be_checked()
