"""Writes on questionnaires: publish, retire, new draft, import; and the version comparison.

The admin, the management commands and the tests all call these; none of them changes
a version's status any other way.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import yaml_format, yaml_writer
from .document import QuestionnaireDocument, Text, create_version, document_from_version
from .models import LockedVersionError, QuestionnaireVersion
from .validation import Problem, check_document


class PublishError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(problem) for problem in problems))
        self.problems = problems


def publishing_problems(version: QuestionnaireVersion) -> list[Problem]:
    """Everything that stands in the way of publishing this version."""
    return check_document(document_from_version(version), publishing=True)


@transaction.atomic
def publish_version(version: QuestionnaireVersion) -> QuestionnaireVersion:
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if not version.is_draft:
        raise LockedVersionError(version)
    problems = publishing_problems(version)
    if problems:
        raise PublishError(problems)
    version.status = QuestionnaireVersion.Status.PUBLISHED
    version.published_at = timezone.now()
    version.content_digest = content_digest(version)
    version.save(update_fields=["status", "published_at", "content_digest"])
    return version


def content_digest(version: QuestionnaireVersion) -> str:
    """SHA-256 of everything the version holds, as its YAML export writes it: equal
    digests, equal content. Recorded when the version is published."""
    # The questionnaire's title is the questionnaire's, not the version's: left out.
    document = dataclasses.replace(document_from_version(version), title=Text())
    return hashlib.sha256(yaml_writer.dump(document).encode()).hexdigest()


def sealed_digest(version: QuestionnaireVersion) -> str:
    """The recorded digest of a published or retired version (recorded now for one
    published before digests were kept); "" for a draft, whose content may change."""
    if version.is_draft:
        return ""
    if not version.content_digest:
        digest = content_digest(version)
        QuestionnaireVersion.objects.filter(pk=version.pk, content_digest="").update(
            content_digest=digest
        )
        version.content_digest = digest
    return version.content_digest


class TamperedVersion(Exception):
    """Published content no longer matches the digest recorded when it was published."""


def verify_published_content(versions=None) -> None:
    """Refuse (raise ``TamperedVersion``) when any published or retired version's
    content differs from its recorded digest; record the digests still missing."""
    if versions is None:
        versions = QuestionnaireVersion.objects.exclude(status=QuestionnaireVersion.Status.DRAFT)
    for version in versions.select_related("questionnaire"):
        recorded = version.content_digest
        if not recorded:
            sealed_digest(version)
        elif content_digest(version) != recorded:
            raise TamperedVersion(
                _(
                    "The content of %(version)s no longer matches the digest recorded when "
                    "it was published; published content cannot change. Create a new draft "
                    "instead."
                )
                % {"version": version}
            )


@transaction.atomic
def retire_version(version: QuestionnaireVersion) -> QuestionnaireVersion:
    version = QuestionnaireVersion.objects.select_for_update().get(pk=version.pk)
    if version.status != QuestionnaireVersion.Status.PUBLISHED:
        raise ValueError(_("Only a published version can be retired."))
    version.status = QuestionnaireVersion.Status.RETIRED
    version.save(update_fields=["status"])
    return version


@transaction.atomic
def new_draft_from(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """A deep copy of the version as the questionnaire's next draft, codes kept."""
    document = document_from_version(version)
    numbers = version.questionnaire.versions.values_list("number", flat=True)
    document.changelog = type(document.changelog)()
    return create_version(document, number=max(numbers) + 1, based_on=version)


@transaction.atomic
def import_questionnaire(content: bytes | str) -> QuestionnaireVersion:
    """A new draft version (or a new questionnaire) from a YAML file; all or nothing."""
    document = yaml_format.load(content)
    return create_version(document)


def export_questionnaire(version: QuestionnaireVersion) -> str:
    return yaml_writer.dump(document_from_version(version))


# ------------------------------------------------------------------------ comparison


@dataclass
class Change:
    kind: str  # "added", "removed" or "changed"
    what: str  # "section", "question" or "choice"
    code: str
    label: str
    fields: list[str] = field(default_factory=list)


@dataclass
class VersionComparison:
    old: QuestionnaireVersion
    new: QuestionnaireVersion
    changes: list[Change]

    def of_kind(self, kind: str) -> list[Change]:
        return [change for change in self.changes if change.kind == kind]


def previous_version(version: QuestionnaireVersion) -> QuestionnaireVersion | None:
    if version.based_on_id:
        return version.based_on
    return (
        version.questionnaire.versions.filter(number__lt=version.number).order_by("-number").first()
    )


def compare_versions(old: QuestionnaireVersion, new: QuestionnaireVersion) -> VersionComparison:
    """Sections, questions and choices added, removed and changed, matched by code."""
    return VersionComparison(old, new, compare_documents(*map(document_from_version, (old, new))))


def compare_documents(old: QuestionnaireDocument, new: QuestionnaireDocument) -> list[Change]:
    changes: list[Change] = []
    old_sections = {section.code: section for section in old.sections}
    new_sections = {section.code: section for section in new.sections}
    changes += _diff("section", old_sections, new_sections, ("questions", "score_bands"))
    old_questions = {question.code: question for question in old.questions()}
    new_questions = {question.code: question for question in new.questions()}
    changes += _diff("question", old_questions, new_questions, ("choices",))
    for code in new_questions.keys() & old_questions.keys():
        old_choices = {choice.code: choice for choice in old_questions[code].choices}
        new_choices = {choice.code: choice for choice in new_questions[code].choices}
        for change in _diff("choice", old_choices, new_choices, ()):
            change.code = f"{code} / {change.code}"
            changes.append(change)
    # A question that moved to another section has changed too.
    section_of_old = {q.code: s.code for s in old.sections for q in s.questions}
    for section in new.sections:
        for question in section.questions:
            before = section_of_old.get(question.code)
            if before and before != section.code:
                _mark_changed(changes, "question", question.code, question, "section")
    return changes


def _diff(what: str, old: dict, new: dict, ignore: tuple[str, ...]) -> list[Change]:
    changes = [Change("added", what, code, _label(new[code])) for code in new if code not in old]
    changes += [Change("removed", what, code, _label(old[code])) for code in old if code not in new]
    for code in new.keys() & old.keys():
        before, after = asdict(old[code]), asdict(new[code])
        changed = [name for name in after if name not in ignore and before.get(name) != after[name]]
        if changed:
            changes.append(Change("changed", what, code, _label(new[code]), changed))
    return sorted(changes, key=lambda change: (change.kind, change.code))


def _mark_changed(changes: list[Change], what: str, code: str, item, field_name: str) -> None:
    for change in changes:
        if change.what == what and change.code == code and change.kind == "changed":
            change.fields.append(field_name)
            return
    changes.append(Change("changed", what, code, _label(item), [field_name]))


def _label(item) -> str:
    for name in ("title", "text", "label"):
        text = getattr(item, name, None)
        if text is not None:
            return text.current()
    return ""
