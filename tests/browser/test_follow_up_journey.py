"""From findings to follow-through in a real browser: actions made from the results,
a section assigned, one action completed with closure evidence, the open action seen
again on the next assessment's question, and the portfolio of two organisations."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from compliance.actions.models import Action, ActionStatus
from compliance.assessments.services import create_assessment, submit
from compliance.organisations.models import Membership
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.browser.pages import log_in
from tests.factories import PASSWORD, SAMPLE, MembershipFactory, give

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_actions_from_results_assignment_next_assessment_and_portfolio(
    live_server, page, screenshot
):
    from compliance.evidence.services import add_item
    from tests.evidence.files import ALLOWED, upload

    version = publish_version(import_questionnaire(SAMPLE.read_text(encoding="utf-8")))
    owner = MembershipFactory(role=Membership.Role.OWNER, organisation__name="Alpha Exports")
    colleague = MembershipFactory(organisation=owner.organisation, role=Membership.Role.EDITOR)
    MembershipFactory(
        user=owner.user, role=Membership.Role.OWNER, organisation__name="Beta Trading"
    )
    organisation, user = owner.organisation, owner.user
    assessment = create_assessment(
        organisation=organisation, version=version, title="FY2026", user=user
    )
    give(assessment, user, "policy-signed", "no")
    give(assessment, user, "policy-maturity", "l1")
    give(assessment, user, "lists", "controlled")
    give(assessment, user, "watch-process", "partial")
    add_item(
        organisation,
        user,
        title="Signed policy 2026",
        files=[upload("policy.pdf", ALLOWED["policy.pdf"])],
    )
    base = live_server.url
    log_in(page, base, user.email, PASSWORD)

    # From the results: every critical finding at once, then one more gap.
    page.goto(f"{base}/assessments/{assessment.uuid}/results/")
    page.locator("#create-finding-actions").click()
    expect(page.locator("#gap-policy-signed")).to_contain_text("Critical")
    expect(page.locator("#gap-policy-signed")).to_contain_text("Open")
    page.locator("#gap-lists").get_by_role("button", name="Create action").click()
    expect(page.locator("#gap-lists")).to_contain_text("Open")
    screenshot("follow-up-panel")

    # A section assigned to the colleague, shown on its page.
    page.goto(f"{base}/assessments/{assessment.uuid}/")
    page.locator("#sections select").first.select_option(str(colleague.user.pk))
    page.locator("#save-assignments").click()
    expect(page.locator("#timeline")).to_contain_text("Section assigned")
    page.goto(f"{base}/assessments/{assessment.uuid}/sections/1/")
    expect(page.locator("#section-assignee")).to_contain_text(str(colleague.user))

    # The actions page; one action completed with its closure evidence.
    page.goto(f"{base}/organisations/{organisation.uuid}/actions/")
    expect(page.locator("#actions tbody tr")).to_have_count(2)
    lists_action = Action.objects.get(question_code="lists")
    page.locator(f"#action-{lists_action.uuid} a").click()
    page.get_by_label("Owner").select_option(str(colleague.user.pk))
    page.get_by_label("Status").select_option("done")
    page.get_by_label("Signed policy 2026").check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#action-history")).to_contain_text("Done")
    expect(page.locator("#action-history")).to_contain_text("Signed policy 2026")
    screenshot("action-page")
    lists_action.refresh_from_db()
    assert lists_action.status == ActionStatus.DONE and lists_action.evidence.count() == 1

    # The next assessment shows the open action on its question.
    submit(assessment, user)
    following = create_assessment(
        organisation=organisation,
        version=version,
        title="FY2027",
        user=user,
        carry_over_from=assessment,
    )
    page.goto(f"{base}/assessments/{following.uuid}/sections/1/")
    expect(page.locator("#action-policy-signed")).to_contain_text("Open action")

    # The portfolio: both organisations, one row each.
    page.goto(f"{base}/portfolio/")
    expect(page.get_by_role("link", name="Alpha Exports").first).to_be_visible()
    expect(page.get_by_role("link", name="Beta Trading").first).to_be_visible()
    screenshot("portfolio")
