"""Fuzzing the assessment forms: new, section save and autosave, submit, reopen; and
the bugs fuzzing found, pinned."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compliance.assessments.models import Answer, Assessment, AssessmentEvent
from compliance.assessments.services import loaded_token
from compliance.questionnaires.models import Question
from tests.security.checks import assert_escaped, assert_fits, assert_only_changed, row_counts
from tests.security.fuzzing import (
    DATES,
    EXTRAS,
    FIRST_PAGE,
    NUMBERS,
    TEXTS,
    TRIED,
    VALID_TEXTS,
    accepted,
    answer_rows,
    answered,
    assessment_rows,
    complete,
    form,
    fuzz,
    last,
    logged_in,
    posted,
    rolled_back,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ assessments


@fuzz("new assessment", 50)
@given(
    actor=st.sampled_from(["editor", "editor", "editor", "viewer"]),
    data=st.one_of(
        form(
            title=TEXTS,
            version=st.one_of(st.sampled_from(["published", "draft"]), NUMBERS),
            period_start=DATES,
            period_end=DATES,
            carry_over_from=st.one_of(st.sampled_from(["sibling", "foreign", "done"]), NUMBERS),
        ),
        accepted(
            title=VALID_TEXTS,
            version=st.just("published"),
            period_start=st.dates().map(date.isoformat),
            carry_over_from=st.sampled_from(["", "sibling", "done"]),
        ),
    ),
)
def test_new_assessment(world, actor, data):
    TRIED["new assessment"] += 1
    ids = {
        "published": world.version.pk,
        "draft": world.draft.pk,
        "sibling": world.sibling.pk,
        "foreign": world.foreign.pk,
        "done": world.done.pk,
    }

    def value(item):
        if isinstance(item, list):
            return [value(part) for part in item]
        return str(ids.get(item, item))

    data = {
        name: value(item) if name in ("version", "carry_over_from") else item
        for name, item in data.items()
    }
    with rolled_back():
        client = world.clients[actor]
        existing = set(Assessment.objects.values_list("pk", flat=True))
        answers = answer_rows(Answer.objects.all())
        before = row_counts()
        response = answered("new assessment", client.post(reverse("assessment_new"), data))
        assert response.status_code in ((200, 302) if actor == "editor" else (403,))
        assert answer_rows(Answer.objects.filter(assessment__in=existing)) == answers
        if response.status_code == 302:
            new = Assessment.objects.exclude(pk__in=existing).get()
            assert new.organisation == world.organisation
            assert new.version == world.version
            assert new.title == last(data, "title").strip()
            # Carried over from nothing, or from an assessment of its own organisation
            # (a number drawn may be the id of any of them), never from another's.
            assert new.based_on is None or new.based_on.organisation == world.organisation
            assert_fits(new)
            assert_only_changed(
                before,
                {"assessments.Assessment", "assessments.AssessmentEvent", "assessments.Answer"}
                | {"assessments.HistoricalAnswer"},
            )
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, new.title)
        else:
            assert_only_changed(before)
            if response.status_code == 200:
                assert_escaped(response.content.decode(), last(data, "title"))


LOADED = st.one_of(
    st.just("real"),
    st.from_regex(r"\A[0-9]{1,12}:[0-9a-f]{0,20}\Z"),
    TEXTS,
)
FLAGS = st.one_of(st.sampled_from(["on", "1", "true", "false", "0", ""]), TEXTS)


CHOICE_CODES = {
    "ypn": ["yes", "partial", "no"],
    "single": ["a", "b"],
    "maturity": ["l0", "l1"],
    "multi": ["x", "y"],
    "cond": ["yes", "partial", "no"],
}
ANSWERS = {
    **{
        code: st.one_of(st.sampled_from([*codes, "bogus", codes[0].upper()]), TEXTS)
        for code, codes in CHOICE_CODES.items()
    },
    "number": NUMBERS,
    "date": DATES,
    "text": TEXTS,
}


VALID_ANSWERS = {
    **{code: st.sampled_from(codes) for code, codes in CHOICE_CODES.items()},
    "multi": st.lists(st.sampled_from(CHOICE_CODES["multi"]), unique=True),
    "number": st.decimals(-(10**9), 10**9, places=4).map(str),
    "date": st.dates().map(date.isoformat),
    "text": VALID_TEXTS,
}


def _section_post(fields: dict, second_page: dict, button: dict, extras: dict) -> dict:
    data = {**extras, **second_page, **button}
    data.update({name: value for name, value in fields.items() if value is not None})
    return data


#: A post of the first page: every field of every question missing, one value or several,
#: valid or hostile; the second page's fields (which must be ignored); a button; unknown
#: fields.
SECTION_POSTS = st.builds(
    _section_post,
    st.fixed_dictionaries(
        {
            f"{code}-{name}": posted(values)
            for code in FIRST_PAGE
            for name, values in {
                "answer": ANSWERS[code],
                "comment": TEXTS,
                "evidence": TEXTS,
                "loaded": LOADED,
                "not_applicable": FLAGS,
                "na_justification": TEXTS,
                "confirm": FLAGS,
            }.items()
        }
    ),
    st.fixed_dictionaries(
        {"other-ypn-answer": st.just("no"), "other-text-answer": TEXTS, "other-ypn-comment": TEXTS}
    ),
    st.one_of(st.just({}), st.sampled_from([{"save_next": "1"}, {"previous": "1"}])),
    EXTRAS,
)
#: A post that saves: valid answers, comments and evidence notes (hostile text included).
VALID_SECTION_POSTS = st.builds(
    _section_post,
    st.fixed_dictionaries(
        {
            f"{code}-{name}": st.one_of(st.none(), values)
            for code in FIRST_PAGE
            for name, values in {
                "answer": VALID_ANSWERS[code],
                "comment": VALID_TEXTS,
                "evidence": VALID_TEXTS,
                "loaded": st.just("real"),
            }.items()
        }
    ),
    st.just({"other-ypn-answer": "no", "other-text-answer": "<b>ignored</b>"}),
    st.just({}),
    EXTRAS,
)


def _with_real_tokens(data: dict, assessment) -> dict:
    answers = {a.question.code: a for a in assessment.answers.select_related("question")}
    fixed = {}
    for name, value in data.items():
        code, _, field = name.rpartition("-")
        if field == "loaded":
            token = loaded_token(answers.get(code))
            value = (
                [token if v == "real" else v for v in value]
                if isinstance(value, list)
                else (token if value == "real" else value)
            )
        fixed[name] = value
    return fixed


def check_stored_answer(answer: Answer) -> None:
    """An answer the section page stored is valid for its question."""
    question = answer.question
    codes = {choice.code for choice in question.choices.all()}
    assert set(answer.choice_codes) <= codes
    if question.type != Question.Type.MULTIPLE_CHOICE:
        assert len(answer.choice_codes) <= 1
    if answer.value_number is not None:
        assert abs(answer.value_number) <= 10**9
    for name in ("comment", "evidence", "na_justification", "value_text"):
        text = getattr(answer, name)
        assert "\x00" not in text and len(text) <= 5000, name
    if answer.not_applicable:
        assert question.na_allowed and answer.na_justification.strip()


def section_save(world, data, *, htmx: bool) -> None:
    form = "section autosave (htmx)" if htmx else "section save"
    with rolled_back():
        client = world.clients["editor"]
        target = world.target
        data = _with_real_tokens(data, target)
        first = Answer.objects.filter(assessment=target, question__section__order=1)
        others = Answer.objects.exclude(pk__in=first.values("pk"))
        kept_answers = answer_rows(others)
        kept_assessments = assessment_rows(Assessment.objects.exclude(pk=target.pk))
        before = row_counts()
        url = reverse("assessment_section", args=[target.uuid, 1])
        headers = {"HX-Request": "true"} if htmx else {}
        response = answered(form, client.post(url, data, headers=headers))
        assert response.status_code in ((200,) if htmx else (200, 302))
        if response.status_code == 302:
            assert response["Location"].startswith(f"/assessments/{target.uuid}/sections/")
        assert answer_rows(Answer.objects.exclude(pk__in=first.values("pk"))) == kept_answers
        assert assessment_rows(Assessment.objects.exclude(pk=target.pk)) == kept_assessments
        assert Answer.objects.filter(assessment=target).count() == first.count() + 2
        for answer in first.select_related("question"):
            check_stored_answer(answer)
        assert_only_changed(before, {"assessments.Answer", "assessments.HistoricalAnswer"})
        if response.status_code == 200 and not htmx:  # the page again, with the problems
            assert_escaped(
                response.content.decode(),
                *(
                    last(data, f"{code}-{name}")
                    for code in FIRST_PAGE
                    for name in ("comment", "evidence")
                ),
            )
        else:
            assert_escaped(response.content.decode())
        page = client.get(url).content.decode()
        shown = [
            getattr(answer, name)
            for answer in first.select_related("question")
            for name in ("comment", "evidence", "value_text")
        ]
        shown += [a.na_justification for a in first.filter(question__na_allowed=True)]
        assert_escaped(page, *shown)
        if not htmx:
            results = client.get(reverse("assessment_results", args=[target.uuid]))
            assert results.status_code == 200
            comments = [a.comment for a in first] + [a.evidence for a in first]
            assert_escaped(results.content.decode(), *comments)


@fuzz("section save", 40)
@given(data=st.one_of(SECTION_POSTS, VALID_SECTION_POSTS))
def test_section_save(world, data):
    TRIED["section save"] += 1
    section_save(world, data, htmx=False)


@fuzz("section autosave (htmx)", 40)
@given(data=st.one_of(SECTION_POSTS, VALID_SECTION_POSTS))
def test_section_autosave(world, data):
    TRIED["section autosave (htmx)"] += 1
    section_save(world, data, htmx=True)


@fuzz("submit", 30)
@given(
    actor=st.sampled_from(["editor", "editor", "viewer"]),
    filled=st.booleans(),
    data=EXTRAS,
)
def test_submit(world, actor, filled, data):
    TRIED["submit"] += 1
    with rolled_back():
        client = world.clients[actor]
        if filled:
            complete(world.target, world.questions)
        answers = answer_rows(Answer.objects.all())
        others = assessment_rows(Assessment.objects.exclude(pk=world.target.pk))
        before = row_counts()
        response = answered(
            "submit", client.post(reverse("assessment_submit", args=[world.target.uuid]), data)
        )
        target = Assessment.objects.get(pk=world.target.pk)
        assert answer_rows(Answer.objects.all()) == answers
        assert assessment_rows(Assessment.objects.exclude(pk=target.pk)) == others
        if actor == "viewer":
            assert response.status_code == 403
        elif filled:
            assert response.status_code == 302
            assert target.status == Assessment.Status.SUBMITTED
            # The event, and the e-mail to the reviewers (the owner) that it waits for them.
            assert_only_changed(
                before, {"assessments.AssessmentEvent", "notifications.OutgoingMail"}
            )
            return
        else:
            assert response.status_code == 200
            assert_escaped(response.content.decode())
        assert target.is_draft
        assert_only_changed(before)


# A NUL is refused with a message (test_reopen_note_with_nul); the rest reopens.
NOTES = TEXTS.filter(lambda text: "\x00" not in text)


@fuzz("reopen", 40)
@given(actor=st.sampled_from(["owner", "owner", "editor"]), data=form(note=NOTES))
def test_reopen(world, actor, data):
    TRIED["reopen"] += 1
    with rolled_back():
        client = world.clients[actor]
        others = assessment_rows(Assessment.objects.exclude(pk=world.done.pk))
        answers = answer_rows(Answer.objects.all())
        before = row_counts()
        response = answered(
            "reopen", client.post(reverse("assessment_reopen", args=[world.done.uuid]), data)
        )
        done = Assessment.objects.get(pk=world.done.pk)
        assert assessment_rows(Assessment.objects.exclude(pk=done.pk)) == others
        assert answer_rows(Answer.objects.all()) == answers
        if actor == "editor":
            assert response.status_code == 403
            assert not done.is_draft
            assert_only_changed(before)
            return
        assert response.status_code == 302
        assert done.is_draft
        event = done.events.get(kind=AssessmentEvent.Kind.REOPENED)
        assert event.note == (last(data, "note") or "")[:2000]
        assert_fits(event)
        assert_only_changed(before, {"assessments.AssessmentEvent", "sessions.Session"})
        page = client.get(reverse("assessment_overview", args=[done.uuid])).content.decode()
        assert_escaped(page, event.note)


# ------------------------------------------------------------------------ bugs found and fixed


@pytest.mark.parametrize("revision", ["²", "9" * 5000])
def test_loaded_token_is_never_a_server_error(world, revision):
    client = logged_in(world.editor.user)
    url = reverse("assessment_section", args=[world.target.uuid, 1])
    response = client.post(url, {"ypn-answer": "no", "ypn-loaded": f"{revision}:abc"})
    assert response.status_code < 500


def test_reopen_note_with_nul(world):
    client = logged_in(world.owner.user)
    before = row_counts()
    response = client.post(
        reverse("assessment_reopen", args=[world.done.uuid]), {"note": "late\x00fix"}
    )
    assert response.status_code < 500
    assert not Assessment.objects.get(pk=world.done.pk).is_draft
    assert_only_changed(before, {"sessions.Session"})
