"""A profile that routes: a section shown only for some companies, a choice that needs a
justification, what to show an auditor, and critical findings that read as such."""

from pathlib import Path

import pytest
from django.urls import reverse

from compliance.assessments.models import Answer
from compliance.assessments.services import create_assessment
from compliance.questionnaires.services import import_questionnaire, publish_version
from tests.factories import give

ROUTED = Path(__file__).resolve().parent.parent / "questionnaires" / "routed.yaml"
NOT_APPLICABLE = "Not applicable to the company’s profile"


@pytest.fixture
def routed(editor):
    version = publish_version(import_questionnaire(ROUTED.read_text(encoding="utf-8")))
    return create_assessment(
        organisation=editor.organisation, version=version, title="Routed", user=editor.user
    )


def url(assessment, name="assessment_overview", *args):
    return reverse(name, args=[assessment.uuid, *args])


def test_a_section_for_other_profiles_says_so_everywhere_and_asks_nothing(editor_client, routed):
    overview = editor_client.get(url(routed)).content.decode()
    rows = overview[overview.index('id="sections"') :]
    assert rows.count(NOT_APPLICABLE) == 1
    assert rows.index("3. Screening") < rows.index(NOT_APPLICABLE)
    page = editor_client.get(url(routed, "assessment_section", 3)).content.decode()
    assert 'id="section-not-applicable"' in page
    assert "It applies when the answer to “What does the company do?” includes:" in page
    assert "Exports listed items." in page
    assert 'name="lists-answer"' not in page  # nothing to answer
    assert url(routed, "assessment_section", 1) in page  # where to change the profile
    assert "(not applicable)" in page  # the sidebar
    results = editor_client.get(url(routed, "assessment_results")).content.decode()
    card = results[results.index('id="section-screening"') :]
    assert NOT_APPLICABLE in card[: card.index("</div>")]


def test_the_matching_profile_shows_the_section(editor_client, routed, editor):
    give(routed, editor.user, "activities", "listed")
    page = editor_client.get(url(routed, "assessment_section", 3)).content.decode()
    assert 'id="section-not-applicable"' not in page and 'name="lists-answer"' in page
    assert NOT_APPLICABLE not in editor_client.get(url(routed)).content.decode()


def test_an_answer_that_needs_a_justification_is_refused_without_one(editor_client, routed):
    section = url(routed, "assessment_section", 1)
    page = editor_client.get(section).content.decode()
    assert "Say why in the comment." in page  # next to the choice that needs it
    response = editor_client.post(section, {"activities-answer": ["services"], "save": "1"})
    assert response.status_code == 200
    assert "Say in the comment why you answer “Services”" in response.content.decode()
    assert not Answer.objects.filter(assessment=routed, question__code="activities").exists()
    editor_client.post(
        section,
        {"activities-answer": ["services"], "activities-comment": "A forwarder.", "save": "1"},
    )
    saved = Answer.objects.get(assessment=routed, question__code="activities")
    assert saved.choice_codes == ["services"] and saved.comment == "A forwarder."


def test_the_card_says_what_to_show_an_auditor(editor_client, routed):
    page = editor_client.get(url(routed, "assessment_section", 2)).content.decode()
    card = page[page.index('id="q-policy-signed"') :]
    assert "What to show an auditor" in card[: card.index("The signed statement.")]


def test_a_partial_answer_below_the_questions_own_threshold_is_a_finding(
    editor_client, routed, editor
):
    give(routed, editor.user, "policy-signed", "partial")
    results = editor_client.get(url(routed, "assessment_results")).content.decode()
    assert 'id="findings-count">1<' in results
    plan = results[results.index('id="action-plan"') :]
    assert "Critical finding</span>" in plan[: plan.index("Have it signed.")]


def test_a_critical_question_with_a_gap_that_is_no_finding_reads_differently(
    editor_client, assessment, editor
):
    """The sample's threshold is 0.5: "partially" is a gap on a critical question, not a
    critical finding, and the page must not make it look like one."""
    give(assessment, editor.user, "policy-signed", "partial")
    results = editor_client.get(url(assessment, "assessment_results")).content.decode()
    assert 'id="findings-count">0<' in results and 'id="band-capped"' not in results
    plan = results[results.index('id="action-plan"') :]
    row = plan[: plan.index("Have it signed.")]
    assert "Critical question</span>" in row and "Critical finding" not in row


def test_a_text_or_date_question_is_printed_once(editor_client, assessment):
    """The card's legend is the question; the input has a hidden label, not a second one."""
    page = editor_client.get(url(assessment, "assessment_section", 2)).content.decode()
    card = page[page.index('id="q-last-audit"') :]
    card = card[: card.index('id="id_last-audit-loaded"')]
    assert card.count("Date of the last audit") == 2  # the legend and the hidden label
    assert 'class="visually-hidden" for="id_last-audit-answer"' in card
