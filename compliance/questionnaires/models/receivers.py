"""Signal receivers that guard published content where ``save()`` and ``delete()`` are
bypassed: cascades and raw saves."""

from __future__ import annotations

import threading

from .locking import VersionContent
from .versions import LockedVersionError, QuestionnaireVersion

#: Rows that raw saves (``loaddata``) created in this thread. ``loaddata`` saves an
#: object whose foreign key points forward (a section's condition on a question loaded
#: after it) once without the key and once more with it: that second save completes a
#: row the same load made and is allowed. The digest check at the end of our
#: ``loaddata`` then compares every published version with what was published.
_created = threading.local()


def created_by_this_load() -> set:
    if not hasattr(_created, "rows"):
        _created.rows = set()
    return _created.rows


def forget_rows_created_by_loads() -> None:
    created_by_this_load().clear()


def remember_raw_creations(sender, instance, created=False, raw=False, **kwargs) -> None:
    if raw and created:
        created_by_this_load().add((sender, instance.pk))


def refuse_cascading_deletes_of_locked_content(sender, instance, **kwargs) -> None:
    """Cascades bypass ``delete()``: check here that nothing published goes with them."""
    if isinstance(instance, VersionContent) and not instance.version_is_draft():
        raise LockedVersionError()
    if (
        isinstance(instance, QuestionnaireVersion)
        and not QuestionnaireVersion.objects.filter(
            pk=instance.pk, status=QuestionnaireVersion.Status.DRAFT
        ).exists()
    ):
        raise LockedVersionError(instance)


def refuse_raw_changes_to_locked_content(sender, instance, raw=False, **kwargs) -> None:
    """``loaddata`` saves raw, past ``save()``: it may add rows (an empty database is
    loaded that way), but not change a stored row of a published version. (Rows it adds
    to a published version are caught by the digest check of our ``loaddata``.)"""
    if not raw or instance.pk is None or (sender, instance.pk) in created_by_this_load():
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    if isinstance(instance, QuestionnaireVersion):
        instance._refuse_changes_once_published()
        return
    if instance.version_is_draft():
        return
    for field in sender._meta.concrete_fields:
        if getattr(stored, field.attname) != getattr(instance, field.attname):
            raise LockedVersionError()
