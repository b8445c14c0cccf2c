"""A new user answers the whole default questionnaire (version 2) in the browser: the
profile routes the sections, they leave in the middle, come back to find every answer,
toggle show-if questions (one answer needs a justification), submit, and find it locked."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from playwright.sync_api import Page, expect

from compliance.assessments.models import Answer, Assessment
from compliance.questionnaires.models import Question
from tests.browser.pages import settled, visible_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-and-unusual-passphrase"
NOT_APPLICABLE = {"tech-rd-cooperation", "sec-travel-devices"}
#: Version 2's sections, as the profile below (listed items, subsidiaries) routes them.
SECTIONS = 20
NOT_FOR_THIS_PROFILE = {19, 20}  # the modules for service providers and research institutes
TECHNOLOGY = 11


def sign_up(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/signup/")
    page.get_by_label("Email address").fill("officer@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("Password again").fill(PASSWORD)
    page.get_by_label("Organisation name").fill("Suzhou Laser Systems Co., Ltd.")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(re.search(r"https?://\S+/accounts/activate/\S+/", mail.outbox[-1].body).group(0))


def log_in(page: Page, base: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Email address").fill("officer@example.com")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()


def answer_visible_questions(page: Page) -> list[str]:
    """Answer every visible question of the page, including those that appear as earlier
    answers are given (show-if); return their codes.

    Show-if cards hide or show only when a save of the question they depend on answers,
    so the page is let settle after each answer to such a question, and each card's
    visibility is read again, at rest, before it is answered."""
    sources = set(
        Question.objects.filter(show_if_question__isnull=False).values_list(
            "show_if_question__code", flat=True
        )
    )
    answered: list[str] = []
    while True:
        settled(page)
        new = [code for code in visible_codes(page) if code not in answered]
        if not new:
            return answered
        for code in new:
            card = page.locator(f"#q-{code}")
            if not card.is_visible():
                continue  # hidden by the answer to an earlier card of this round
            answered.append(answer_card(card))
            if code in sources:
                settled(page)


def answer_card(card) -> str:
    code = card.get_attribute("id").removeprefix("q-")
    if code in NOT_APPLICABLE:
        card.get_by_label("Not applicable").check()
        card.get_by_label("Why it does not apply").fill("We do no such work.")
    elif card.locator("input[type=radio]").count():
        card.locator("input[type=radio]").first.check()
    elif card.locator("input[type=checkbox][name$=-answer]").count():
        card.locator("input[type=checkbox][name$=-answer]").first.check()
    elif card.locator("input[type=date]").count():
        card.locator("input[type=date]").fill("2026-03-31")
    else:
        card.locator("textarea[name$=-answer]").fill("Distributor of laser modules.")
    return code


def _show_if_and_a_justification(page: Page, screenshot) -> None:
    """Unanswered, the question about sharing technology with foreign persons hides the
    deemed-export questions; "never" keeps them hidden but needs a justification, or it
    is not saved; sharing brings them back without a page load (htmx autosave)."""
    card = page.locator("#q-tech-foreign-sharing")
    card.get_by_label("Never").check()
    expect(page.locator("#save-status")).to_contain_text("Say in the comment why you answer")
    assert not Answer.objects.filter(question__code="tech-foreign-sharing").exists()
    card.locator("summary", has_text="Comment and evidence").click()
    card.get_by_label("Comment", exact=True).fill("We license no technology abroad.")
    expect(page.locator("#save-status")).to_contain_text("Saved")
    expect(page.locator("#q-tech-deemed-export-licence")).to_be_hidden()
    card.locator("input[type=radio]").first.check()
    expect(page.locator("#q-tech-deemed-export-licence")).to_be_visible()
    expect(page.locator("#save-status")).to_contain_text("Saved")
    screenshot("show-if")


def test_whole_questionnaire_in_the_browser(live_server, page, screenshot):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    base = live_server.url
    sign_up(page, base)
    page.get_by_role("link", name="Start a new assessment").click()
    page.get_by_label("Title").fill("Annual ICP self-assessment 2026")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("1. Company profile")
    screenshot("section-1")

    sections = page.locator(".section-nav li").count()
    assert sections == SECTIONS
    answered = {}
    for number in range(1, sections + 1):
        if number in NOT_FOR_THIS_PROFILE:
            expect(page.locator("#section-not-applicable")).to_be_visible()
            assert visible_codes(page) == []
            answered[number] = []
        else:
            if number == TECHNOLOGY:
                _show_if_and_a_justification(page, screenshot)
            answered[number] = answer_visible_questions(page)
        if number == 10:
            page.get_by_role("button", name="Save", exact=True).click()
            # Leave in the middle, and come back another day.
            page.get_by_role("button", name="Account").click()
            page.get_by_role("button", name="Log out").click()
            log_in(page, base)
            page.locator("#assessments").get_by_role(
                "link", name="Annual ICP self-assessment 2026"
            ).click()
            page.get_by_role("link", name="2. Policy statement").click()
            for code in answered[2]:
                card = page.locator(f"#q-{code}")
                expect(
                    card.locator("input:checked, input[type=date], textarea[name$=-answer]").first
                ).to_be_attached()
            expect(
                page.locator("#q-policy-statement-signed input[type=radio]").first
            ).to_be_checked()
            page.goto(page.url.replace("/sections/2/", f"/sections/{TECHNOLOGY}/"))
            continue
        if number < sections:
            page.get_by_role("button", name="Save and next").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text(f"{number + 1}.")
        else:
            page.get_by_role("button", name="Save", exact=True).click()

    assessment = Assessment.objects.get()
    stored = set(
        Answer.objects.filter(assessment=assessment).values_list("question__code", flat=True)
    )
    assert {code for codes in answered.values() for code in codes} <= stored
    na = Answer.objects.get(assessment=assessment, question__code="sec-travel-devices")
    assert na.not_applicable and na.na_justification == "We do no such work."

    page.get_by_role("link", name="Review and submit").click()
    page.wait_for_url("**/submit/")
    missing = page.locator("#missing").all_inner_texts()  # the page is at rest: no autosave
    assert missing == [], (missing, sorted(stored))
    screenshot("submit")
    page.get_by_role("button", name="Submit the assessment").click()
    page.wait_for_url("**/results/")  # straight to the results
    expect(page.locator(".alert-success")).to_have_count(1)
    expect(page.locator(".alert-success")).to_contain_text("Submitted")
    assessment.refresh_from_db()
    assert assessment.status == "submitted" and assessment.result["score"] is not None

    page.goto(page.url.replace("/results/", "/sections/2/"))
    expect(page.locator("#section-form input[type=radio]").first).to_be_disabled()
    expect(page.get_by_role("button", name="Save", exact=True)).to_have_count(0)
    screenshot("locked")
