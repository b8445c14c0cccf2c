"""YAML import and export: round trips, and bad files refused with the line at fault."""

import pytest

from compliance.questionnaires.models import Choice, Question, Questionnaire, QuestionnaireVersion
from compliance.questionnaires.services import export_questionnaire, import_questionnaire
from compliance.questionnaires.yaml_format import QuestionnaireFileError


def test_import_creates_a_draft_with_everything(draft):
    assert draft.status == QuestionnaireVersion.Status.DRAFT
    assert draft.number == 1
    assert [s.code for s in draft.sections.all()] == ["policy", "screening"]
    signed = Question.objects.get(version=draft, code="policy-signed")
    assert signed.critical and signed.weight == 2
    assert [c.code for c in signed.choices.all()] == ["yes", "partial", "no"]
    assert signed.references.get().locator_zh_hans == "第五条"
    watch = Question.objects.get(version=draft, code="watch-process")
    assert watch.show_if_question.code == "lists" and watch.show_if_choices == ["watch"]


def test_export_import_export_is_byte_identical(draft):
    first = export_questionnaire(draft)
    # Move the file to an installation that does not have this questionnaire yet.
    Questionnaire.objects.all().delete()
    again = import_questionnaire(first)
    assert again.number == 1
    assert export_questionnaire(again) == first


def test_importing_an_existing_questionnaire_adds_the_next_draft(draft, sample_yaml):
    second = import_questionnaire(sample_yaml)
    assert second.questionnaire == draft.questionnaire
    assert second.number == 2
    assert export_questionnaire(second) == export_questionnaire(draft).replace(
        "number: 1", "number: 2", 1
    )


def test_export_keeps_chinese_readable(draft):
    text = export_questionnaire(draft)
    assert "zh-hans: 政策是否已签署？" in text
    assert "methodology:\n    en: |-\n      Points over maximum." in text


def problems_of(content: str) -> list[str]:
    with pytest.raises(QuestionnaireFileError) as caught:
        import_questionnaire(content)
    return caught.value.problems


@pytest.mark.django_db
def test_unknown_key_is_named_with_its_line(sample_yaml):
    content = sample_yaml.replace("        weight: 2\n", "        wieght: 2\n")
    [problem] = problems_of(content)
    assert problem.startswith("Line 28, sections[1].questions[1].wieght: unknown key")
    assert Questionnaire.objects.count() == 0


@pytest.mark.django_db
def test_missing_field_is_named(sample_yaml):
    content = sample_yaml.replace("        type: maturity\n", "")
    [problem] = problems_of(content)
    assert "sections[1].questions[2]" in problem and "“type” is missing" in problem


@pytest.mark.django_db
def test_bad_score_is_named_with_its_line(sample_yaml):
    content = sample_yaml.replace("{en: Full, zh-hans: 完全}, score: 1}", "{en: Full}, score: 1.5}")
    [problem] = problems_of(content)
    assert problem.startswith("Line 36, sections[1].questions[2].choices[3].score")
    assert "1.5 is outside 0 to 1" in problem


@pytest.mark.django_db
def test_duplicate_code_is_named(sample_yaml):
    content = sample_yaml.replace("code: watch-process", "code: lists")
    problems = problems_of(content)
    assert any(
        "sections[2].questions[2].code" in p and "duplicate question code" in p for p in problems
    )


@pytest.mark.django_db
def test_show_if_on_a_later_question_is_refused(sample_yaml):
    content = sample_yaml.replace(
        "        na_allowed: true\n",
        "        na_allowed: true\n",
    ).replace(
        "        weight: 2\n        critical: true\n",
        "        weight: 2\n        critical: true\n"
        "        show_if: {question: lists, choices: [watch]}\n",
    )
    problems = problems_of(content)
    assert any("earlier question" in p for p in problems)


@pytest.mark.django_db
def test_show_if_with_an_unknown_choice_is_refused(sample_yaml):
    problems = problems_of(sample_yaml.replace("choices: [watch]", "choices: [wtch]"))
    assert any("“wtch”, which is not a choice of “lists”" in p for p in problems)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("", "The file is empty."),
        ("sections: [\n", "this is not valid YAML"),
        ("a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("just text", "expected a mapping"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        ("x" * (3 * 1024 * 1024), "larger than 2 MB"),
    ],
)
def test_malformed_files_are_refused_and_change_nothing(content, expected):
    problems = problems_of(content)
    assert any(expected in p for p in problems), problems
    assert Questionnaire.objects.count() == 0
    assert Choice.objects.count() == 0


@pytest.mark.django_db
def test_unquoted_yes_as_a_code_gets_a_hint(sample_yaml):
    content = sample_yaml.replace("{code: l0,", "{code: yes,")
    [problem] = problems_of(content)
    assert "write yes, no, on and off in quotes" in problem


def test_an_exclusive_choice_survives_export_and_import(draft):
    from compliance.questionnaires.services import export_questionnaire

    text = export_questionnaire(draft)
    assert "exclusive: true" in text
    again = import_questionnaire(text.replace("number: 1", "number: 2"))
    assert (
        again.sections.get(code="screening")
        .questions.get(code="lists")
        .choices.get(code="none")
        .exclusive
    )


@pytest.mark.django_db
def test_only_a_multiple_choice_question_has_exclusive_choices(sample_yaml):
    broken = sample_yaml.replace(
        "- {code: l0, label: {en: None, zh-hans: 无}, score: 0}",
        "- {code: l0, label: {en: None, zh-hans: 无}, score: 0, exclusive: true}",
    )
    [problem] = problems_of(broken)
    assert "only a multiple-choice question's choice can be exclusive" in problem


@pytest.mark.django_db
def test_a_critical_question_of_weight_0_is_refused_as_unscored(sample_yaml):
    """One rule of what carries points, for the validator and the scoring engine alike:
    a weight of 0 carries none, so such a question could never be a critical finding."""
    [problem] = problems_of(sample_yaml.replace("        weight: 2\n", "        weight: 0\n", 1))
    assert "a critical question must be scored" in problem
