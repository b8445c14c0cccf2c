"""What an uploaded file is, judged from its bytes, never from its name or the browser.

A file is accepted only when its content is one of the allowed kinds *and* its name's
extension is one of that kind's: a PDF named ``.pdf``, a spreadsheet named ``.xlsx``.
Anything else (an HTML or SVG page named ``.pdf``, a program, an archive, a Word file
named ``.pdf``) is refused with a message that says what the content was taken for.

Binary formats are recognised by ``filetype`` (signatures, no system library); the
Office Open XML and OpenDocument formats, which are ZIP archives, by the entries of the
archive; Outlook messages by the compound file's stream names; plain text, CSV and
e-mail by decoding as text, without markup at the start.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

import filetype
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

#: How much of the start of a file the checks read (filetype reads 8 KiB).
SAMPLE_BYTES = 64 * 1024
MAX_NAME = 200


@dataclass(frozen=True)
class Kind:
    label: str  # what a person calls it, in messages
    mime: str  # served as this type, always as an attachment
    extensions: tuple[str, ...]


PDF = Kind(gettext_lazy("a PDF document"), "application/pdf", ("pdf",))
PNG = Kind(gettext_lazy("a PNG image"), "image/png", ("png",))
JPEG = Kind(gettext_lazy("a JPEG image"), "image/jpeg", ("jpg", "jpeg"))
DOCX = Kind(
    gettext_lazy("a Word document"),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ("docx",),
)
XLSX = Kind(
    gettext_lazy("an Excel workbook"),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ("xlsx",),
)
PPTX = Kind(
    gettext_lazy("a PowerPoint presentation"),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ("pptx",),
)
ODT = Kind(
    gettext_lazy("an OpenDocument text"), "application/vnd.oasis.opendocument.text", ("odt",)
)
ODS = Kind(
    gettext_lazy("an OpenDocument spreadsheet"),
    "application/vnd.oasis.opendocument.spreadsheet",
    ("ods",),
)
ODP = Kind(
    gettext_lazy("an OpenDocument presentation"),
    "application/vnd.oasis.opendocument.presentation",
    ("odp",),
)
MSG = Kind(gettext_lazy("an Outlook message"), "application/vnd.ms-outlook", ("msg",))
TEXT = Kind(gettext_lazy("plain text"), "text/plain", ("txt",))
CSV = Kind(gettext_lazy("a CSV table"), "text/csv", ("csv",))
EML = Kind(gettext_lazy("an e-mail message"), "message/rfc822", ("eml",))

ALLOWED = (PDF, PNG, JPEG, DOCX, XLSX, PPTX, ODT, ODS, ODP, MSG, TEXT, CSV, EML)
ALLOWED_EXTENSIONS = tuple(ext for kind in ALLOWED for ext in kind.extensions)
_BY_MIME = {kind.mime: kind for kind in ALLOWED}
# The accept attribute of the file input: a hint for the browser's file chooser only.
ACCEPT = ",".join(f".{ext}" for ext in ALLOWED_EXTENSIONS)

_OOXML_PARTS = {"word/": DOCX, "xl/": XLSX, "ppt/": PPTX}
_ODF_MIMES = {kind.mime: kind for kind in (ODT, ODS, ODP)}
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MSG_STREAM = "__substg1.0_".encode("utf-16-le")
_TEXT_KINDS = {"txt": TEXT, "csv": CSV, "eml": EML}
_TEXT_ENCODINGS = ("utf-8-sig", "gb18030")
# What may stand before markup and still let a browser take it for a page: whitespace of
# any kind (form feeds, no-break spaces), byte-order marks, zero-width characters.
_LEADING_BLANKS = re.compile(r"^[\s\ufeff\u200b\u200c\u200d\u2060]+")
#: An Office or OpenDocument file has dozens of entries; far more is no document.
MAX_ARCHIVE_ENTRIES = 5000
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
# The first characters of markup a browser would render or run, were it ever shown inline.
_MARKUP = ("<!doctype", "<html", "<svg", "<?xml", "<script", "<head", "<body", "<iframe", "<")
_EMAIL_HEADERS = ("from:", "to:", "subject:", "date:", "received:", "message-id:", "mime-version:")


class Refused(ValueError):
    """An upload that is not stored, with the message that says why."""


def check_name(name: str) -> str:
    """The display name of an upload, or ``Refused``: no path, no control characters."""
    if not name or not name.strip():
        raise Refused(_("The file has no name."))
    if "/" in name or "\\" in name or name in {".", ".."}:
        raise Refused(_("A file name cannot contain “/” or “\\”."))
    if any(unicodedata.category(char) in {"Cc", "Cf", "Zl", "Zp"} for char in name):
        raise Refused(_("The file name contains control characters."))
    if len(name) > MAX_NAME:
        raise Refused(_("The file name is longer than %(max)d characters.") % {"max": MAX_NAME})
    return name.strip()


def extension_of(name: str) -> str:
    return name.rsplit(".", 1)[1].lower() if "." in name.strip(".") else ""


def detect(handle: BinaryIO, name: str) -> Kind:
    """The kind of the file open in ``handle`` (read from its start, left at its start),
    named ``name``; ``Refused`` when it is not allowed or not what its name says."""
    extension = extension_of(name)
    if extension not in ALLOWED_EXTENSIONS:
        raise Refused(
            _("Files of type “.%(ext)s” cannot be uploaded. Allowed: %(allowed)s.")
            % {"ext": extension or "?", "allowed": ", ".join(ALLOWED_EXTENSIONS)}
            if extension
            else _("The file name has no extension. Allowed: %(allowed)s.")
            % {"allowed": ", ".join(ALLOWED_EXTENSIONS)}
        )
    handle.seek(0)
    sample = handle.read(SAMPLE_BYTES)
    handle.seek(0)
    if not sample:
        raise Refused(_("The file is empty."))
    kind = _binary_kind(handle, sample)
    if kind is None:
        kind = _text_kind(sample, extension)
    if extension not in kind.extensions:
        raise Refused(
            _("“%(name)s” is named .%(ext)s, but its content is %(kind)s.")
            % {"name": name, "ext": extension, "kind": kind.label}
        )
    return kind


def _binary_kind(handle: BinaryIO, sample: bytes) -> Kind | None:
    """An allowed binary kind; ``Refused`` for any other binary format; ``None`` when
    the content has no binary signature at all (it may be text)."""
    if sample.startswith(b"PK\x03\x04"):
        kind = _zipped_document(handle)
        if kind is None:
            raise Refused(_("The file is an archive (ZIP), not a document."))
        return kind
    if sample.startswith(_OLE_MAGIC):
        if _contains(handle, _MSG_STREAM):
            return MSG
        raise Refused(
            _(
                "Older Office files (.doc, .xls, .ppt) cannot be uploaded: "
                "save them as .docx, .xlsx or .pptx."
            )
        )
    guess = filetype.guess(sample)
    if guess is None:
        return None
    if guess.mime in _BY_MIME:
        return _BY_MIME[guess.mime]
    raise Refused(
        _("The content is of type %(type)s, which cannot be uploaded.") % {"type": guess.mime}
    )


def _contains(handle: BinaryIO, needle: bytes) -> bool:
    """Whether the file holds ``needle`` anywhere (read a chunk at a time; left at its
    start). An Outlook message's directory, which names its streams, may lie anywhere."""
    handle.seek(0)
    tail = b""
    try:
        while chunk := handle.read(1024 * 1024):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
        return False
    finally:
        handle.seek(0)


def _zipped_document(handle: BinaryIO) -> Kind | None:
    """An Office Open XML or OpenDocument file, from the entries of its archive (its
    directory only, and at most the first bytes of one small entry: never unpacked)."""
    try:
        with zipfile.ZipFile(handle) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ARCHIVE_ENTRIES:
                return None
            by_name = {entry.filename: entry for entry in entries}
            marker = by_name.get("mimetype")
            if marker is not None:
                if marker.file_size > 100 or marker.compress_type not in _ZIP_METHODS:
                    return None
                with archive.open(marker) as opened:
                    mime = opened.read(101).decode("ascii", "replace").strip()
                return _ODF_MIMES.get(mime)
            if "[Content_Types].xml" in by_name:
                for prefix, kind in _OOXML_PARTS.items():
                    if any(name.startswith(prefix) for name in by_name):
                        return kind
    except (zipfile.BadZipFile, OSError, UnicodeError, EOFError, RuntimeError, ValueError):
        # Damaged, encrypted or compressed in a way Python does not read (Deflate64).
        return None
    except NotImplementedError:
        return None
    finally:
        handle.seek(0)
    return None


def _decoded(sample: bytes) -> str | None:
    """The sample as text: UTF-16 only with its byte-order mark (without one, UTF-16
    "decodes" almost any bytes), else UTF-8 or GB18030; a character cut off by the end of
    the sample is left out (an incremental decoder, not yet at the file's end)."""
    final = len(sample) < SAMPLE_BYTES
    encodings = ("utf-16",) if sample.startswith((b"\xff\xfe", b"\xfe\xff")) else _TEXT_ENCODINGS
    for encoding in encodings:
        try:
            return codecs.getincrementaldecoder(encoding)().decode(sample, final=final)
        except UnicodeDecodeError:
            continue
    return None


def _text_kind(sample: bytes, extension: str) -> Kind:
    """Plain text, CSV or an e-mail: it decodes as text and does not start as markup."""
    if b"\x00" in sample and not sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise Refused(_("The content is not a known document type."))
    text = _decoded(sample)
    if text is None:
        raise Refused(_("The content is not a known document type."))
    if _LEADING_BLANKS.sub("", text).lower().startswith(_MARKUP):
        raise Refused(
            _("The content is a web page or markup (HTML, SVG or XML), which cannot be uploaded.")
        )
    if any(unicodedata.category(char) == "Cc" and char not in "\t\r\n\f" for char in text[:4096]):
        raise Refused(_("The content is not a known document type."))
    kind = _TEXT_KINDS.get(extension, TEXT)
    if kind is EML and not _looks_like_email(text):
        raise Refused(_("The file is named .eml, but its content is not an e-mail message."))
    return kind


def _looks_like_email(text: str) -> bool:
    head = text.split("\n\n", 1)[0].split("\r\n\r\n", 1)[0].lower().splitlines()
    return sum(1 for line in head if line.startswith(_EMAIL_HEADERS)) >= 2
