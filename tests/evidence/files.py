"""Small real files of every kind an upload may be, and of kinds it may not."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

from django.core.files.uploadedfile import SimpleUploadedFile


def pdf(text: str = "Export control policy") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n% "
        + text.encode()
        + b"\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    )


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def jpeg() -> bytes:
    return (
        b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
        + b"\x00" * 64
        + b"\xff\xd9"
    )


def _zip(entries: dict[str, bytes], stored_first: str | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if stored_first:
            archive.writestr(zipfile.ZipInfo(stored_first), entries.pop(stored_first))
        for name, data in entries.items():
            archive.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def docx() -> bytes:
    return _zip(
        {"[Content_Types].xml": b"<Types/>", "_rels/.rels": b"<r/>", "word/document.xml": b"<w/>"}
    )


def pptx() -> bytes:
    return _zip({"[Content_Types].xml": b"<Types/>", "ppt/presentation.xml": b"<p/>"})


def xlsx() -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active["A1"] = "screening log"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def odt() -> bytes:
    return _zip(
        {"mimetype": b"application/vnd.oasis.opendocument.text", "content.xml": b"<o/>"},
        stored_first="mimetype",
    )


def msg() -> bytes:
    # A compound file whose directory names Outlook's property streams.
    header = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return header + "__substg1.0_0037001F".encode("utf-16-le") + b"\x00" * 400


def eml() -> bytes:
    return (
        b"From: officer@example.com\r\nTo: board@example.com\r\nSubject: Screening 2026\r\n"
        b"Date: Mon, 2 Nov 2026 09:00:00 +0800\r\n\r\nThe screening log is attached.\r\n"
    )


ALLOWED = {
    "policy.pdf": pdf(),
    "org-chart.png": png(),
    "photo.jpg": jpeg(),
    "manual.docx": docx(),
    "log.xlsx": xlsx(),
    "training.pptx": pptx(),
    "minutes.odt": odt(),
    "mail.msg": msg(),
    "notes.txt": b"Screening is done before every order.\n",
    "denied-parties.csv": "名称,国家\n某公司,中国\n".encode("gb18030"),
    "approval.eml": eml(),
}

REFUSED = {
    "page.pdf": b"<!DOCTYPE html><html><script>alert(1)</script></html>",
    "drawing.pdf": b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    "tool.pdf": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
    "tool.exe": b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200,
    "binary.txt": b"\x7fELF\x02\x01\x01" + b"\x00" * 200,
    "archive.docx": _zip({"a.txt": b"hello"}),
    "manual.pdf": docx(),
    "old.doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1000,
    "letter.eml": b"Just some text, no headers at all.\n",
    "noextension": pdf(),
}


def upload(name: str, data: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    """As a browser would send it: the type it claims is never what counts."""
    return SimpleUploadedFile(name, data, content_type=content_type)
