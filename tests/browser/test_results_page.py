"""The results page in a real browser shows the scoring function's numbers."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect
from pypdf import PdfReader

from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.assessments.services import AnswerInput, Submitted, create_assessment, save_answers
from compliance.organisations.models import Membership
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import load_version
from tests.factories import PASSWORD, MembershipFactory
from tests.processes import DATABASE_TASKS, run_worker

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_results_page_matches_the_scoring_function(live_server, page, screenshot):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    version = QuestionnaireVersion.objects.latest("number")  # version 2, what users start
    membership = MembershipFactory(role=Membership.Role.OWNER)
    assessment = create_assessment(
        organisation=membership.organisation,
        version=version,
        title="Mid-year check",
        user=membership.user,
    )
    content = load_version(version)
    items = []
    for index, question in enumerate(content.questions.values()):
        choices = list(question.choices.all())
        if choices and index % 3:
            items.append(
                Submitted(
                    question,
                    AnswerInput(choice_codes=(choices[index % len(choices)].code,)),
                    None,
                    "",
                )
            )
    save_answers(assessment, items, membership.user)
    expected = compute_result(content, answers_by_code(assessment))

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(membership.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/assessments/{assessment.uuid}/results/")
    expect(page.locator("#draft-notice")).to_contain_text("Draft: incomplete.")
    assert float(page.locator("#overall-score").inner_text()) == pytest.approx(
        expected.score, abs=0.0501
    )
    for section in expected.sections:
        if not section.shown:  # routed away by the company profile
            card = page.locator(f"#section-{section.code}")
            expect(card).to_contain_text("Not applicable to the company’s profile")
            continue
        shown = page.locator(f'.section-score[data-code="{section.code}"]').inner_text()
        if section.score is None:
            assert shown == "–"
        else:
            assert float(shown) == pytest.approx(section.score, abs=0.0501), section.code
    if expected.critical_findings:
        expect(page.locator("#findings li")).to_have_count(len(expected.critical_findings))
    screenshot("results")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Board summary (PDF)").click()
    download = download_info.value
    pdf = download.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    assert 2 <= len(reader.pages) <= 4
    assert f"{expected.score:.1f}" in reader.pages[0].extract_text()


def test_with_background_workers_the_download_waits_on_a_page_that_follows_the_render(
    live_server, page, settings, editor, assessment, screenshot
):
    """With the database task backend, "Full report (PDF)" opens a page that polls (htmx, no
    inline script) while a worker renders, then offers the file."""
    settings.TASKS = DATABASE_TASKS
    complaints = []
    page.on(
        "console",
        lambda message: message.type in ("error", "warning") and complaints.append(message.text),
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(editor.user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("main").get_by_role("button", name="Log in").click()
    page.goto(f"{live_server.url}/assessments/{assessment.uuid}/results/")
    page.get_by_role("link", name="Full report (PDF)").click()
    expect(page.get_by_text("Preparing your report…")).to_be_visible()
    screenshot("preparing")

    run_worker()  # the django-tasks-db worker, for real, beside the live server
    download_link = page.get_by_role("link", name="Download PDF")
    expect(download_link).to_be_visible(timeout=10_000)  # the next poll brings it
    expect(page.get_by_text("Your report is ready.")).to_be_visible()
    with page.expect_download() as download_info:
        download_link.click()
    pdf = download_info.value.path().read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert "2026" in PdfReader(io.BytesIO(pdf)).metadata.title
    assert complaints == []
