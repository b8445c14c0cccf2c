"""Publishing checks, new drafts and version comparison."""

from decimal import Decimal

import pytest

from compliance.questionnaires.models import Choice, Question, QuestionnaireVersion, ScoreBand
from compliance.questionnaires.services import (
    PublishError,
    compare_versions,
    export_questionnaire,
    new_draft_from,
    publish_version,
    publishing_problems,
)


def messages(version) -> list[str]:
    return [str(problem) for problem in publishing_problems(version)]


def test_a_complete_draft_publishes(draft):
    assert messages(draft) == []
    version = publish_version(draft)
    assert version.status == QuestionnaireVersion.Status.PUBLISHED
    assert version.published_at is not None


def test_publishing_refuses_a_scored_question_without_choices(draft):
    Choice.objects.filter(question__code="policy-maturity").delete()
    with pytest.raises(PublishError) as caught:
        publish_version(draft)
    assert "question “policy-maturity”: a question answered by choices needs choices" in str(
        caught.value
    )
    draft.refresh_from_db()
    assert draft.status == QuestionnaireVersion.Status.DRAFT


def test_publishing_lists_a_score_outside_0_to_1(draft):
    # The database refuses such a score, so build the document as an import would.
    from compliance.questionnaires.document import document_from_version
    from compliance.questionnaires.validation import check_document

    document = document_from_version(draft)
    document.sections[0].questions[0].choices[0].score = Decimal("1.2")
    [problem] = check_document(document, publishing=True)
    assert "the score 1.2 is outside 0 to 1" in str(problem)


def test_publishing_lists_duplicate_codes(draft):
    from compliance.questionnaires.document import document_from_version
    from compliance.questionnaires.validation import check_document

    document = document_from_version(draft)
    document.sections[1].questions[0].code = "policy-signed"
    problems = [str(p) for p in check_document(document, publishing=True)]
    assert "duplicate question code “policy-signed”" in problems[0]


def test_publishing_lists_missing_chinese_text(draft):
    Question.objects.filter(code="policy-maturity").update(text_zh_hans="")
    assert "question “policy-maturity”: the Chinese text is missing" in messages(draft)


def test_publishing_lists_a_show_if_on_a_later_question(draft):
    first = Question.objects.get(code="policy-signed")
    first.show_if_question = Question.objects.get(code="lists")
    first.show_if_choices = ["watch"]
    first.save()
    assert any("earlier question, not “lists”" in m for m in messages(draft))


def test_publishing_lists_a_show_if_into_another_version(draft):
    other = new_draft_from(draft)
    question = Question.objects.get(version=draft, code="watch-process")
    question.show_if_question = Question.objects.get(version=other, code="lists")
    question.save()
    assert any("another version" in m for m in messages(draft))


def test_publishing_lists_gaps_and_overlaps_in_score_bands(draft):
    ScoreBand.objects.filter(code="high").update(min_score=60)
    assert any("gap between bands “low” and “high”" in m for m in messages(draft))
    ScoreBand.objects.filter(code="high").update(min_score=40)
    assert any("bands “low” and “high” overlap" in m for m in messages(draft))


def test_new_draft_copies_everything_with_codes(published):
    draft = new_draft_from(published)
    assert draft.number == 2 and draft.is_draft and draft.based_on == published
    without_changelog = export_questionnaire(published).replace(
        "  changelog:\n    en: First version.\n    zh-hans: 第一版。\n", ""
    )
    assert export_questionnaire(draft).replace("number: 2", "number: 1", 1) == without_changelog
    watch = Question.objects.get(version=draft, code="watch-process")
    assert watch.show_if_question.version == draft


def test_compare_lists_a_changed_question(published):
    draft = new_draft_from(published)
    question = Question.objects.get(version=draft, code="policy-signed")
    question.weight = 3
    question.save()
    Question.objects.get(version=draft, code="last-audit").delete()
    comparison = compare_versions(published, draft)
    [changed] = comparison.of_kind("changed")
    assert (changed.what, changed.code, changed.fields) == ("question", "policy-signed", ["weight"])
    [removed] = comparison.of_kind("removed")
    assert removed.code == "last-audit"
