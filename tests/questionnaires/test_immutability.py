"""A published version cannot change, whatever way a change is attempted."""

import pytest

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
