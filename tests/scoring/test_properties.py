"""Properties of scoring that must hold for any questionnaire and any answers."""

from dataclasses import replace
from fractions import Fraction as F

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.scoring import (
    AnswerData,
    ChoiceSpec,
    QuestionnaireSpec,
    QuestionSpec,
    SectionSpec,
    score,
)
from tests.factories import BANDS

LEVELS = (F(0), F(1, 4), F(1, 2), F(3, 4), F(1))
CHOICES = tuple(ChoiceSpec(f"l{i}", level) for i, level in enumerate(LEVELS))


@st.composite
def questionnaires(draw):
    sections = []
    counter = 0
    for s in range(draw(st.integers(1, 4))):
        questions = []
        for _ in range(draw(st.integers(1, 6))):
            counter += 1
            questions.append(
                QuestionSpec(
                    f"q{counter}",
                    "maturity",
                    F(draw(st.integers(0, 5))),
                    critical=draw(st.booleans()),
                    na_allowed=True,
                    choices=CHOICES,
                )
            )
        sections.append(SectionSpec(f"s{s}", F(draw(st.integers(0, 3))), tuple(questions)))
    return QuestionnaireSpec(tuple(sections), BANDS)


@st.composite
def cases(draw):
    questionnaire = draw(questionnaires())
    answers = {}
    for question in questionnaire.questions():
        kind = draw(st.sampled_from(["level", "level", "na", "none"]))
        if kind == "level":
            answers[question.code] = AnswerData(
                choices=frozenset({draw(st.sampled_from(CHOICES)).code})
            )
        elif kind == "na":
            answers[question.code] = AnswerData(not_applicable=True)
    return questionnaire, answers


def scores(result) -> list:
    return [result.score] + [section.score for section in result.sections]


@settings(max_examples=200, deadline=None)
@given(cases())
def test_scores_stay_within_0_and_100(case):
    result = score(*case)
    for value in scores(result):
        assert value is None or 0 <= value <= 100


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_improving_one_answer_never_lowers_any_score(case, data):
    questionnaire, answers = case
    answered = [code for code, a in answers.items() if a.choices]
    if not answered:
        return
    code = data.draw(st.sampled_from(answered))
    current = int(next(iter(answers[code].choices))[1:])
    better = data.draw(st.integers(current, 4))
    improved = {**answers, code: AnswerData(choices=frozenset({f"l{better}"}))}
    before, after = score(questionnaire, answers), score(questionnaire, improved)
    for old, new in zip(scores(before), scores(after), strict=True):
        if old is not None:
            assert new >= old - 1e-9


@settings(max_examples=200, deadline=None)
@given(cases(), st.data())
def test_not_applicable_equals_removing_the_question(case, data):
    questionnaire, answers = case
    code = data.draw(st.sampled_from([q.code for q in questionnaire.questions()]))
    with_na = {**answers, code: AnswerData(not_applicable=True)}
    removed = QuestionnaireSpec(
        tuple(
            replace(section, questions=tuple(q for q in section.questions if q.code != code))
            for section in questionnaire.sections
        ),
        questionnaire.bands,
    )
    a, b = score(questionnaire, with_na), score(removed, answers)
    assert a.score == b.score and a.band == b.band
    assert [s.score for s in a.sections] == [s.score for s in b.sections]


@settings(max_examples=100, deadline=None)
@given(cases(), st.randoms())
def test_the_result_does_not_depend_on_the_order_of_answers(case, random):
    questionnaire, answers = case
    items = list(answers.items())
    random.shuffle(items)
    assert score(questionnaire, dict(items)) == score(questionnaire, answers)


@given(cases())
def test_a_frozen_result_reads_back_as_the_same_result(case):
    """What a submitted assessment stores (to_json) is what a report reads (from_json)."""
    from compliance.scoring import Result

    frozen = score(*case).to_json()
    again = Result.from_json(frozen)
    assert again.to_json() == frozen
    assert all(isinstance(q.status, str) for s in again.sections for q in s.questions)
