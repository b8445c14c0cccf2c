"""Version 2's additions to the format: a section shown only for some profiles, a
critical question's own threshold, what to show an auditor, a reference's framework
element, and a choice that needs a justification. Read, written, and checked."""

from pathlib import Path

import pytest

from compliance.questionnaires.models import Choice, Question, Reference, Section
from compliance.questionnaires.selectors import load_version
from compliance.questionnaires.services import export_questionnaire, import_questionnaire
from compliance.questionnaires.yaml_format import QuestionnaireFileError

pytestmark = pytest.mark.django_db

ROUTED = Path(__file__).resolve().parent / "routed.yaml"


def routed_yaml() -> str:
    """The sample questionnaire with the additions."""
    return ROUTED.read_text(encoding="utf-8")


def test_the_additions_are_read_into_the_models_and_the_scoring_snapshot():
    draft = import_questionnaire(routed_yaml())
    screening = Section.objects.get(version=draft, code="screening")
    assert screening.show_if_question.code == "activities"
    assert (screening.show_if_choices, screening.show_if_match) == (["listed"], "any")
    signed = Question.objects.get(version=draft, code="policy-signed")
    assert signed.critical_threshold == 0.75 and signed.evidence_zh_hans == "已签署的声明。"
    assert Reference.objects.get(question=signed, order=2).element == "1"
    assert Choice.objects.get(question__version=draft, code="services").justify
    spec = load_version(draft).spec
    assert spec.section("screening").show_if.choices == frozenset({"listed"})
    assert [q.critical_threshold for q in spec.questions() if q.critical] == [0.75]


def test_the_additions_survive_export_and_import():
    draft = import_questionnaire(routed_yaml())
    first = export_questionnaire(draft)
    for written in (
        "  weight: 2\n  show_if:\n    question: activities\n",
        "critical_threshold: 0.75",
        "    evidence:\n      en: The signed statement.",
        "element: '1'",
        "justify: true",
    ):
        assert written in first
    again = import_questionnaire(first)
    assert export_questionnaire(again) == first.replace("number: 1", "number: 2", 1)


def test_a_version_without_them_exports_as_before(sample_yaml):
    """No new key appears where the new fields keep their defaults: the content digest
    of every version published before them stays what it was."""
    text = export_questionnaire(import_questionnaire(sample_yaml))
    sections = text.split("sections:", 1)[1]
    for key in ("evidence", "critical_threshold", "element", "justify", "\n  show_if:"):
        assert key not in sections


def problems_of(content: str) -> list[str]:
    with pytest.raises(QuestionnaireFileError) as caught:
        import_questionnaire(content)
    return caught.value.problems


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("show_if: {question: activities", "show_if: {question: lists"),
            "show-if must point at an earlier question, not “lists”",
        ),
        (
            ("show_if: {question: activities", "show_if: {question: policy-maturity"),
            "show-if names “listed”, which is not a choice of “policy-maturity”",
        ),
        (
            ("critical_threshold: 0.75", "critical_threshold: 0"),
            "the critical threshold must be above 0 and at most 1",
        ),
        (
            ("        critical: true\n        critical_threshold", "        critical_threshold"),
            "only a critical question has a critical threshold",
        ),
        (("element: '1'", "element: '" + "x" * 41 + "'"), "at most 40 fit"),
    ],
    ids=["later-question", "not-its-choice", "zero-threshold", "not-critical", "long-element"],
)
def test_wrong_additions_are_refused_with_a_message(change, message):
    problems = problems_of(routed_yaml().replace(*change))
    assert any(message in problem for problem in problems), problems


def test_a_number_questions_choice_cannot_need_a_justification():
    number = """      - code: trained
        type: number
        text: {en: "How many trained?", zh-hans: 培训人数？}
        choices:
          - {code: some, label: {en: Some, zh-hans: 一些}, score: 1, min_value: 1, justify: true}
"""
    text = routed_yaml().replace(
        "      - code: last-audit\n", number + "      - code: last-audit\n"
    )
    [problem] = problems_of(text)
    assert "only a choice of a question answered by choices can need a justification" in problem
