"""From an assessment's answers to the pure scoring package's input, and its result."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from django.db.models import F

from compliance.questionnaires.selectors import LoadedVersion
from compliance.scoring import AnswerData, Progress, Result, progress, score

from .models import Answer, Assessment


def answer_data(answer: Answer) -> AnswerData:
    return _data(
        answer.choice_codes,
        answer.value_number,
        answer.value_text,
        answer.value_date,
        answer.not_applicable,
    )


def _data(choice_codes, number, text: str, when, not_applicable: bool) -> AnswerData:
    return AnswerData(
        choices=frozenset(choice_codes or ()),
        number=number,
        has_value=bool(text.strip()) or when is not None,
        not_applicable=not_applicable,
    )


def answers_by_code(assessment: Assessment) -> dict[str, Answer]:
    """The assessment's answers by question code, each with its last author."""
    answers = (
        Answer.objects.filter(assessment=assessment)
        .annotate(code=F("question__code"))
        .select_related("updated_by")
    )
    return {answer.code: answer for answer in answers}


@dataclass(frozen=True)
class AnswerStates:
    """Every answer of an assessment as its progress reads it: what scoring needs, by
    question code, and which answers are still carried over. Read as plain rows, not as
    model instances: a page shows the progress of every answer and the details of few."""

    data: dict[str, AnswerData]
    carried_over: frozenset[str]

    def with_answers(self, answers: Mapping[str, Answer]) -> AnswerStates:
        """These states with ``answers`` (by question code) as they now stand."""
        data, carried = dict(self.data), set(self.carried_over)
        for code, answer in answers.items():
            data[code] = answer_data(answer)
            if answer.carried_over:
                carried.add(code)
            else:
                carried.discard(code)
        return AnswerStates(data, frozenset(carried))


#: The answer fields that scoring and progress read (``AnswerData``).
SCORED_FIELDS = ("choice_codes", "value_number", "value_text", "value_date", "not_applicable")
_STATE_FIELDS = (*SCORED_FIELDS, "carried_over")


def answer_states(assessment: Assessment) -> AnswerStates:
    rows = Answer.objects.filter(assessment=assessment).values_list(
        "question__code", *_STATE_FIELDS
    )
    return _states(rows)


def _states(rows) -> AnswerStates:
    data, carried = {}, set()
    for code, choices, number, text, when, not_applicable, carried_over in rows:
        data[code] = _data(choices, number, text, when, not_applicable)
        if carried_over:
            carried.add(code)
    return AnswerStates(data, frozenset(carried))


def answers_with_states(
    assessment: Assessment,
    question_ids: Collection[int],
    authors: bool = False,
    states: bool = True,
) -> tuple[dict[int, Answer], AnswerStates | None]:
    """In one read: the answers to ``question_ids`` (by question id, each with its
    ``code``, and with its author's e-mail address when ``authors``) and the states of
    every answer of the assessment (None when not ``states``: only those answers are
    read)."""
    names = [field.attname for field in Answer._meta.concrete_fields]
    where = {name: names.index(name) for name in ("question_id", "updated_by_id", *_STATE_FIELDS)}
    columns = ["question__code", *names, *(["updated_by__email"] if authors else [])]
    rows = Answer.objects.filter(assessment=assessment).values_list(*columns)
    if not states:
        rows = rows.filter(question_id__in=question_ids)
    db = assessment._state.db
    user_model = Answer._meta.get_field("updated_by").related_model
    answers, rows_states = {}, []
    for code, *values in rows:
        if states:
            rows_states.append((code, *(values[where[name]] for name in _STATE_FIELDS)))
        if values[where["question_id"]] not in question_ids:
            continue
        # The ORM's own constructor of a row it read (Model.from_db), as a queryset does.
        answer = Answer.from_db(db, names, values[: len(names)])
        answer.code = code
        author = values[where["updated_by_id"]]
        if authors and author is not None:
            # The author as ``.only("email")`` would give it: the page shows the address.
            answer.updated_by = user_model.from_db(db, ["id", "email"], [author, values[-1]])
        answers[answer.question_id] = answer
    return answers, _states(rows_states) if states else None


def compute_result(content: LoadedVersion, answers: dict[str, Answer]) -> Result:
    return score(content.spec, {code: answer_data(a) for code, a in answers.items()})


def compute_progress(content: LoadedVersion, states: AnswerStates) -> Progress:
    """Each question's status and the counts, without the points (``progress``)."""
    return progress(content.spec, states.data)
