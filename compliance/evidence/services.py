"""Writes on the evidence library: add an item with its files, remove an item.

Every file is checked before any is stored (name, size, type from the content, the
organisation's quota), so that a refused upload stores nothing. Files are stored before
their rows are written, outside any transaction (no lock is held while megabytes move);
the rows are then written in a short transaction that checks the quota again under a lock
on the organisation's row, so that two uploads at once cannot both pass it, and a failure
there deletes the stored files (``storing``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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

__all__ = [
    "Refused",
    "add_item",
    "record_item",
    "remove_item",
    "store_files",
    "storing",
    "used_bytes",
]

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
    check_quota(organisation, sum(upload.size for upload in files))
    return kinds


def check_quota(organisation: Organisation, adding: int) -> None:
    quota = settings.EVIDENCE_QUOTA_BYTES
    used = used_bytes(organisation)
    if used + adding > quota:
        raise Refused(
            _(
                "The organisation's evidence would exceed its quota of %(quota)s "
                "(%(used)s used). Ask the administrator for a larger quota."
            )
            % {"quota": filesizeformat(quota), "used": filesizeformat(used)}
        )


def sha256_of(handle: IO[bytes]) -> str:
    handle.seek(0)
    digest = hashlib.sha256()
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
    handle.seek(0)
    return digest.hexdigest()


@dataclass(frozen=True)
class StoredFile:
    """A file checked and stored under its key, not yet recorded in the database."""

    key: str
    name: str
    size: int
    sha256: str
    content_type: str


def store_files(
    organisation: Organisation, files: list[Upload], keys: list[str]
) -> list[StoredFile]:
    """Check every file (``Refused`` for the first that may not be stored, before any is),
    then hash and store each, adding its key to ``keys`` (from ``storing()``, which
    deletes them should anything fail later). Slow with large files: it runs outside any
    transaction, so that no lock is held while files are read and written."""
    kinds = check_files(organisation, files)
    storage = evidence_storage()
    stored = []
    for upload, kind in zip(files, kinds, strict=True):
        digest = sha256_of(upload)
        key = storage.save(new_key(organisation), File(upload))
        keys.append(key)
        stored.append(
            StoredFile(key, detection.check_name(upload.name), upload.size, digest, kind.mime)
        )
    return stored


def record_item(
    organisation: Organisation,
    user,
    stored: list[StoredFile],
    *,
    title: str,
    document_date: date | None = None,
    valid_until: date | None = None,
) -> EvidenceItem:
    """The library item of files ``store_files`` stored, in the caller's transaction:
    the quota is checked again under a lock on the organisation's row, so that two
    uploads at once cannot both pass it."""
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()
    check_quota(organisation, sum(file.size for file in stored))
    now = timezone.now()
    item = EvidenceItem.objects.create(
        organisation=organisation,
        title=title.strip() or stored[0].name.rsplit(".", 1)[0][:200],
        document_date=document_date,
        valid_until=valid_until,
        created_by=user,
        created_at=now,
    )
    EvidenceFile.objects.bulk_create(
        EvidenceFile(
            item=item,
            key=file.key,
            name=file.name,
            size=file.size,
            sha256=file.sha256,
            content_type=file.content_type,
            uploaded_by=user,
            uploaded_at=now,
        )
        for file in stored
    )
    return item


def add_item(
    organisation: Organisation,
    user,
    *,
    title: str,
    files: list[Upload],
    document_date: date | None = None,
    valid_until: date | None = None,
) -> EvidenceItem:
    """A new item of the library with ``files``, or ``Refused`` and nothing stored."""
    with storing() as keys:
        stored = store_files(organisation, files, keys)
        with transaction.atomic():
            return record_item(
                organisation,
                user,
                stored,
                title=title,
                document_date=document_date,
                valid_until=valid_until,
            )


@contextmanager
def storing(keys: list[str] | None = None) -> Iterator[list[str]]:
    """Collects the keys of files stored inside it, and deletes them from the storage
    if it ends with an exception: the storage is not part of the database's transaction,
    so the files are stored first and recorded after, all inside one of these
    (``with storing() as keys: store_files(..., keys); with transaction.atomic(): ...``)."""
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
