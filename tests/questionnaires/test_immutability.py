"""A published version cannot change, whatever way a change is attempted."""

import pytest
from django.core.exceptions import ValidationError

from compliance.questionnaires.models import (
    Choice,
    LockedVersionError,
    Question,
    Questionnaire,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)
from compliance.questionnaires.services import retire_version


def test_draft_content_can_be_edited(draft):
    question = Question.objects.get(version=draft, code="policy-signed")
    question.text_en = "Is the policy statement signed by top management?"
    question.save()
    question.choices.first().delete()
    assert question.choices.count() == 2


@pytest.mark.parametrize("model", [Section, Question, Choice, Reference, ScoreBand, Source])
def test_saving_or_deleting_published_content_is_refused(published, model):
    path = model.version_path
    item = model.objects.filter(**{path: published}).first()
    with pytest.raises(LockedVersionError):
        item.save()
    with pytest.raises(LockedVersionError):
        item.delete()
    with pytest.raises(LockedVersionError):
        model.objects.filter(pk=item.pk).update(order=99)
    with pytest.raises(LockedVersionError):
        model.objects.filter(pk=item.pk).delete()


def test_adding_to_a_published_version_is_refused(published):
    section = published.sections.first()
    with pytest.raises(LockedVersionError):
        Question.objects.create(section=section, code="new", text_en="New?")


def test_published_version_fields_cannot_change(published):
    published.methodology_en = "Another method"
    with pytest.raises(LockedVersionError):
        published.save()


def test_published_version_and_questionnaire_cannot_be_deleted(published):
    with pytest.raises(LockedVersionError):
        published.delete()
    with pytest.raises(LockedVersionError):
        published.questionnaire.delete()
    with pytest.raises(LockedVersionError):
        Questionnaire.objects.all().delete()
    assert Question.objects.filter(version=published).count() == 5


def test_a_published_version_may_only_move_on_to_retired(published):
    retired = retire_version(published)
    assert retired.status == QuestionnaireVersion.Status.RETIRED
    retired.status = QuestionnaireVersion.Status.DRAFT
    with pytest.raises(LockedVersionError):
        retired.save()
    with pytest.raises(LockedVersionError):
        retired.sections.first().save()


def test_a_draft_version_can_be_deleted_with_everything_under_it(draft):
    draft.delete()
    assert Question.objects.count() == 0 and Choice.objects.count() == 0


# Every other write path (issue: "published content: immutable through every path").


@pytest.fixture
def both(published):
    """A published version and a new draft made from it: rows of the same shape."""
    from compliance.questionnaires.services import new_draft_from

    return published, new_draft_from(published)


def test_a_published_choice_cannot_be_moved_to_a_drafts_question(both):
    published, draft = both
    choice = Choice.objects.get(
        question__version=published, question__code="policy-signed", code="yes"
    )
    choice.question = Question.objects.get(version=draft, code="policy-signed")
    with pytest.raises(LockedVersionError):
        choice.save()
    with pytest.raises(ValidationError, match="no longer a draft"):
        choice.full_clean()  # what the admin's forms run: a message, not an error page
    assert (
        Choice.objects.filter(question__version=published, code="yes").count()
        == Choice.objects.filter(question__version=draft, code="yes").count()
    )


@pytest.mark.parametrize(
    ("model", "parent", "lookup"),
    [
        (ScoreBand, "version", {}),
        (Source, "version", {}),
        (Reference, "question", {}),
        (Section, "version", {}),
    ],
)
def test_no_published_row_moves_into_a_draft(both, model, parent, lookup):
    published, draft = both
    item = model.objects.filter(**{model.version_path: published}).first()
    target = draft if parent == "version" else Question.objects.filter(version=draft).first()
    setattr(item, parent, target)
    with pytest.raises(LockedVersionError):
        item.save()
    with pytest.raises(LockedVersionError):
        model.objects.filter(pk=item.pk).update(**{parent: target})


def test_no_draft_row_moves_into_a_published_version(both):
    published, draft = both
    choice = Choice.objects.filter(question__version=draft).first()
    target = Question.objects.filter(version=published).first()
    choice.question = target
    with pytest.raises(LockedVersionError):
        choice.save()
    with pytest.raises(LockedVersionError):
        Choice.objects.filter(pk=choice.pk).update(question=target)
    with pytest.raises(LockedVersionError):
        Choice.objects.bulk_update([choice], ["question"])
    assert not target.choices.filter(pk=choice.pk).exists()


def test_a_version_queryset_cannot_change_a_published_version(published):
    versions = QuestionnaireVersion.objects.filter(pk=published.pk)
    with pytest.raises(LockedVersionError):
        versions.update(status="draft")
    with pytest.raises(LockedVersionError):
        versions.update(methodology_en="Another method")
    with pytest.raises(LockedVersionError):
        versions.update(content_digest="0" * 64)
    published.status = QuestionnaireVersion.Status.DRAFT
    with pytest.raises(LockedVersionError):
        QuestionnaireVersion.objects.bulk_update([published], ["status"])
    with pytest.raises(LockedVersionError):
        versions.delete()
    published.refresh_from_db()
    assert published.status == "published"
    # The one move a published version may make.
    assert versions.update(status=QuestionnaireVersion.Status.RETIRED) == 1


def test_bulk_create_into_a_published_version_is_refused(published):
    section = published.sections.first()
    question = Question.objects.filter(version=published).first()
    with pytest.raises(LockedVersionError):
        Section.objects.bulk_create([Section(version=published, code="new", title_en="New")])
    with pytest.raises(LockedVersionError):
        Question.objects.bulk_create([Question(section=section, code="new", text_en="New?")])
    with pytest.raises(LockedVersionError):
        Choice.objects.bulk_create([Choice(question=question, code="new", label_en="New", score=1)])
    with pytest.raises(LockedVersionError):
        Question.objects.filter(pk=question.pk).bulk_update([question], ["text_en"])
    assert not Question.objects.filter(code="new").exists()


def test_bulk_writes_on_drafts_still_work(draft):
    question = Question.objects.filter(version=draft).first()
    Choice.objects.bulk_create([Choice(question=question, code="new", label_en="New", score=1)])
    question.text_en = "Changed?"
    Question.objects.bulk_update([question], ["text_en"])
    assert Question.objects.get(pk=question.pk).text_en == "Changed?"


def test_publishing_records_a_digest_of_the_content(both):
    from compliance.questionnaires.services import content_digest

    published, draft = both
    assert len(published.content_digest) == 64
    assert published.content_digest == content_digest(published)
    question = Question.objects.filter(version=draft).first()
    question.text_en = "Changed?"
    question.save()
    assert content_digest(draft) != published.content_digest


def test_deletes_of_unguarded_models_are_fast_again():
    """The guard's delete receiver names its senders, so other models keep fast deletes."""
    from django.db.models.signals import pre_delete

    from compliance.assessments.models import AssessmentEvent

    assert not pre_delete.has_listeners(AssessmentEvent)
    assert pre_delete.has_listeners(Choice)
