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
    ShowIfSpec,
    progress,
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


@st.composite
def routed_cases(draw):
    """A case whose questions and sections may hang on an earlier question's choices."""
    questionnaire, answers = draw(cases())
    earlier: list[str] = []
    sections = []
    for section in questionnaire.sections:
        condition = None
        if earlier and draw(st.booleans()):
            condition = ShowIfSpec(
                draw(st.sampled_from(earlier)),
                frozenset({draw(st.sampled_from(CHOICES)).code}),
                draw(st.sampled_from(["any", "all"])),
            )
        questions = []
        for question in section.questions:
            if earlier and draw(st.booleans()):
                question = replace(
                    question,
                    show_if=ShowIfSpec(
                        draw(st.sampled_from(earlier)),
                        frozenset(
                            c.code for c in draw(st.lists(st.sampled_from(CHOICES), min_size=1))
                        ),
                    ),
                )
            questions.append(question)
            earlier.append(question.code)
        sections.append(replace(section, questions=tuple(questions), show_if=condition))
    return replace(questionnaire, sections=tuple(sections)), answers


@settings(max_examples=200, deadline=None)
@given(routed_cases())
def test_progress_gives_every_status_and_count_that_scoring_gives(case):
    """The progress a page being filled in shows is the scoring's, without the points."""
    result, counted = score(*case), progress(*case)
    assert (counted.answered, counted.applicable) == (result.answered, result.applicable)
    for section, section_progress in zip(result.sections, counted.sections, strict=True):
        assert section_progress.shown == section.shown
        assert section_progress.hidden == section.hidden
        assert [(q.code, q.status) for q in section_progress.questions] == [
            (q.code, q.status) for q in section.questions
        ]
