"""The review of a submitted assessment: roles, comments, return for changes, approval with
its independence rule, withdrawal, and the races between them (issue 20)."""

from __future__ import annotations

import hashlib
import json

import pytest
from django.core import mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from compliance.assessments import workflow
from compliance.assessments.models import (
    Approval,
    Assessment,
    AssessmentEvent,
    ReviewComment,
)
from compliance.assessments.services import (
    AnswerInput,
    AssessmentLocked,
    Submitted,
    reopen,
    save_answers,
    submit,
)
from compliance.organisations.models import Membership
from compliance.questionnaires.models import Question
from compliance.reports import approval as approvals
from compliance.reports import signing
from compliance.reports.models import SignedReport
from tests.factories import MembershipFactory, answer_all, give


@pytest.fixture
def team(editor):
    organisation = editor.organisation
    return {
        "editor": editor,
        "owner": MembershipFactory(organisation=organisation, role=Membership.Role.OWNER),
        "reviewer": MembershipFactory(organisation=organisation, role=Membership.Role.REVIEWER),
        "second": MembershipFactory(organisation=organisation, role=Membership.Role.REVIEWER),
        "viewer": MembershipFactory(organisation=organisation, role=Membership.Role.VIEWER),
    }


@pytest.fixture
def submitted(assessment, team, django_capture_on_commit_callbacks):
    answer_all(assessment, team["editor"].user)
    with django_capture_on_commit_callbacks(execute=True):
        return submit(assessment, team["editor"].user, site="https://icp.example")


def login(client, membership):
    client.force_login(membership.user)
    return client


def url(name, assessment, *args):
    return reverse(name, args=[assessment.uuid, *args])


def fresh(assessment) -> Assessment:
    return Assessment.objects.get(pk=assessment.pk)


def test_submitting_waits_for_a_review_and_tells_the_reviewers(submitted, team):
    assert submitted.status == Assessment.Status.SUBMITTED and submitted.review_required
    assert submitted.awaiting_review and not submitted.is_final
    event = submitted.events.last()
    assert (event.kind, event.from_status, event.to_status) == ("submitted", "draft", "submitted")
    # Reviewers and owners, not the submitter, not viewers: one mail each, with a link.
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted(
        [team["owner"].user.email, team["reviewer"].user.email, team["second"].user.email]
    )
    message = mail.outbox[0]
    assert submitted.title in message.subject and "\n" not in message.subject
    assert f"https://icp.example{url('assessment_review', submitted)}" in message.body


def test_without_review_submission_is_final(assessment, team, client):
    organisation = assessment.organisation
    organisation.review_required = False
    organisation.save()
    answer_all(assessment, team["editor"].user)
    done = submit(assessment, team["editor"].user)
    assert done.is_final and not done.awaiting_review
    assert mail.outbox == []
    response = login(client, team["reviewer"]).post(
        url("assessment_approve", done), {"statement": "ok"}
    )
    assert response.status_code == 409
    assert "does not need a review" in response.content.decode()
    assert fresh(done).status == Assessment.Status.SUBMITTED and not Approval.objects.exists()
    # The overview says so.
    page = client.get(url("assessment_overview", done)).content.decode()
    assert 'id="final-notice"' in page


def test_only_reviewers_and_owners_review(submitted, team, client):
    for role in ("editor", "viewer"):
        login(client, team[role])
        assert client.get(url("assessment_review", submitted)).status_code == 403
        for name in (
            "assessment_review_start",
            "assessment_review_comment",
            "assessment_review_return",
            "assessment_approve",
        ):
            response = client.post(
                url(name, submitted), {"body": "x", "note": "x", "statement": "x"}
            )
            assert response.status_code == 403, (role, name)
    assert fresh(submitted).status == Assessment.Status.SUBMITTED
    assert not ReviewComment.objects.exists()
    page = login(client, team["reviewer"]).get(url("assessment_review", submitted))
    assert page.status_code == 200
    assert "Approve and sign" in page.content.decode()


def test_a_reviewer_may_not_answer(submitted, team, client):
    reopen(submitted, team["owner"].user)
    login(client, team["reviewer"])
    response = client.post(url("assessment_section", submitted, 1), {"policy-signed-answer": "no"})
    assert response.status_code == 403


def test_a_comment_starts_the_review_and_bad_comments_are_refused(submitted, team, client):
    login(client, team["reviewer"])
    question = Question.objects.get(version=submitted.version, code="policy-signed")
    response = client.post(
        url("assessment_review_comment", submitted),
        {"question": question.code, "body": "Signed by whom?"},
    )
    assert response.status_code == 302
    assessment = fresh(submitted)
    assert assessment.status == Assessment.Status.IN_REVIEW
    assert assessment.events.last().kind == AssessmentEvent.Kind.REVIEW_STARTED
    comment = ReviewComment.objects.get()
    assert comment.question == question and comment.author == team["reviewer"].user
    # Empty, NUL, too long, or a question of no such code: a 400 that keeps the text.
    for data, message in (
        ({"body": "   "}, "The comment is required."),
        ({"body": "a\x00b"}, "NUL"),
        ({"body": "x" * 4001}, "at most 4000"),
        ({"body": "Keep me", "question": "no-such-question"}, "not part of this assessment"),
    ):
        response = client.post(url("assessment_review_comment", submitted), data)
        assert response.status_code == 400, data
        assert message in response.content.decode()
    assert "Keep me" in response.content.decode()
    assert ReviewComment.objects.count() == 1


def test_returning_needs_a_comment_and_the_editor_sees_and_resolves_them(
    submitted, team, client, django_capture_on_commit_callbacks
):
    editor = team["editor"]
    editor.user.preferred_language = "zh-hans"
    editor.user.save()
    login(client, team["reviewer"])
    response = client.post(url("assessment_review_return", submitted), {"note": ""})
    assert response.status_code == 400
    assert "add at least one comment" in response.content.decode()
    assert fresh(submitted).status != Assessment.Status.RETURNED
    mail.outbox.clear()
    question = Question.objects.get(version=submitted.version, code="policy-signed")
    workflow.add_comment(
        submitted, team["reviewer"].user, team["reviewer"], "Attach the signed copy.", question
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("assessment_review_return", submitted), {"note": "Two things to fix."}
        )
    assert response.status_code == 302
    assessment = fresh(submitted)
    assert assessment.status == Assessment.Status.RETURNED and assessment.is_draft
    assert assessment.result is None and assessment.submitted_at is None
    event = assessment.events.last()
    assert (event.kind, event.from_status, event.to_status, event.note) == (
        "returned",
        "in_review",
        "returned",
        "Two things to fix.",
    )
    assert ReviewComment.objects.filter(question=None, body="Two things to fix.").exists()
    # The respondent is told, in Chinese.
    assert [m.to[0] for m in mail.outbox] == [editor.user.email]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in mail.outbox[0].subject)
    # The editor sees the comments on the overview and the section, and resolves them.
    login(client, editor)
    overview = client.get(url("assessment_overview", assessment)).content.decode()
    assert "Attach the signed copy." in overview and "Two things to fix." in overview
    section = client.get(url("assessment_section", assessment, 1)).content.decode()
    assert "Attach the signed copy." in section and "Two things to fix." not in section
    give(assessment, editor.user, "policy-signed", "yes", comment="Signed copy attached.")
    comment = ReviewComment.objects.get(question=question)
    response = client.post(
        url("assessment_comment_resolve", assessment, comment.pk),
        {"next": url("assessment_section", assessment, 1)},
    )
    assert response.status_code == 302 and response["Location"] == url(
        "assessment_section", assessment, 1
    )
    comment.refresh_from_db()
    assert comment.resolved_by == editor.user and comment.resolved_at is not None
    # A viewer cannot resolve; a comment of another assessment is a 404.
    general = ReviewComment.objects.get(question=None)
    assert (
        login(client, team["viewer"])
        .post(url("assessment_comment_resolve", assessment, general.pk))
        .status_code
        == 403
    )
    # Resubmitted, the reviewer sees what changed since the return.
    submit(assessment, editor.user)
    page = (
        login(client, team["reviewer"]).get(url("assessment_review", assessment)).content.decode()
    )
    assert 'id="since-return"' in page
    assert "1 answer changed" in page and "1 comment resolved" in page


def test_resolving_needs_an_editable_assessment(submitted, team, client):
    comment = workflow.add_comment(submitted, team["reviewer"].user, team["reviewer"], "Why?")
    response = login(client, team["editor"]).post(
        url("assessment_comment_resolve", submitted, comment.pk)
    )
    assert response.status_code == 409
    comment.refresh_from_db()
    assert comment.resolved_at is None


def test_answers_cannot_change_during_the_review(submitted, team):
    question = Question.objects.get(version=submitted.version, code="policy-signed")
    with pytest.raises(AssessmentLocked):
        save_answers(
            submitted,
            [Submitted(question, AnswerInput(choice_codes=("no",)), None)],
            team["editor"].user,
        )


def test_the_approver_must_not_have_answered(submitted, team, client):
    owner = team["owner"]
    # The owner answered one question: refused, with the reason.
    reopen(submitted, owner.user)
    give(submitted, owner.user, "lists", "controlled", comment="Checked by the owner")
    submit(submitted, team["editor"].user)
    response = login(client, owner).post(
        url("assessment_approve", submitted), {"statement": "Fine."}
    )
    assert response.status_code == 403
    assert not Approval.objects.exists() and fresh(submitted).status == Assessment.Status.SUBMITTED
    page = client.get(url("assessment_review", submitted)).content.decode()
    assert "You answered questions of this assessment" in page
    # The submitter is refused too (even one who wrote no answer).
    reopen(submitted, owner.user)
    submit(submitted, owner.user)
    with pytest.raises(Exception, match="You submitted this assessment"):
        workflow.check_approver(fresh(submitted), owner.user, owner)


def test_with_the_rule_off_an_owner_who_answered_may_approve(submitted, team):
    owner = team["owner"]
    organisation = submitted.organisation
    organisation.approver_independent = False
    organisation.save()
    reopen(submitted, owner.user)
    give(submitted, owner.user, "lists", "controlled")
    submit(submitted, owner.user)
    workflow.check_approver(fresh(submitted), owner.user, owner)  # no refusal


def test_approval_freezes_signs_and_tells_the_respondents(
    submitted, team, client, django_capture_on_commit_callbacks
):
    workflow.add_comment(submitted, team["reviewer"].user, team["reviewer"], "Looks right.")
    mail.outbox.clear()
    login(client, team["reviewer"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url("assessment_approve", submitted), {"statement": "I confirm this assessment."}
        )
    assert response.status_code == 302
    assert response["Location"] == url("assessment_results", submitted)
    assessment = fresh(submitted)
    assert assessment.status == Assessment.Status.APPROVED and assessment.is_final
    approval = Approval.objects.get()
    assert approval.approved_by == team["reviewer"].user
    assert approval.statement == "I confirm this assessment."
    # The record is canonical JSON and its SHA-256 is the one stored.
    assert hashlib.sha256(approval.record.encode()).hexdigest() == approval.record_sha256
    record = json.loads(approval.record)
    assert record["result"] == assessment.result
    assert [e["event"] for e in record["events"]] == ["created", "submitted", "review_started"]
    assert record["review_comments"][0]["comment"] == "Looks right."
    assert len(record["answers"]) == assessment.answers.count()
    event = assessment.events.last()
    assert (event.kind, event.from_status, event.to_status) == ("approved", "in_review", "approved")
    # Four documents, each signed and intact.
    documents = SignedReport.objects.filter(approval=approval)
    assert sorted(documents.values_list("kind", "language")) == [
        ("board", "en"),
        ("board", "zh-hans"),
        ("full", "en"),
        ("full", "zh-hans"),
    ]
    for document in documents:
        data = bytes(document.data)
        assert hashlib.sha256(data).hexdigest() == document.sha256 and document.size == len(data)
        check = signing.check_signature(data)
        assert check.signed and check.intact and check.trusted and check.covers_whole_file
    assert [m.to[0] for m in mail.outbox] == [team["editor"].user.email]
    # The download is the signed document itself.
    login(client, team["viewer"])
    pdf = client.get(url("assessment_report_pdf", submitted) + "?variant=board&lang=en")
    assert pdf.status_code == 200
    assert (
        hashlib.sha256(pdf.content).hexdigest() == documents.get(kind="board", language="en").sha256
    )
    # Nothing changes it any more: no return, no reopen, no answer, no second approval.
    login(client, team["second"])
    assert (
        client.post(url("assessment_review_return", submitted), {"note": "late"}).status_code == 409
    )
    assert (
        client.post(url("assessment_approve", submitted), {"statement": "again"}).status_code == 409
    )
    login(client, team["owner"])
    client.post(url("assessment_reopen", submitted))
    assert fresh(submitted).status == Assessment.Status.APPROVED
    assert Approval.objects.count() == 1 and SignedReport.objects.count() == 4


def test_two_reviewers_approving_at_once_leave_one_approval(submitted, team, monkeypatch):
    """The second approval renders while the first commits: it is refused with a clear
    message, and nothing of it is stored."""
    produce = approvals._signed_documents
    first, second = team["reviewer"], team["second"]

    calls = []

    def meanwhile(assessment, signoff, approved_at):
        documents = produce(assessment, signoff, approved_at)
        if not calls:  # the second reviewer's approval, still signing: the first commits
            calls.append(signoff)
            approvals.approve(fresh(assessment), first.user, first, "First.")
        return documents

    monkeypatch.setattr(approvals, "_signed_documents", meanwhile)
    with pytest.raises(workflow.Conflict, match="already approved"):
        approvals.approve(fresh(submitted), second.user, second, "Second.")
    approval = Approval.objects.get()
    assert approval.approved_by == first.user and approval.statement == "First."
    assert SignedReport.objects.count() == 4


def test_a_change_while_approving_refuses_the_approval(submitted, team, monkeypatch):
    """An owner reopens, an editor changes an answer and submits again while the approval
    is being signed: the signed record is no longer the assessment's, so nothing is approved."""
    produce = approvals._signed_documents

    def meanwhile(assessment, signoff, approved_at):
        documents = produce(assessment, signoff, approved_at)
        reopen(fresh(assessment), team["owner"].user)
        give(fresh(assessment), team["editor"].user, "policy-signed", "partial")
        submit(fresh(assessment), team["editor"].user)
        return documents

    monkeypatch.setattr(approvals, "_signed_documents", meanwhile)
    with pytest.raises(workflow.Conflict, match="changed while it was being approved"):
        approvals.approve(fresh(submitted), team["reviewer"].user, team["reviewer"], "Fine.")
    assert not Approval.objects.exists() and not SignedReport.objects.exists()
    assert fresh(submitted).status == Assessment.Status.SUBMITTED


def test_the_database_allows_one_current_approval(submitted, team):
    now = timezone.now()
    Approval.objects.create(
        assessment=submitted, approved_at=now, statement="a", record="{}", record_sha256="0" * 64
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Approval.objects.create(
            assessment=submitted,
            approved_at=now,
            statement="b",
            record="{}",
            record_sha256="1" * 64,
        )


def test_a_signing_failure_leaves_it_in_review(submitted, team, client, settings, tmp_path):
    broken = tmp_path / "key.pem"
    broken.write_text("not a key")
    settings.SIGNING_KEY_FILE = str(broken)
    settings.SIGNING_PKCS12_FILE = ""
    signing.reset_signer()
    try:
        workflow.start_review(submitted, team["reviewer"].user, team["reviewer"])
        response = login(client, team["reviewer"]).post(
            url("assessment_approve", submitted), {"statement": "Keep this statement."}
        )
    finally:
        signing.reset_signer()
    assert response.status_code == 503
    page = response.content.decode()
    assert "could not be signed" in page and "Nothing was approved" in page
    assert "Keep this statement." in page
    assert fresh(submitted).status == Assessment.Status.IN_REVIEW
    assert not Approval.objects.exists() and not SignedReport.objects.exists()


def test_an_owner_withdraws_an_approval_with_a_reason(submitted, team, client):
    approvals.approve(submitted, team["reviewer"].user, team["reviewer"], "Approved.")
    login(client, team["reviewer"])
    assert (
        client.post(url("assessment_withdraw_approval", submitted), {"reason": "x"}).status_code
        == 403
    )
    login(client, team["owner"])
    client.post(url("assessment_withdraw_approval", submitted), {"reason": ""})
    assert fresh(submitted).is_approved  # a reason is required
    response = client.post(
        url("assessment_withdraw_approval", submitted),
        {"reason": "The auditor found a wrong answer."},
    )
    assert response.status_code == 302
    assessment = fresh(submitted)
    assert assessment.status == Assessment.Status.IN_REVIEW
    approval = Approval.objects.get()
    assert approval.withdrawn_by == team["owner"].user
    assert approval.withdrawal_reason == "The auditor found a wrong answer."
    event = assessment.events.last()
    assert (event.kind, event.from_status, event.to_status) == (
        "approval_withdrawn",
        "approved",
        "in_review",
    )
    # Withdrawing again: not approved any more.
    assert (
        client.post(url("assessment_withdraw_approval", submitted), {"reason": "again"}).status_code
        == 409
    )
    # Now it may be returned, or reopened by the owner.
    reopen(assessment, team["owner"].user)
    assert fresh(assessment).is_draft


def test_another_organisations_forged_post_is_a_404(submitted, team, client):
    outsider = MembershipFactory(role=Membership.Role.OWNER)
    login(client, outsider)
    for name in (
        "assessment_review",
        "assessment_review_start",
        "assessment_review_comment",
        "assessment_review_return",
        "assessment_approve",
        "assessment_withdraw_approval",
    ):
        assert client.post(url(name, submitted), {"statement": "x", "body": "x"}).status_code in (
            404,
            405,
        )
    comment = workflow.add_comment(submitted, team["reviewer"].user, team["reviewer"], "Hm")
    assert client.post(url("assessment_comment_resolve", submitted, comment.pk)).status_code == 404
    assert fresh(submitted).status == Assessment.Status.IN_REVIEW
