"""Four eyes in a real browser: the editor submits, the reviewer comments and returns it,
the editor resolves the comment and submits again, the reviewer approves; the approved
PDF downloads with a valid signature, and /verify/ recognises it and rejects a copy with
one byte changed."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from compliance.assessments.services import create_assessment
from compliance.organisations.models import Membership
from compliance.questionnaires.services import import_questionnaire, publish_version
from compliance.reports import signing
from tests.browser.pages import log_in
from tests.factories import PASSWORD, SAMPLE, MembershipFactory, answer_all

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_out(page, base: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")


def test_submit_return_resolve_approve_and_verify(live_server, page, screenshot, tmp_path):
    version = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    editor = MembershipFactory(role=Membership.Role.EDITOR)
    reviewer = MembershipFactory(organisation=editor.organisation, role=Membership.Role.REVIEWER)
    assessment = create_assessment(
        organisation=editor.organisation, version=version, title="Review 2026", user=editor.user
    )
    answer_all(assessment, editor.user)
    base = live_server.url
    overview = f"{base}/assessments/{assessment.uuid}/"

    # The editor submits.
    log_in(page, base, editor.user.email, PASSWORD)
    page.goto(f"{base}/assessments/{assessment.uuid}/submit/")
    expect(page.locator("#review-next")).to_contain_text("reviewer")
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.locator("#frozen-notice")).to_be_visible()

    # The reviewer comments on one answer and returns it.
    log_out(page, base)
    log_in(page, base, reviewer.user.email, PASSWORD)
    page.goto(overview)
    page.locator("#open-review").click()
    expect(page.locator("h1")).to_contain_text("Review of")
    card = page.locator("#q-policy-signed")
    card.locator("summary").click()
    card.locator("textarea").fill("Attach the signed copy, please.")
    card.get_by_role("button", name="Add the comment").click()
    expect(page.locator("#review-status")).to_contain_text("In review")
    expect(page.locator("#q-policy-signed .review-comment")).to_contain_text("signed copy")
    screenshot("review-page")
    page.locator("#return-note").fill("One thing to fix.")
    page.locator("#return-button").click()
    expect(page.locator("#returned-notice")).to_be_visible()

    # The editor sees the comment on the section, resolves it and submits again.
    log_out(page, base)
    log_in(page, base, editor.user.email, PASSWORD)
    page.goto(f"{overview}sections/1/")
    comment = page.locator("#review-comments .review-comment").filter(has_text="signed copy")
    expect(comment).to_be_visible()
    comment.get_by_role("button", name="Mark resolved").click()
    expect(
        page.locator("#review-comments .review-comment").filter(has_text="signed copy")
    ).to_contain_text("Resolved")
    page.goto(overview)
    page.locator("#review-comments .review-comment").filter(has_text="One thing").get_by_role(
        "button", name="Mark resolved"
    ).click()
    expect(page.locator("#timeline")).to_contain_text("Returned for changes")
    page.goto(f"{base}/assessments/{assessment.uuid}/submit/")
    page.get_by_role("button", name="Submit the assessment").click()
    expect(page.locator("#frozen-notice")).to_be_visible()

    # The reviewer sees what changed and approves.
    log_out(page, base)
    log_in(page, base, reviewer.user.email, PASSWORD)
    page.goto(f"{overview}review/")
    expect(page.locator("#resolved-comments")).to_contain_text("signed copy")
    page.locator("#approve-button").click()
    expect(page.locator("#frozen-notice")).to_contain_text("Approved", timeout=60_000)

    # The approved PDF downloads, signed.
    with page.expect_download() as download:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; a.download = '';"
            " document.body.appendChild(a); a.click(); }",
            f"{base}/assessments/{assessment.uuid}/report.pdf?variant=board&lang=en",
        )
    path = tmp_path / "approved.pdf"
    download.value.save_as(path)
    data = path.read_bytes()
    check = signing.check_signature(data)
    assert check.signed and check.intact and check.trusted and check.covers_whole_file

    # /verify/ needs no login: it recognises the file, and not a copy one byte off.
    log_out(page, base)
    page.goto(f"{base}/verify/")
    page.locator("#id_document").set_input_files(str(path))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-outcome")).to_have_attribute("data-outcome", "recognised")
    expect(page.locator("#verify-outcome")).to_contain_text("Review 2026")
    screenshot("verify-recognised")
    altered = bytearray(data)
    altered[len(altered) // 2] ^= 0x01
    copy = tmp_path / "altered.pdf"
    copy.write_bytes(bytes(altered))
    page.locator("#id_document").set_input_files(str(copy))
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-outcome")).to_have_attribute("data-outcome", "altered")
    expect(page.locator("#verify-outcome")).not_to_contain_text("Review 2026")
