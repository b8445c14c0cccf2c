"""An administrator edits a draft in the admin, publishes it, and finds it read-only."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from compliance.questionnaires.models import Question, QuestionnaireVersion
from compliance.questionnaires.services import import_questionnaire
from tests.factories import PASSWORD, questionnaire_editor

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAMPLE = Path(__file__).resolve().parent.parent / "questionnaires" / "sample.yaml"


def test_admin_edits_a_draft_publishes_it_and_finds_it_read_only(live_server, page, screenshot):
    version = import_questionnaire(SAMPLE.read_text(encoding="utf-8"))
    editor = questionnaire_editor(email="editor@example.com")

    page.goto(f"{live_server.url}/admin/login/")
    page.get_by_label("Email address").fill(editor.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    page.goto(f"{live_server.url}/admin/questionnaires/questionnaireversion/{version.pk}/change/")
    expect(page.get_by_text("This version is a draft")).to_be_visible()
    screenshot("version-draft")
    page.get_by_role("link", name="Questions…").first.click()
    page.get_by_role("link", name="Choices, guidance…").first.click()
    page.locator("#id_text_en").fill("Is the compliance policy signed by the CEO?")
    page.locator("#id_weight").fill("3")
    screenshot("question-draft")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")

    question = Question.objects.get(version=version, code="policy-signed")
    assert question.text_en == "Is the compliance policy signed by the CEO?"
    assert question.weight == 3

    page.goto(f"{live_server.url}/admin/questionnaires/questionnaireversion/{version.pk}/change/")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messagelist")).to_contain_text("Published")
    expect(page.get_by_text("This version is published and read-only.")).to_be_visible()
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)
    expect(page.locator("input[name=_save]")).to_have_count(0)
    screenshot("version-published")
    version.refresh_from_db()
    assert version.status == QuestionnaireVersion.Status.PUBLISHED

    page.goto(f"{live_server.url}/admin/questionnaires/question/{question.pk}/change/")
    expect(page.locator("#id_text_en")).to_have_count(0)
    expect(page.locator(".field-text_en div.readonly").first).to_have_text(
        "Is the compliance policy signed by the CEO?"
    )
    screenshot("question-published")

    page.goto(f"{live_server.url}/admin/questionnaires/questionnaireversion/{version.pk}/preview/")
    expect(page.get_by_role("heading", name="Sample ICP check")).to_be_visible()
    screenshot("preview")
