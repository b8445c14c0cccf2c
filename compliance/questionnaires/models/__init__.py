"""Versioned questionnaires: Questionnaire -> Version -> Section -> Question -> Choice.

A published version is immutable, so that every past assessment's score and report can
be reproduced: the model layer refuses to save or delete anything under a version that
is not a draft (``save``, ``delete``, queryset ``update``/``delete`` and cascades alike).
The only change a published version accepts is its status moving on to retired.
"""

from django.db.models.signals import post_save, pre_delete, pre_save

from .bands import ScoreBand, ScoreBandManager
from .locking import ContentManager, VersionContent, VersionContentQuerySet
from .questions import (
    Choice,
    Question,
    QuestionPartManager,
    QuestionType,
    Reference,
    ReferenceManager,
)
from .receivers import (
    refuse_cascading_deletes_of_locked_content,
    refuse_raw_changes_to_locked_content,
    remember_raw_creations,
)
from .sections import Section, Source
from .versions import (
    CODE_HELP,
    LockedVersionError,
    Questionnaire,
    QuestionnaireManager,
    QuestionnaireQuerySet,
    QuestionnaireVersion,
    VersionManager,
    VersionQuerySet,
    VersionStatus,
)

__all__ = [
    "CODE_HELP",
    "Choice",
    "ContentManager",
    "LockedVersionError",
    "Question",
    "QuestionPartManager",
    "QuestionType",
    "Questionnaire",
    "QuestionnaireManager",
    "QuestionnaireQuerySet",
    "QuestionnaireVersion",
    "Reference",
    "ReferenceManager",
    "ScoreBand",
    "ScoreBandManager",
    "Section",
    "Source",
    "VersionContent",
    "VersionContentQuerySet",
    "VersionManager",
    "VersionQuerySet",
    "VersionStatus",
]

# Connected to the guarded models only: a receiver without a sender would run for every
# delete in the project and turn off Django's fast deletes everywhere.
for _model in (QuestionnaireVersion, Section, Source, Question, Choice, Reference, ScoreBand):
    pre_delete.connect(
        refuse_cascading_deletes_of_locked_content,
        sender=_model,
        dispatch_uid=f"locked-delete-{_model.__name__}",
    )
    pre_save.connect(
        refuse_raw_changes_to_locked_content,
        sender=_model,
        dispatch_uid=f"locked-raw-save-{_model.__name__}",
    )
    post_save.connect(
        remember_raw_creations,
        sender=_model,
        dispatch_uid=f"locked-raw-created-{_model.__name__}",
    )
