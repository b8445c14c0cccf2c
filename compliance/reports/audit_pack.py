"""The audit pack: one ZIP with everything an auditor asks for about one assessment.

- ``reports/``: the full report and the board summary (the stored PDFs);
- ``exports/``: the CSV, XLSX and JSON exports;
- ``evidence/<section>/<question>/``: every evidence file each answer cites, under its
  uploaded name made safe for every file system and unique in its folder;
- ``manifest.json`` and ``manifest.csv``: every other file of the pack with its SHA-256,
  size and, for evidence, the answer it supports and the SHA-256 recorded at upload.

The ZIP is streamed (zipstream-ng): each evidence file is read from the storage in
chunks and hashed on its way through, so the pack is never in memory as a whole, and
the manifest, written last, holds the checksums of what the pack really contains. A file
whose bytes no longer match the SHA-256 recorded at its upload is marked as altered.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import logging
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from zipfile import ZIP_DEFLATED, ZIP_STORED

from django.utils import timezone, translation
from django.utils.text import slugify
from django.utils.translation import gettext as _
from zipstream import ZipStream

from compliance.evidence.storage import evidence_storage

from . import exports
from .document import facts
from .presentation import Report

logger = logging.getLogger(__name__)
CHUNK = 256 * 1024
#: Types already compressed: stored as they are (deflating them costs time for nothing).
COMPRESSED_TYPES = (
    "application/pdf",
    "image/",
    "application/vnd.openxmlformats",
    "application/vnd.oasis",
)
UNSAFE = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
MAX_PART = 80
WINDOWS_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{n}" for n in range(1, 10)),
    *(f"LPT{n}" for n in range(1, 10)),
}


@dataclass
class Member:
    """One file of the pack, and what the manifest says of it."""

    path: str
    kind: str  # report, export, evidence
    chunks: Callable[[], Iterable[bytes]]
    compressed: bool = False
    question: str = ""  # the number and code of the answer an evidence file supports
    evidence: dict = field(default_factory=dict)
    size: int = 0
    sha256: str = ""
    expected: int = 0  # the size recorded (evidence) or known (the rest) before it streams


def expected_size(files: list[Member]) -> int:
    """What the pack's files take, from their records: the pack is about that large
    (evidence files are stored as they are)."""
    return sum(member.expected for member in files)


def safe_part(text: str, fallback: str) -> str:
    """A file or folder name every system accepts: no separators or control characters,
    no leading dots or trailing spaces and dots, no name Windows reserves (``CON``,
    ``NUL.txt``), at most ``MAX_PART`` characters."""
    text = unicodedata.normalize("NFC", UNSAFE.sub("_", str(text))).strip(" .")
    if text.split(".", 1)[0].strip().upper() in WINDOWS_RESERVED:
        text = "_" + text
    if len(text) > MAX_PART:
        stem, dot, extension = text.rpartition(".")
        if dot and len(extension) <= 8:
            text = stem[: MAX_PART - len(extension) - 1].rstrip(" .") + "." + extension
        else:
            text = text[:MAX_PART].rstrip(" .")
    return text or fallback


def unique_name(name: str, taken: set[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... if the folder has it already (case
    folded, as Windows and macOS compare names)."""
    stem, dot, extension = name.rpartition(".")
    if not dot:
        stem, extension = name, ""
    candidate, number = name, 1
    while candidate.casefold() in taken:
        number += 1
        suffix = f" ({number}){dot}{extension}"
        candidate = stem[: MAX_PART - len(suffix)].rstrip(" .") + suffix
    taken.add(candidate.casefold())
    return candidate


def _bytes(data: bytes) -> Callable[[], Iterable[bytes]]:
    return lambda: [data]


def _stored(key: str) -> Callable[[], Iterator[bytes]]:
    def chunks() -> Iterator[bytes]:
        with evidence_storage().open(key, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk

    return chunks


def members(report: Report, pdfs: dict[str, bytes]) -> list[Member]:
    """Every file of the pack but the manifests, in the pack's order. ``pdfs``: the
    rendered reports by kind (``full``, ``board``)."""
    draft = "-DRAFT" if report.is_draft else ""
    name = slugify(report.assessment.title) or "assessment"
    found = [
        Member(
            f"reports/{name}-{kind}{draft}.pdf",
            "report",
            _bytes(data),
            compressed=True,
            expected=len(data),
        )
        for kind, data in pdfs.items()
    ]
    for extension, build in (
        ("csv", exports.to_csv),
        ("xlsx", exports.to_xlsx),
        ("json", exports.to_json),
    ):
        data = build(report)
        found.append(
            Member(
                f"exports/{name}{draft}.{extension}",
                "export",
                _bytes(data),
                compressed=extension == "xlsx",
                expected=len(data),
            )
        )
    for section in report.sections:
        title = safe_part(section.section.title, section.section.code)
        folder = f"evidence/{section.number:02d} {title}"
        for row in section.questions:
            if not row.evidence:
                continue
            place = f"{folder}/{row.number} {safe_part(row.question.code, 'question')}"
            taken: set[str] = set()
            for link in row.evidence:
                item = link.item
                for stored in item.files.all():
                    found.append(
                        Member(
                            f"{place}/{unique_name(safe_part(stored.name, 'file'), taken)}",
                            "evidence",
                            _stored(stored.key),
                            compressed=stored.content_type.startswith(COMPRESSED_TYPES),
                            question=f"{row.number} {row.question.code}",
                            expected=stored.size,
                            evidence={
                                "id": str(item.uuid),
                                "title": item.title,
                                "document_date": _iso(item.document_date),
                                "valid_until": _iso(item.valid_until),
                                "expired": item.expired_on(report.evidence_day),
                                "file": stored.name,
                                "type": stored.content_type,
                                "recorded_sha256": stored.sha256,
                            },
                        )
                    )
    return found


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def _hashed(member: Member) -> Iterator[bytes]:
    digest, size = hashlib.sha256(), 0
    try:
        for chunk in member.chunks():
            digest.update(chunk)
            size += len(chunk)
            yield chunk
    except OSError:
        # Gone from the storage (or unreadable): the pack goes on, and its manifest says
        # so; the entry holds what could be read.
        member.evidence["missing"] = True
        logger.error("Evidence file %s could not be read from the storage", member.path)
    member.sha256, member.size = digest.hexdigest(), size
    recorded = member.evidence.get("recorded_sha256")
    if recorded and recorded != member.sha256:
        member.evidence["altered"] = True
        logger.error("Evidence file %s does not match its recorded SHA-256", member.path)


def manifest_json(report: Report, files: list[Member]) -> bytes:
    data = {
        "assessment": facts(report.assessment),
        "draft": report.is_draft,
        "created_at": timezone.now().isoformat(),
        "language": translation.get_language(),
        "files": [
            {
                "path": member.path,
                "kind": member.kind,
                "size": member.size,
                "sha256": member.sha256,
                **(
                    {"supports": member.question, "evidence": member.evidence}
                    if member.question
                    else {}
                ),
            }
            for member in files
        ],
    }
    return json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")


def manifest_csv(files: list[Member]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            _("Path"),
            _("Kind"),
            _("Size in bytes"),
            _("SHA-256"),
            _("Supports"),
            _("Evidence"),
            _("Altered"),
            _("Missing from the storage"),
        ]
    )
    for member in files:
        writer.writerow(
            [
                exports.neutralise(member.path),
                member.kind,
                member.size,
                member.sha256,
                exports.neutralise(member.question),
                exports.neutralise(member.evidence.get("title", "")),
                _("yes") if member.evidence.get("altered") else "",
                _("yes") if member.evidence.get("missing") else "",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def stream(report: Report, files: list[Member], language: str) -> Iterator[bytes]:
    """The bytes of the pack of ``files`` (``members``), as they are made: a generator
    that a streamed response consumes after the view has returned, so it sets the
    language of its manifest itself."""
    with translation.override(language):
        yield from _stream(report, files)


def _stream(report: Report, files: list[Member]) -> Iterator[bytes]:
    archive = ZipStream(compress_type=ZIP_DEFLATED)
    for member in files:
        archive.add(
            _hashed(member),
            member.path,
            compress_type=ZIP_STORED if member.compressed else ZIP_DEFLATED,
        )
    yield from archive.all_files()
    # Every file has gone through: the manifests hold what the pack really contains.
    archive.add(manifest_json(report, files), "manifest.json")
    archive.add(manifest_csv(files), "manifest.csv")
    yield from archive.finalize()


def file_name(report: Report, language: str) -> str:
    name = slugify(report.assessment.title) or "assessment"
    draft = "-DRAFT" if report.is_draft else ""
    return f"audit-pack-{name}{draft}-{language}.zip"
