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
