"""What an upload is, judged from its bytes: every allowed kind passes, every disguise is named."""

from __future__ import annotations

import io
import re

import pytest

from compliance.evidence import detection
from compliance.evidence.detection import Refused, check_name, detect

from . import files


@pytest.mark.parametrize("name", sorted(files.ALLOWED))
def test_every_allowed_kind_is_recognised_from_its_content(name):
    kind = detect(io.BytesIO(files.ALLOWED[name]), name)
    assert detection.extension_of(name) in kind.extensions


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("page.pdf", "web page or markup"),
        ("drawing.pdf", "web page or markup"),
        ("tool.pdf", "application/x-msdownload"),
        ("tool.exe", "“.exe” cannot be uploaded"),
        ("binary.txt", "application/x-executable"),
        ("archive.docx", "archive (ZIP)"),
        ("manual.pdf", "its content is a Word document"),
        ("old.doc", "“.doc” cannot be uploaded"),
        ("letter.eml", "not an e-mail message"),
        ("noextension", "has no extension"),
    ],
)
def test_disguised_and_disallowed_content_is_refused_with_what_it_is(name, message):
    with pytest.raises(Refused, match=re.escape(message)):
        detect(io.BytesIO(files.REFUSED[name]), name)


def test_an_old_office_file_named_docx_is_refused():
    with pytest.raises(Refused, match="Older Office files"):
        detect(io.BytesIO(files.REFUSED["old.doc"]), "old.docx")


def test_an_empty_file_is_refused():
    with pytest.raises(Refused, match="empty"):
        detect(io.BytesIO(b""), "empty.pdf")


def test_the_handle_is_left_at_its_start():
    handle = io.BytesIO(files.ALLOWED["manual.docx"])
    detect(handle, "manual.docx")
    assert handle.tell() == 0


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd.pdf",
        "a/b.pdf",
        "a\\b.pdf",
        "bell\x07.pdf",
        "line\nbreak.pdf",
        "rtl\u202efdp.exe",
        "",
        "   ",
        "x" * 197 + ".pdf",
    ],
)
def test_names_with_paths_or_control_characters_are_refused(name):
    with pytest.raises(Refused):
        check_name(name)


def test_a_chinese_name_is_kept_as_it_is():
    assert check_name("出口管制内部合规手册 2026.pdf") == "出口管制内部合规手册 2026.pdf"


def test_a_zip_bomb_is_not_unpacked():
    import tracemalloc
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", b"application/vnd.oasis.opendocument.text" + b" " * 50_000_000)
    tracemalloc.start()
    with pytest.raises(Refused, match=re.escape("archive (ZIP)")):
        detect(io.BytesIO(buffer.getvalue()), "minutes.odt")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5_000_000  # the 50 MB entry was never unpacked


def test_an_archive_of_too_many_entries_is_no_document():
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        for index in range(detection.MAX_ARCHIVE_ENTRIES + 1):
            archive.writestr(f"word/{index}.xml", b"")
    with pytest.raises(Refused, match=re.escape("archive (ZIP)")):
        detect(io.BytesIO(buffer.getvalue()), "manual.docx")


def test_an_archive_python_cannot_read_is_refused_not_an_error():
    # A "mimetype" entry that claims a compression method Python does not implement.
    data = bytearray(files.ALLOWED["minutes.odt"])
    data[8:10] = (9).to_bytes(2, "little")  # Deflate64, in the local header
    central = data.index(b"PK\x01\x02")  # the first entry's, mimetype's
    data[central + 10 : central + 12] = (9).to_bytes(2, "little")
    with pytest.raises(Refused):
        detect(io.BytesIO(bytes(data)), "minutes.odt")


@pytest.mark.parametrize(
    "data",
    [
        b"<html>\xff<script>alert(1)</script></html>",  # not UTF-8: once taken for UTF-16
        b"\x0c<html><script>alert(1)</script>",  # a form feed first
        "\u00a0<svg onload=alert(1)>".encode(),  # a no-break space first
        "\ufeff\u200b<html>".encode(),
    ],
)
def test_markup_behind_odd_bytes_is_still_markup(data):
    with pytest.raises(Refused, match=r"web page or markup|not a known document type"):
        detect(io.BytesIO(data), "notes.txt")


def test_a_long_chinese_text_is_text_wherever_the_sample_ends():
    text = ("出口管制合规记录，" * 10_000).encode("utf-8")
    for cut in range(3):  # the sample's end falls inside a character, or on a boundary
        assert detect(io.BytesIO(b"x" * cut + text), "notes.txt") is detection.TEXT
