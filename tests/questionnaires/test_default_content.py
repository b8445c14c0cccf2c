"""The default questionnaire that ships with the product: complete, coherent, loadable."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command

from compliance.questionnaires.document import document_from_version
from compliance.questionnaires.models import Question, QuestionnaireVersion
from compliance.questionnaires.services import export_questionnaire
from compliance.questionnaires.validation import check_document
from compliance.questionnaires.yaml_format import load

ROOT = Path(__file__).resolve().parent.parent.parent
YAML_FILE = ROOT / "fixtures" / "questionnaires" / "cn-export-control-icp.yaml"


@pytest.fixture(scope="module")
def document():
    return load(YAML_FILE.read_bytes())


@pytest.fixture
def loaded(db):
    call_command("loaddata", "default_questionnaire", verbosity=0)
    return QuestionnaireVersion.objects.get(questionnaire__slug="cn-export-control-icp", number=1)


def test_fixture_loads_twice_without_change_and_matches_the_yaml(loaded):
    before = export_questionnaire(loaded)
    counts = (Question.objects.count(), loaded.sections.count())
    call_command("loaddata", "default_questionnaire", verbosity=0)
    assert (Question.objects.count(), loaded.sections.count()) == counts
    after = export_questionnaire(QuestionnaireVersion.objects.get(number=1))
    assert before == after == YAML_FILE.read_text(encoding="utf-8")


def test_the_version_is_published_and_passes_every_publishing_check(loaded):
    assert loaded.status == QuestionnaireVersion.Status.PUBLISHED
    assert check_document(document_from_version(loaded), publishing=True) == []


def both(text) -> bool:
    return bool(text.en.strip() and text.zh_hans.strip())


def test_structure_follows_the_brief(document):
    assert 12 <= len(document.sections) <= 14
    assert 70 <= len(document.questions()) <= 100
    assert all(len(section.questions) >= 4 for section in document.sections)
    assert [band.code for band in document.score_bands] == [
        "initial",
        "developing",
        "defined",
        "managed",
        "optimised",
    ]
    assert all(both(band.label) and both(band.description) for band in document.score_bands)
    assert both(document.methodology) and both(document.changelog)
    types = {question.type for question in document.questions()}
    assert {"yes_partial_no", "maturity", "single_choice", "multiple_choice", "date"} <= types


def test_every_section_states_its_purpose_origin_and_crosswalk(document):
    for section in document.sections:
        assert both(section.title) and both(section.description), section.code
        assert both(section.crosswalk), section.code
        assert section.white_paper_part in {"I", "II", "III", "IV"}, section.code


def test_every_question_is_complete_in_both_languages(document):
    for question in document.questions():
        assert both(question.text), question.code
        assert both(question.guidance), question.code
        assert both(question.recommendation), question.code
        assert question.references, question.code
        for choice in question.choices:
            assert both(choice.label), (question.code, choice.code)


def test_scored_questions_span_zero_to_full_marks(document):
    for question in document.questions():
        if not question.is_scored:
            continue
        scores = [choice.score for choice in question.choices]
        assert min(scores) == 0, question.code
        if question.type == "multiple_choice":
            assert sum(scores) >= 1, question.code
        else:
            assert max(scores) == 1, question.code


def test_critical_questions_are_scored_and_weighty(document):
    critical = [question for question in document.questions() if question.critical]
    assert 6 <= len(critical) <= 15
    for question in critical:
        assert question.is_scored and question.weight > Decimal(0), question.code
    codes = {question.code for question in critical}
    assert {"screen-controlled-parties", "class-before-export", "enduse-catch-all"} <= codes


def test_every_show_if_resolves_to_an_earlier_question_and_its_choices(document):
    seen: dict[str, set[str]] = {}
    conditions = 0
    for question in document.questions():
        if question.show_if:
            conditions += 1
            assert question.show_if.question in seen, question.code
            assert set(question.show_if.choices) <= seen[question.show_if.question]
        seen[question.code] = {choice.code for choice in question.choices}
    assert conditions >= 3


def test_na_is_allowed_only_sparingly(document):
    allowed = [question.code for question in document.questions() if question.na_allowed]
    assert 0 < len(allowed) <= 10


def test_unconfirmed_article_numbers_are_not_cited(document):
    # DOMAIN.md marks these Export Control Law article numbers as unconfirmed.
    for question in document.questions():
        for reference in question.references:
            if reference.source == "ecl":
                assert reference.locator.en not in {
                    "Art. 9",
                    "Art. 14",
                    "Art. 15",
                    "Art. 16",
                    "Art. 17",
                    "Art. 18",
                    "Art. 20",
                }, question.code
