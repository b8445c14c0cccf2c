"""What keeps a published version's content immutable through every write path: the
querysets and the base model of everything under a version (``receivers`` guards what
bypasses them: cascades and raw saves)."""

from __future__ import annotations

import contextvars

from django.db import models

from .versions import LockedVersionError, QuestionnaireVersion

#: Set while a bulk_update has checked the new parents of its rows itself, so that the
#: ``update`` it makes (with CASE expressions for the parents) is let through.
_PARENTS_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "parents_checked", default=False
)


def _locked(version_ids) -> bool:
    """Whether any of these versions is not a draft (or does not exist)."""
    ids = {pk for pk in version_ids if pk is not None}
    if not ids:
        return False
    drafts = QuestionnaireVersion.objects.filter(
        pk__in=ids, status=QuestionnaireVersion.Status.DRAFT
    ).count()
    return drafts != len(ids)


def _parent_versions(model, parents: dict[str, set]) -> set:
    """The versions that the given parent ids (per parent field of ``model``) belong to."""
    versions = set()
    for name, ids in parents.items():
        ids = {pk for pk in ids if pk is not None}
        if not ids:
            continue
        related = model._meta.get_field(name).related_model
        if related is QuestionnaireVersion:
            versions |= ids
        else:
            versions |= set(
                related._base_manager.filter(pk__in=ids).values_list(
                    related.version_path, flat=True
                )
            )
    return versions


class VersionContentQuerySet(models.QuerySet):
    """Refuses bulk writes that would touch a published version, or move rows into one."""

    def _touches_locked_version(self) -> bool:
        path = self.model.version_path
        return (
            self.exclude(**{f"{path}__status": QuestionnaireVersion.Status.DRAFT})
            .values("pk")
            .exists()
        )

    def update(self, **kwargs):
        if self._touches_locked_version():
            raise LockedVersionError()
        moved = {}
        for name in self.model.parent_fields:
            for key in (name, f"{name}_id"):
                if key in kwargs:
                    value = kwargs[key]
                    if isinstance(value, models.Model):
                        value = value.pk
                    if isinstance(value, int | None):
                        moved[name] = {value}
                    elif not _PARENTS_CHECKED.get():
                        raise LockedVersionError()  # an expression nobody checked
        if moved and _locked(_parent_versions(self.model, moved)):
            raise LockedVersionError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_locked_version():
            raise LockedVersionError()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if _locked(_parent_versions(self.model, _parents_of(self.model, objs))):
            raise LockedVersionError()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Checked before Django's bulk_update opens its transaction (an error inside it
        # would spoil the caller's): the rows as stored, and the parents they are given.
        objs = list(objs)
        if self.filter(pk__in=[obj.pk for obj in objs])._touches_locked_version() or _locked(
            _parent_versions(self.model, _parents_of(self.model, objs))
        ):
            raise LockedVersionError()
        token = _PARENTS_CHECKED.set(True)
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _PARENTS_CHECKED.reset(token)


def _parents_of(model, objs) -> dict[str, set]:
    return {
        name: {getattr(obj, model._meta.get_field(name).attname) for obj in objs}
        for name in model.parent_fields
    }


class VersionContent(models.Model):
    """Something that belongs to one questionnaire version and is frozen with it.

    Whatever way a row is written, both the version it is stored under and the versions
    of the parents it is given must be drafts: a published row can neither be changed
    nor moved, and nothing can be added to (or moved into) a published version.
    """

    #: Lookup path from this model to its QuestionnaireVersion.
    version_path = "version"
    #: The foreign keys that tie a row to a version (directly or through a parent).
    parent_fields: tuple[str, ...] = ("version",)

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.version_is_draft():
            raise LockedVersionError()
        return super().delete(*args, **kwargs)

    def clean(self):
        # Forms (the admin's among them) show the refusal as a message, not an error page.
        super().clean()
        self.refuse_if_locked()

    def refuse_if_locked(self) -> None:
        versions = _parent_versions(type(self), _parents_of(type(self), [self]))
        if self.pk is not None:
            versions |= set(self.stored_versions())
        if _locked(versions):
            raise LockedVersionError()

    def stored_versions(self):
        """The version the stored row (if any) belongs to, as it is in the database."""
        return type(self)._base_manager.filter(pk=self.pk).values_list(self.version_path, flat=True)

    def version_is_draft(self) -> bool:
        return not _locked(set(self.stored_versions()) or {self._version_id()})

    def _version_id(self) -> int | None:
        return self.version_id


class ContentManager(models.Manager.from_queryset(VersionContentQuerySet)):
    """Natural keys for content that carries a code within its version."""

    def get_by_natural_key(self, slug: str, number: int, code: str):
        return self.get(version__questionnaire__slug=slug, version__number=number, code=code)
