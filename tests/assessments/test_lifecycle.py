"""Creating (with carry-over), submitting, reopening; the history of an answer."""

import pytest
from django.urls import reverse

from compliance.assessments.models import Answer, Assessment, AssessmentEvent
from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    missing_items,
    save_answers,
)
from compliance.organisations.models import Membership
from compliance.questionnaires.models import Question
from compliance.questionnaires.services import new_draft_from, publish_version
from tests.factories import MembershipFactory


def answer(assessment, user, code, *choices, **values):
    question = Question.objects.get(version=assessment.version, code=code)
    item = Submitted(question, AnswerInput(choice_codes=tuple(choices), **values), None)
    return save_answers(assessment, [item], user)


def complete(assessment, user):
    answer(assessment, user, "policy-signed", "yes")
    answer(assessment, user, "policy-maturity", "l1")
    answer(assessment, user, "lists", "controlled")


def test_submit_lists_what_is_missing_then_freezes(editor_client, assessment, editor):
    url = reverse("assessment_submit", args=[assessment.uuid])
    page = editor_client.get(url).content.decode()
    assert "3 items must be completed" in page
    assert "Is the policy signed?" in page
    complete(assessment, editor.user)
    assert missing_items(assessment) == []
    response = editor_client.post(url)
    # Straight to the results, which say once that it is submitted.
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_results", args=[assessment.uuid])
    results = editor_client.get(response["Location"]).content.decode()
    assert (
        results.count("alert-success") == 1 and "the answers and the result are frozen" in results
    )
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.SUBMITTED
    # policy (weight 1): 2 + 0.5 of 3; screening (weight 2): 0.6 of 1 (watch-process hidden).
    assert assessment.result["sections"][0]["score"] == pytest.approx(2.5 / 3 * 100)
    assert assessment.result["sections"][1]["score"] == pytest.approx(60)
    assert assessment.result["score"] == pytest.approx((2.5 / 3 * 100 + 2 * 60) / 3)
    assert [e.kind for e in assessment.events.all()] == ["created", "submitted"]
    # A second submit or an edit gets a clear message, never a silent change.
    assert editor_client.post(url).status_code == 400


def test_an_owner_reopens_and_it_is_recorded(client, assessment, editor):
    complete(assessment, editor.user)
    from compliance.assessments.services import submit

    submit(assessment, editor.user)
    url = reverse("assessment_reopen", args=[assessment.uuid])
    client.force_login(editor.user)
    assert client.post(url).status_code == 403  # editors cannot reopen
    owner = MembershipFactory(organisation=editor.organisation, role=Membership.Role.OWNER)
    client.force_login(owner.user)
    client.post(url, {"note": "Auditor asked for a correction"})
    assessment.refresh_from_db()
    assert assessment.is_draft and assessment.result is None
    event = assessment.events.last()
    assert event.kind == AssessmentEvent.Kind.REOPENED and event.user == owner.user
    assert event.note == "Auditor asked for a correction"


def test_carry_over_copies_matching_answers_marked_until_confirmed(editor, assessment):
    complete(assessment, editor.user)
    answer(assessment, editor.user, "policy-signed", "partial", comment="CEO signature pending")
    version = assessment.version
    draft = new_draft_from(version)
    Question.objects.get(version=draft, code="policy-maturity").choices.filter(code="l1").delete()
    Question.objects.get(version=draft, code="lists").delete()
    new_version = publish_version(draft)
    follow_up = create_assessment(
        organisation=editor.organisation,
        version=new_version,
        title="2027",
        user=editor.user,
        carry_over_from=assessment,
    )
    copied = {a.question.code: a for a in follow_up.answers.select_related("question")}
    # policy-maturity's chosen choice no longer exists; lists no longer exists.
    assert set(copied) == {"policy-signed"}
    assert copied["policy-signed"].choice_codes == ["partial"]
    assert copied["policy-signed"].comment == "CEO signature pending"
    assert copied["policy-signed"].carried_over
    assert copied["policy-signed"].question.version == new_version

    # Confirming it, without changing it, clears the mark.
    question = copied["policy-signed"].question
    from compliance.assessments.services import loaded_token, parse_loaded_token

    revision, fields = parse_loaded_token(loaded_token(copied["policy-signed"]))
    item = Submitted(question, AnswerInput.of(copied["policy-signed"]), int(revision), fields, True)
    save_answers(follow_up, [item], editor.user)
    assert not Answer.objects.get(pk=copied["policy-signed"].pk).carried_over


@pytest.mark.parametrize("htmx", [False, True])
def test_a_carried_over_answer_is_confirmed_on_its_page(htmx, editor_client, editor, assessment):
    """The page posts the confirmation; the save builds its forms before it reads the
    answers, and still reads it (and still offers it again when the page has errors)."""
    complete(assessment, editor.user)
    follow_up = create_assessment(
        organisation=editor.organisation,
        version=assessment.version,
        title="2027",
        user=editor.user,
        carry_over_from=assessment,
    )
    url = reverse("assessment_section", args=[follow_up.uuid, 1])
    page = editor_client.get(url).content.decode()
    assert 'name="policy-signed-confirm"' in page
    code = "policy-signed"
    stored = Answer.objects.get(assessment=follow_up, question__code=code)
    from compliance.assessments.services import loaded_token

    data = {
        f"{code}-answer": "yes",
        f"{code}-loaded": loaded_token(stored),
        f"{code}-confirm": "on",
        "policy-maturity-answer": "no-such-choice",  # an error
        "save": "",
    }
    headers = {"HX-Request": "true"} if htmx else {}
    response = editor_client.post(url, data, headers=headers)
    assert not Answer.objects.get(pk=stored.pk).carried_over
    assert Answer.objects.get(assessment=follow_up, question__code="policy-maturity").carried_over
    if not htmx:
        page = response.content.decode()
        assert "Select a valid choice" in page
        # The answer left carried over is still offered for confirmation.
        assert 'name="policy-maturity-confirm"' in page


def test_every_change_is_recorded_and_shown_as_history(editor_client, assessment, editor):
    answer(assessment, editor.user, "policy-signed", "no")
    answer(assessment, editor.user, "policy-signed", "yes", comment="Signed on 3 March")
    stored = Answer.objects.get(question__code="policy-signed")
    assert stored.history.count() == 2
    url = reverse("assessment_question_history", args=[assessment.uuid, "policy-signed"])
    page = editor_client.get(url).content.decode()
    assert "Signed on 3 March" in page
    # Choice labels in the reader's language, never codes or Python lists.
    assert (
        "No → Yes" in page
        and "First answer: No" in page
        and "[" not in page.split('id="history"')[1]
    )
    assert editor.user.email in page
    editor_client.post("/i18n/setlang/", {"language": "zh-hans"})
    page = editor_client.get(url).content.decode()
    assert "否 → 是" in page


def test_new_assessment_page_defaults_and_creates(editor_client, default_v2, editor):
    default_version = default_v2.questionnaire.versions.get(number=1)
    page = editor_client.get("/assessments/new/").content.decode()
    assert "Export-control internal compliance self-assessment, version 1" in page
    # New assessments start on the latest version (2).
    assert f'<option value="{default_v2.pk}" selected>' in page
    response = editor_client.post(
        "/assessments/new/",
        {
            "title": "FY2026",
            "version": default_version.pk,
            "period_start": "2026-01-01",
            "period_end": "2025-12-31",
        },
    )
    assert "The period ends before it starts." in response.content.decode()
    response = editor_client.post(
        "/assessments/new/",
        {
            "title": "FY2026",
            "version": default_version.pk,
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
        },
    )
    created = Assessment.objects.get()
    assert response["Location"] == reverse("assessment_section", args=[created.uuid, 1])
    assert created.applicable_count > 60 and created.answered_count == 0
    dashboard = editor_client.get("/assessments/").content.decode()
    assert "FY2026" in dashboard and "0 of" in dashboard
