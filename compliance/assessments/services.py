"""Writes on assessments: create (with carry-over), save a section, submit, reopen."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from compliance.questionnaires.models import Question, QuestionnaireVersion
from compliance.questionnaires.selectors import LoadedVersion, load_version
from compliance.scoring import Progress, Result, Status

from . import signals
from .models import Answer, Assessment, AssessmentEvent
from .scoring import (
    SCORED_FIELDS,
    AnswerStates,
    answer_states,
    answers_by_code,
    answers_with_states,
    compute_progress,
    compute_result,
)

ANSWER_FIELDS = [
    "choice_codes",
    "value_number",
    "value_date",
    "value_text",
    "not_applicable",
    "na_justification",
    "comment",
    "evidence",
]
#: Written with every changed answer: who, when, which revision, and no longer carried over.
BOOKKEEPING_FIELDS = ["revision", "carried_over", "updated_by", "updated_at"]


class AssessmentLocked(Exception):
    """A change was attempted on a submitted assessment."""


class IncompleteAssessment(Exception):
    def __init__(self, missing: list[MissingItem]) -> None:
        super().__init__(_("The assessment is not complete."))
        self.missing = missing


@dataclass(frozen=True)
class AnswerInput:
    """What a respondent gave for one question, normalised."""

    choice_codes: tuple[str, ...] = ()
    value_number: Decimal | None = None
    value_date: date | None = None
    value_text: str = ""
    not_applicable: bool = False
    na_justification: str = ""
    comment: str = ""
    evidence: str = ""

    @classmethod
    def of(cls, answer: Answer | None) -> AnswerInput:
        if answer is None:
            return cls()
        return cls(
            choice_codes=tuple(sorted(answer.choice_codes or ())),
            value_number=answer.value_number,
            value_date=answer.value_date,
            value_text=answer.value_text,
            not_applicable=answer.not_applicable,
            na_justification=answer.na_justification,
            comment=answer.comment,
            evidence=answer.evidence,
        )

    def field_values(self) -> dict[str, object]:
        """Each answer field as a JSON-ready value, in ``ANSWER_FIELDS`` order."""
        number = None if self.value_number is None else str(self.value_number.normalize())
        return {
            "choice_codes": list(self.choice_codes),
            "value_number": number,
            "value_date": self.value_date.isoformat() if self.value_date else None,
            "value_text": self.value_text,
            "not_applicable": self.not_applicable,
            "na_justification": self.na_justification,
            "comment": self.comment,
            "evidence": self.evidence,
        }

    def field_digests(self) -> tuple[str, ...]:
        """A short digest of each field, to tell which fields a respondent changed."""
        return tuple(
            hashlib.sha256(json.dumps(value).encode()).hexdigest()[:8]
            for value in self.field_values().values()
        )

    def apply_to(self, answer: Answer) -> None:
        answer.choice_codes = list(self.choice_codes)
        answer.value_number = self.value_number
        answer.value_date = self.value_date
        answer.value_text = self.value_text
        answer.not_applicable = self.not_applicable
        answer.na_justification = self.na_justification
        answer.comment = self.comment
        answer.evidence = self.evidence


@dataclass(frozen=True)
class Submitted:
    """One question of a saved page: the answer, and what the page showed when loaded."""

    question: Question
    value: AnswerInput
    loaded_revision: int | None
    #: The page's ``field_digests`` of the answer it showed; empty when unknown.
    loaded_fields: tuple[str, ...] = ()
    confirm: bool = False


@dataclass
class SaveOutcome:
    saved: list[str] = field(default_factory=list)
    #: Answers that someone (another person, or the same person in another tab) changed
    #: in the same field after the page was loaded: this save won that field.
    overwritten: list[tuple[str, object]] = field(default_factory=list)
    #: Answers where a change made elsewhere since the page was loaded, to other fields,
    #: was kept alongside this page's.
    merged: list[str] = field(default_factory=list)
    answers: dict[str, Answer] = field(default_factory=dict)
    #: Every answer's state as this save left it (read under its lock): the page that
    #: saved shows its progress from them, not from a new read. None when the save
    #: changed nothing that progress reads (``SCORED_FIELDS``): the progress stands.
    states: AnswerStates | None = None
    #: What the page now holds of each saved answer (its new ``loaded`` value).
    tokens: dict[str, str] = field(default_factory=dict)
    #: The progress of ``states`` when something was saved (what it recorded).
    progress: Progress | None = None


def loaded_token(answer: Answer | None, shown: AnswerInput | None = None) -> str:
    """What a page remembers of an answer it shows: the answer's revision and a digest of
    each field as the page shows it (``shown``, or the stored answer)."""
    revision = answer.revision if answer else 0
    digests = (shown or AnswerInput.of(answer)).field_digests()
    return f"{revision}:{'.'.join(digests)}"


def parse_loaded_token(token: str) -> tuple[int | None, tuple[str, ...]]:
    revision, _, digests = (token or "").partition(":")
    fields = tuple(digests.split("."))
    if len(fields) != len(ANSWER_FIELDS) or not all(
        len(part) == 8 and part.isascii() and part.isalnum() for part in fields
    ):
        fields = ()
    # isdigit() also accepts digits that int() refuses (such as "²"); a page never sends them.
    if revision.isascii() and revision.isdigit() and len(revision) <= 10:
        return int(revision), fields
    return None, fields


@transaction.atomic
def create_assessment(
    *,
    organisation,
    version: QuestionnaireVersion,
    title: str,
    user,
    period_start: date | None = None,
    period_end: date | None = None,
    carry_over_from: Assessment | None = None,
) -> Assessment:
    if version.status != QuestionnaireVersion.Status.PUBLISHED:
        raise ValueError(_("Assessments can only use a published questionnaire version."))
    assessment = Assessment.objects.create(
        organisation=organisation,
        version=version,
        title=title,
        period_start=period_start,
        period_end=period_end,
        created_by=user,
        last_changed_by=user,
        based_on=carry_over_from,
    )
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.CREATED,
        user=user,
        to_status=Assessment.Status.DRAFT,
    )
    if carry_over_from is not None:
        _carry_over(carry_over_from, assessment, user)
    refresh_progress(assessment)
    return assessment


def _carry_over(source: Assessment, target: Assessment, user) -> None:
    """Copy answers whose question code, and every chosen choice code, exist in the new
    version; they stay marked as carried over until someone confirms them."""
    content = load_version(target.version)
    copies = []
    for code, old in answers_by_code(source).items():
        question = content.questions.get(code)
        if question is None:
            continue
        known = {choice.code for choice in question.choices.all()}
        if not set(old.choice_codes or ()) <= known:
            continue
        answer = Answer(assessment=target, question=question, updated_by=user, carried_over=True)
        AnswerInput.of(old).apply_to(answer)
        copies.append(answer)
    bulk_create_with_history(copies, Answer, default_user=user)
    # The evidence goes with the questions, answered again or not (imported here: the
    # evidence module builds on this one).
    from .evidence import carry_over_links

    carry_over_links(source, target, content.questions, user)


def save_answers(
    assessment: Assessment,
    submitted: list[Submitted],
    user,
    content: LoadedVersion | None = None,
    locked: bool = False,
) -> SaveOutcome:
    """Write the answers of one page in one transaction, with bulk writes.

    An answer the respondent did not change is left alone, so that a colleague's newer
    answer to it is kept. An answer changed here that someone else changed too since the
    page was loaded is saved (the later save wins, for that answer only) and reported.

    ``locked``: the caller read ``assessment`` under its lock in the transaction this
    save joins (``assessment_or_404(..., lock=True)``), and the save is part of it (no
    savepoint of its own: a failure undoes the caller's transaction); otherwise it is
    read again so, in a transaction (or savepoint) of the save's own.
    """
    with transaction.atomic(savepoint=not locked):
        if not locked:
            assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
        return _save_answers(assessment, submitted, user, content)


def _save_answers(
    assessment: Assessment, submitted: list[Submitted], user, content: LoadedVersion | None
) -> SaveOutcome:
    if not assessment.is_draft:
        raise AssessmentLocked(_("This assessment is submitted and locked."))
    # Every answer, read once under the lock: the page's own to compare with, the states
    # of all of them to record the assessment's progress after the save (no second read).
    # A page that changed nothing progress reads (a comment typed, as most autosaves are)
    # reads only its own answers: the progress stands. Their authors are not joined: only
    # a clash names one (read then, before it is replaced).
    progress_stands = _leaves_progress(submitted)
    existing, states = answers_with_states(
        assessment, {item.question.pk for item in submitted}, states=not progress_stands
    )
    outcome = SaveOutcome()
    to_create, to_update = [], []
    # The answer fields that change in at least one updated row: a bulk update costs a
    # CASE expression per row and field, so the fields nobody changed are left out.
    changed_fields = {"revision", "updated_by", "updated_at"}
    for item in submitted:
        answer = existing.get(item.question.pk)
        stored = AnswerInput.of(answer)
        mine, theirs = _changes(item, stored)
        confirming = bool(answer and answer.carried_over and item.confirm)
        if not mine and not confirming:
            continue
        # This page's changes, field by field, over the answer as it is stored now: a
        # change made elsewhere since the page was loaded, to another field, is kept.
        value = AnswerInput(
            **{
                name: getattr(item.value if name in mine else stored, name)
                for name in ANSWER_FIELDS
            }
        )
        clashes = {name for name in mine & theirs if getattr(stored, name) != getattr(value, name)}
        if answer is not None and value == stored and not confirming:
            outcome.tokens[item.question.code] = loaded_token(answer, item.value)
            continue
        if answer is None:
            answer = Answer(assessment=assessment, question=item.question)
            to_create.append(answer)
        else:
            if clashes:
                outcome.overwritten.append((item.question.code, answer.updated_by))
            elif theirs - mine:
                outcome.merged.append(item.question.code)
            to_update.append(answer)
            changed_fields.update(
                name for name in ANSWER_FIELDS if getattr(stored, name) != getattr(value, name)
            )
            if answer.carried_over:
                changed_fields.add("carried_over")
        value.apply_to(answer)
        answer.revision += 1
        answer.carried_over = False
        answer.updated_by = user
        answer.updated_at = timezone.now()
        outcome.saved.append(item.question.code)
        outcome.answers[item.question.code] = answer
        outcome.tokens[item.question.code] = loaded_token(answer, item.value)
    if to_create:
        bulk_create_with_history(to_create, Answer, default_user=user)
    fields = [name for name in [*ANSWER_FIELDS, *BOOKKEEPING_FIELDS] if name in changed_fields]
    if len(to_update) == 1:
        # An autosave changes one answer: a plain UPDATE of its row costs less than a bulk
        # update's CASE expressions. The history records it as it records any save.
        (answer,) = to_update
        answer._history_user = user
        answer.save(update_fields=fields)
    elif to_update:
        bulk_update_with_history(to_update, Answer, fields, default_user=user)
    if states is not None:
        states = states.with_answers(outcome.answers)
    outcome.states = states
    if outcome.saved:
        assessment.last_changed_by = user
        if states is None:
            record_change(assessment)
        else:
            outcome.progress = refresh_progress(assessment, content, states)
    return outcome


def _leaves_progress(submitted: list[Submitted]) -> bool:
    """Whether these items change, against what their pages loaded, only fields that
    progress does not read. Unknown without the page's digests: then they may."""
    for item in submitted:
        if item.confirm or not item.loaded_fields:
            return False
        digests = zip(ANSWER_FIELDS, item.value.field_digests(), item.loaded_fields, strict=True)
        if any(name in SCORED_FIELDS and mine != loaded for name, mine, loaded in digests):
            return False
    return True


def _changes(item: Submitted, stored: AnswerInput) -> tuple[set[str], set[str]]:
    """The fields this page changed, and the fields changed elsewhere since it loaded.

    Without the page's digests (a client that sends none), every field that differs from
    the stored answer counts as this page's change, and nothing as another's."""
    submitted = item.value.field_digests()
    now = stored.field_digests()
    if not item.loaded_fields:
        return {n for n, a, b in zip(ANSWER_FIELDS, submitted, now, strict=True) if a != b}, set()
    loaded = item.loaded_fields
    mine = {n for n, a, b in zip(ANSWER_FIELDS, submitted, loaded, strict=True) if a != b}
    theirs = {n for n, a, b in zip(ANSWER_FIELDS, now, loaded, strict=True) if a != b}
    return mine, theirs


def refresh_progress(
    assessment: Assessment,
    content: LoadedVersion | None = None,
    states: AnswerStates | None = None,
) -> Progress:
    """Record how far the assessment is answered; ``states`` are those of all of its
    answers as they stand (read again when not given)."""
    content = content or load_version(assessment.version)
    progress = compute_progress(content, answer_states(assessment) if states is None else states)
    record_change(
        assessment, answered_count=progress.answered, applicable_count=progress.applicable
    )
    return progress


def record_change(assessment: Assessment, **counts: int) -> None:
    """Record that the assessment changed now, by its ``last_changed_by`` (and its new
    progress ``counts``, when they changed)."""
    Assessment.objects.filter(pk=assessment.pk).update(
        last_changed_at=timezone.now(), last_changed_by=assessment.last_changed_by, **counts
    )


@dataclass(frozen=True)
class MissingItem:
    question: Question
    section_number: int
    reason: str


def missing_items(assessment: Assessment) -> list[MissingItem]:
    """What stands between the assessment and its submission."""
    content = load_version(assessment.version)
    answers = answers_by_code(assessment)
    return _missing(content, answers, compute_result(content, answers))


def _missing(content: LoadedVersion, answers: dict, result: Result) -> list[MissingItem]:
    missing = []
    for number, section_result in enumerate(result.sections, start=1):
        for question_result in section_result.questions:
            question = content.questions[question_result.code]
            answer = answers.get(question.code)
            if question_result.status == Status.UNANSWERED and question.required:
                missing.append(MissingItem(question, number, _("not answered")))
            elif question_result.status == Status.NOT_APPLICABLE and not (
                answer and answer.na_justification.strip()
            ):
                missing.append(
                    MissingItem(question, number, _("not applicable, without a justification"))
                )
    return missing


@transaction.atomic
def submit(assessment: Assessment, user, *, site: str = "") -> Assessment:
    """Freeze the answers and their result. Where the organisation requires a review the
    assessment waits for one (its reviewers and owners are told by e-mail); otherwise
    submission is the final step."""
    assessment = (
        Assessment.objects.select_for_update().select_related("organisation").get(pk=assessment.pk)
    )
    if not assessment.is_draft:
        raise AssessmentLocked(_("This assessment is already submitted."))
    content = load_version(assessment.version)
    answers = answers_by_code(assessment)
    result = compute_result(content, answers)
    missing = _missing(content, answers, result)
    if missing:
        raise IncompleteAssessment(missing)
    from .workflow import (
        reviewers_to_tell,
        tell_reviewers,
    )  # (a cycle: workflow, record, evidence, services)

    # Read before the writes: once written, nothing but writes follows in the transaction.
    review_required = assessment.organisation.review_required
    reviewers = reviewers_to_tell(assessment, user) if review_required else []
    before = assessment.status
    assessment.status = Assessment.Status.SUBMITTED
    assessment.submitted_at = timezone.now()
    assessment.result = result.to_json()
    assessment.review_required = review_required
    assessment.save(update_fields=["status", "submitted_at", "result", "review_required"])
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.SUBMITTED,
        user=user,
        from_status=before,
        to_status=assessment.status,
    )
    if reviewers:
        tell_reviewers(assessment, user, reviewers, site=site)
    transaction.on_commit(lambda: signals.submitted.send(sender=Assessment, assessment=assessment))
    return assessment


@transaction.atomic
def reopen(assessment: Assessment, user, note: str = "") -> Assessment:
    """An owner takes a submitted assessment back to a draft, before it is approved; an
    approved one stays as it is (a new assessment supersedes it)."""
    assessment = Assessment.objects.select_for_update().get(pk=assessment.pk)
    if assessment.is_draft:
        raise ValueError(_("This assessment is not submitted."))
    if assessment.is_approved:
        raise ValueError(
            _(
                "An approved assessment cannot be reopened: start a new assessment, "
                "or withdraw the approval first."
            )
        )
    before = assessment.status
    assessment.status = Assessment.Status.DRAFT
    assessment.submitted_at = None
    assessment.result = None
    assessment.save(update_fields=["status", "submitted_at", "result"])
    AssessmentEvent.objects.create(
        assessment=assessment,
        kind=AssessmentEvent.Kind.REOPENED,
        user=user,
        note=note,
        from_status=before,
        to_status=assessment.status,
    )
    return assessment
