"""Writes on the evidence library: add an item with its files, remove an item.

Every file is checked before any is stored (name, size, type from the content, the
organisation's quota), so that a refused upload stores nothing; the checks run under a
lock on the organisation's row, so that two uploads at once cannot both pass the quota.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import IO, Protocol

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from compliance.organisations.models import Organisation

from . import detection, signals
from .detection import Refused
from .models import EvidenceFile, EvidenceItem
from .storage import evidence_storage, new_key

__all__ = ["Refused", "add_item", "remove_item", "storing", "used_bytes"]

CHUNK = 64 * 1024


class Upload(Protocol):
    """An uploaded file, as Django's ``UploadedFile`` is: a name, a size, its bytes."""

    name: str
    size: int

    def seek(self, offset: int) -> int: ...
    def read(self, size: int = -1) -> bytes: ...


def used_bytes(organisation: Organisation) -> int:
    """What the organisation's files take in the storage (removed items' included: their
    files are kept for the assessments that cite them)."""
    total = EvidenceFile.objects.filter(item__organisation=organisation).aggregate(s=Sum("size"))
    return total["s"] or 0


def check_files(organisation: Organisation, files: list[Upload]) -> list[detection.Kind]:
    """Each file's kind, or ``Refused`` for the first that may not be stored."""
    if not files:
        raise Refused(_("Choose at least one file."))
    limit = settings.EVIDENCE_MAX_FILE_BYTES
    kinds = []
    for upload in files:
        name = detection.check_name(upload.name or "")
        if upload.size == 0:
            raise Refused(_("“%(name)s” is empty (0 bytes).") % {"name": name})
        if upload.size > limit:
            raise Refused(
                _("“%(name)s” is %(size)s; a file may be at most %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(upload.size),
                    "limit": filesizeformat(limit),
                }
            )
        kinds.append(detection.detect(upload, name))
    quota = settings.EVIDENCE_QUOTA_BYTES
    used = used_bytes(organisation)
    if used + sum(upload.size for upload in files) > quota:
        raise Refused(
            _(
                "The organisation's evidence would exceed its quota of %(quota)s "
                "(%(used)s used). Ask the administrator for a larger quota."
            )
            % {"quota": filesizeformat(quota), "used": filesizeformat(used)}
        )
    return kinds


def sha256_of(handle: IO[bytes]) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@transaction.atomic
def add_item(
    organisation: Organisation,
    user,
    *,
    title: str,
    files: list[Upload],
    document_date: date | None = None,
    valid_until: date | None = None,
    stored: list[str] | None = None,
) -> EvidenceItem:
    """A new item of the library with ``files``, or ``Refused`` and nothing stored.
    ``stored`` (from ``storing()``) collects the keys written."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    kinds = check_files(organisation, files)
    now = timezone.now()
    item = EvidenceItem.objects.create(
        organisation=organisation,
        title=title.strip() or detection.check_name(files[0].name).rsplit(".", 1)[0][:200],
        document_date=document_date,
        valid_until=valid_until,
        created_by=user,
        created_at=now,
    )
    storage = evidence_storage()
    with storing(stored) as keys:
        for upload, kind in zip(files, kinds, strict=True):
            digest = sha256_of(upload)
            key = storage.save(new_key(organisation), File(upload))
            keys.append(key)
            EvidenceFile.objects.create(
                item=item,
                key=key,
                name=detection.check_name(upload.name),
                size=upload.size,
                sha256=digest,
                content_type=kind.mime,
                uploaded_by=user,
                uploaded_at=now,
            )
    return item


@contextmanager
def storing(keys: list[str] | None = None) -> Iterator[list[str]]:
    """Collects the keys of files stored inside it, and deletes them from the storage
    if it ends with an exception: the storage is not part of the database's transaction,
    so a caller that can still fail after ``add_item`` wraps its whole transaction in
    one (``with storing() as keys: with transaction.atomic(): add_item(..., stored=keys)``)."""
    keys = [] if keys is None else keys
    try:
        yield keys
    except BaseException:
        storage = evidence_storage()
        for key in keys:
            storage.delete(key)
        raise


@transaction.atomic
def remove_item(item: EvidenceItem, user) -> bool:
    """Take the item out of the library (recorded; its files are kept). False when it
    was removed already."""
    changed = EvidenceItem.objects.filter(pk=item.pk, removed_at__isnull=True).update(
        removed_at=timezone.now(), removed_by=user
    )
    if changed:
        item.refresh_from_db(fields=["removed_at", "removed_by"])
        signals.item_removed.send(sender=EvidenceItem, item=item, user=user)
    return bool(changed)
