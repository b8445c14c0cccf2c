"""An organisation's evidence library: items (a document with its dates) and their files.

A stored file never changes: its row is written once, with the SHA-256, size and type of
the bytes stored under an unguessable key, and the model refuses any later change. An
item is never deleted while its organisation exists: removing it from the library is
recorded (who, when) and keeps the files, so that a submitted assessment that cites it
keeps its proof. Deleting the organisation deletes its items, and their files from the
storage (``storage.delete_stored_file``).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from compliance.accounts.validators import validate_one_line
from compliance.organisations.models import Organisation


class RemovableQuerySet(models.QuerySet):
    def current(self):
        """The rows in force: not removed."""
        return self.filter(removed_at__isnull=True)


class RecordedRemoval(models.Model):
    """A row that is never deleted while its owner exists: removing it records who
    removed it and when (an item of the library; an answer's link to one)."""

    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("removed by"),
    )

    objects = RemovableQuerySet.as_manager()

    class Meta:
        abstract = True


class EvidenceItem(RecordedRemoval):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="evidence_items",
        verbose_name=_("organisation"),
    )
    title = models.CharField(_("title"), max_length=200, validators=[validate_one_line])
    document_date = models.DateField(_("document date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta(RecordedRemoval.Meta):
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ["title", "pk"]
        indexes = [models.Index(fields=["organisation", "valid_until"])]

    def __str__(self) -> str:
        return self.title

    def expired_on(self, day) -> bool:
        return self.valid_until is not None and self.valid_until < day


class EvidenceFile(models.Model):
    """One stored file of an item. Written once; never changed."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    item = models.ForeignKey(
        EvidenceItem, on_delete=models.CASCADE, related_name="files", verbose_name=_("item")
    )
    #: The name in the evidence storage: the organisation's id and a random token, never
    #: anything a user chose.
    key = models.CharField(_("storage key"), max_length=200, unique=True, editable=False)
    #: The name the file was uploaded with, for display and downloads only.
    name = models.CharField(_("file name"), max_length=200)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("detected type"), max_length=100)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["item", "pk"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("A stored evidence file never changes.")
        super().save(*args, **kwargs)

    @property
    def short_sha256(self) -> str:
        return self.sha256[:12]
