"""The evidence files' companion to a database backup: ``manage.py backup_evidence`` and
``restore_evidence``.

The database backup holds each evidence file's row (its storage key, size and SHA-256),
not its bytes: an installation's evidence can be many gigabytes, and a bucket in object
storage is often kept by the storage's own means (versioning, replication). These
commands copy the bytes to and from one uncompressed tar file (evidence is mostly
compressed already), each member named by its storage key, streamed file by file:

    manifest.json           {"format": "compliance-evidence", "files": [{key, size, sha256}]}
    files/<key>             the bytes stored under that key

A restore runs after the database's (``manage.py restore``): for every evidence row it
takes the member of its key, checks its size and SHA-256 against the row, and writes it
to the evidence storage under the same key; a file already there with the right
checksum is left as it is. Any member that is missing or does not match is named, and
the command fails; nothing wrong is ever stored.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import tarfile
import tempfile
from pathlib import Path

from django.core.files import File
from django.utils import timezone

from compliance.evidence.models import EvidenceFile
from compliance.evidence.storage import evidence_storage

from .archive import BackupError

FORMAT = "compliance-evidence"
logger = logging.getLogger(__name__)
CHUNK = 1024 * 1024


class _Checked:
    """A file read through, hashed on the way (what the backup copies is checked)."""

    def __init__(self, handle) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.extra = False

    def read(self, size: int = -1) -> bytes:
        chunk = self.handle.read(size)
        self.digest.update(chunk)
        return chunk

    def hexdigest(self) -> str:
        return self.digest.hexdigest()


def _sha256(handle) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    while chunk := handle.read(CHUNK):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def write_evidence_backup(path: Path) -> int:
    """Copy every stored evidence file into the tar at ``path``; the number copied."""
    path = Path(path)
    storage = evidence_storage()
    rows = list(EvidenceFile.objects.order_by("pk").values("key", "size", "sha256"))
    partial = path.with_name(f".{path.name}.partial")
    try:
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    except OSError as error:
        raise BackupError(f"Cannot write {path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            manifest = json.dumps(
                {"format": FORMAT, "created_at": timezone.now().isoformat(), "files": rows},
                indent=1,
            ).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(manifest)
            tar.addfile(info, io.BytesIO(manifest))
            for row in rows:
                try:
                    handle = storage.open(row["key"], "rb")
                except OSError:
                    raise BackupError(
                        f"Evidence file {row['key']} is missing from the storage."
                    ) from None
                with handle:
                    info = tarfile.TarInfo(f"files/{row['key']}")
                    info.size = row["size"]
                    info.mode = 0o600
                    checked = _Checked(handle)
                    try:
                        tar.addfile(info, checked)
                    except OSError:  # shorter than recorded
                        checked.extra = True
                    if checked.extra or handle.read(1) or checked.hexdigest() != row["sha256"]:
                        raise BackupError(
                            f"Evidence file {row['key']} no longer matches the size and SHA-256 "
                            "recorded at its upload: it was altered in the storage. Nothing was "
                            "backed up; find out what changed it first."
                        )
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return len(rows)


def restore_evidence_backup(path: Path) -> tuple[int, int]:
    """Write back every evidence file the database names from the tar at ``path``,
    each checked against its row: (written, already there). ``BackupError`` names every
    file missing or damaged (the good ones are written)."""
    storage = evidence_storage()
    rows = {row.key: row for row in EvidenceFile.objects.all()}
    problems: list[str] = []
    written = present = 0
    try:
        tar = tarfile.open(path, mode="r:")  # noqa: SIM115 (closed by the with below)
    except (OSError, tarfile.TarError) as error:
        raise BackupError(f"{path} is not a readable evidence backup ({error}).") from None
    with tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        if "manifest.json" not in members:
            raise BackupError(f"{path} is not an evidence backup made by `backup_evidence`.")
        manifest = json.load(tar.extractfile(members["manifest.json"]))
        if manifest.get("format") != FORMAT:
            raise BackupError(f"{path} is not an evidence backup made by `backup_evidence`.")
        for key, row in sorted(rows.items()):
            there = storage.exists(key)
            if there:
                with storage.open(key, "rb") as handle:
                    if _sha256(handle) == (row.sha256, row.size):
                        present += 1
                        continue
            member = members.get(f"files/{key}")
            if member is None:
                problems.append(f"{key} ({row.name}): not in the backup")
                continue
            with tempfile.TemporaryFile() as spool:
                source = tar.extractfile(member)
                digest, size = hashlib.sha256(), 0
                while chunk := source.read(CHUNK):
                    digest.update(chunk)
                    size += len(chunk)
                    spool.write(chunk)
                if (digest.hexdigest(), size) != (row.sha256, row.size):
                    problems.append(f"{key} ({row.name}): its SHA-256 does not match the record")
                    continue
                spool.seek(0)
                if there:
                    # Only now, with a good copy in hand, does a damaged stored file go
                    # (its key is needed; the log names it).
                    logger.warning("Replacing %s: its SHA-256 did not match the record", key)
                    storage.delete(key)
                saved = storage.save(key, File(spool))
                if saved != key:  # pragma: no cover - the key was free a moment ago
                    storage.delete(saved)
                    problems.append(f"{key} ({row.name}): could not be written under its key")
                    continue
            written += 1
    if problems:
        raise BackupError(
            f"{len(problems)} evidence file(s) could not be restored:\n"
            + "".join(f"  {problem}\n" for problem in problems)
            + f"{written} other file(s) were restored, each checked against its SHA-256."
        )
    return written, present
