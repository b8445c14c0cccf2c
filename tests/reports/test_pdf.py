"""The PDF report, read back with pypdf: pages, metadata, outline, fonts, text, safety."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from compliance.assessments.scoring import answers_by_code, compute_result
from compliance.assessments.services import (
    AnswerInput,
    Submitted,
    create_assessment,
    save_answers,
    submit,
)
from compliance.questionnaires.selectors import load_version
from compliance.reports.models import ReportFile
from compliance.reports.pdf import STATIC_FILES, RenderError, html_for, write_pdf
from compliance.reports.weasy import StaticOnlyFetcher
from tests.factories import give

HOSTILE = (
    '<img src="file:///etc/passwd"> <style>body{background:url(file:///etc/passwd)}</style> '
    '<link rel="attachment" href="file:///etc/passwd"> <a href="http://127.0.0.1:9/x">x</a>'
)


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def text_of(reader: PdfReader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def outline_titles(reader: PdfReader) -> list[str]:
    titles = []

    def walk(items):
        for item in items:
            if isinstance(item, list):
                walk(item)
            else:
                titles.append(item.title)

    walk(reader.outline)
    return titles


def fonts_of(reader: PdfReader) -> set[str]:
    fonts = set()
    for page in reader.pages:
        for font in (page.get("/Resources") or {}).get("/Font", {}).values():
            fonts.add(str(font.get_object().get("/BaseFont")))
    return fonts


@pytest.fixture
def complete_default(default_version, editor):
    assessment = create_assessment(
        organisation=editor.organisation, version=default_version, title="FY2026", user=editor.user
    )
    content = load_version(default_version)
    items = []
    for index, question in enumerate(content.questions.values()):
        choices = list(question.choices.all())
        if choices:
            value = AnswerInput(choice_codes=(choices[index % len(choices)].code,))
        elif question.type == "date":
            from datetime import date

            value = AnswerInput(value_date=date(2026, 3, 31))
        else:
            value = AnswerInput(value_text="Distributor of laser modules.")
        items.append(Submitted(question, value, None))
    save_answers(assessment, items, editor.user)
    return assessment


def pdf_of(client, assessment, **params) -> bytes:
    response = client.get(reverse("assessment_report_pdf", args=[assessment.uuid]), params)
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "application/pdf"
    return response.getvalue()  # streamed from the file storage


def test_english_report_of_a_complete_assessment(editor_client, complete_default, editor):
    submitted = submit(complete_default, editor.user)
    reader = read(pdf_of(editor_client, submitted, lang="en"))
    pages = len(reader.pages)
    assert pages >= 8
    metadata = reader.metadata
    assert metadata.title == "Export-control compliance self-assessment: FY2026"
    assert metadata.author == editor.organisation.name
    assert "version 1" in metadata.subject
    text = text_of(reader)
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    result = submitted.result
    assert f"{result['score']:.1f}" in reader.pages[0].extract_text()
    titles = outline_titles(reader)
    for section in load_version(submitted.version).sections:
        assert any(str(section.title_en) in title for title in titles), section.code
    assert "DRAFT" not in text
    assert editor.organisation.name in reader.pages[3].extract_text()  # running header
    assert "Methodology" in titles and "Appendix: questionnaire changelog" in titles


def test_chinese_report_uses_a_chinese_font_and_text(editor_client, complete_default):
    reader = read(pdf_of(editor_client, complete_default, lang="zh-hans"))
    fonts = fonts_of(reader)
    assert any("NotoSansCJKsc" in font or ("CJK" in font and "SC" in font) for font in fonts), fonts
    assert not any("CJKjp" in font for font in fonts), fonts
    text = text_of(reader)
    for section in load_version(complete_default.version).sections:
        assert section.title_zh_hans in text.replace("\n", ""), section.code


def test_drafts_carry_a_draft_mark_on_every_page(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes")
    reader = read(pdf_of(editor_client, assessment, lang="en"))
    assert all("DRAFT" in page.extract_text() for page in reader.pages)


def test_hostile_text_is_printed_literally_and_fetches_nothing(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes", comment=HOSTILE)
    pdf = pdf_of(editor_client, assessment, lang="en")
    reader = read(pdf)
    text = re.sub(r"\s+", "", text_of(reader))  # lines may break inside a URL
    assert '<imgsrc="file:///etc/passwd">' in text
    assert "background:url(file:///etc/passwd)" in text
    assert '<linkrel="attachment"href="file:///etc/passwd">' in text
    assert not reader.attachments
    assert b"root:x:0:0" not in pdf
    assert b"/EmbeddedFile" not in pdf


def test_the_fetcher_serves_static_files_and_data_urls_only():
    fetcher = StaticOnlyFetcher(STATIC_FILES)
    assert b"@page" in fetcher.fetch("app-static:reports/report.css").read()
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    for url in (
        "file:///etc/passwd",
        "http://127.0.0.1:9/",
        "https://example.com/",
        "ftp://example.com/x",
        "app-static:../../../../etc/passwd",
        "app-static:missing.css",
    ):
        with pytest.raises(ValueError):
            fetcher.fetch(url)


def test_a_render_over_its_time_limit_fails_clearly():
    import time

    html = "<p>" + "word " * 200_000 + "</p>"
    start = time.monotonic()
    with translation.override("en"), pytest.raises(RenderError, match="took too long"):
        write_pdf(html, timeout=0.05)
    assert time.monotonic() - start < 10  # stopped, not waited for


def test_an_unchanged_report_is_rendered_once_and_served_with_an_etag(
    editor_client, assessment, editor
):
    give(assessment, editor.user, "policy-signed", "yes")
    url = reverse("assessment_report_pdf", args=[assessment.uuid])
    first = editor_client.get(url, {"lang": "en"})
    stored = ReportFile.objects.get()
    second = editor_client.get(url, {"lang": "en"})
    assert second.getvalue() == first.getvalue()
    assert ReportFile.objects.get().pk == stored.pk  # not rendered again
    assert second["ETag"] == first["ETag"]
    not_modified = editor_client.get(url, {"lang": "en"}, HTTP_IF_NONE_MATCH=first["ETag"])
    assert not_modified.status_code == 304
    # A change to an answer makes a new report.
    give(assessment, editor.user, "policy-signed", "no")
    third = editor_client.get(url, {"lang": "en"})
    assert third["ETag"] != first["ETag"]
    assert ReportFile.objects.count() == 1


def test_the_report_page_is_the_same_report_as_html(editor_client, assessment):
    """The site's report page frames the very HTML the PDF is printed from."""
    frame = editor_client.get(reverse("assessment_report", args=[assessment.uuid])).content.decode()
    assert 'class="report-frame' in frame and "Back to the results" in frame
    document = reverse("assessment_report_document", args=[assessment.uuid])
    page = editor_client.get(document).content.decode()

    def without_times(html: str) -> str:
        html = re.sub(r'dcterms.created" content="[^"]*"', "", html)
        return re.sub(r"Answers as of</td><td>[^<]*", "", html)

    printed = html_for(assessment, "en")
    # The browser gets the stylesheet by its static URL instead of the PDF fetcher's scheme.
    assert 'href="app-static:' in printed
    assert 'href="app-static:' not in page
    assert 'href="/static/reports/report.css"' in page
    for name in ("report.css", "charts.css"):
        printed = printed.replace(
            f'href="app-static:reports/{name}"', f'href="/static/reports/{name}"'
        )
    assert without_times(page) == without_times(printed)
    assert "Executive summary" in page


@pytest.mark.parametrize(
    "params",
    [{"format": "pdfa"}, {"format": "pdfa", "variant": "board"}, {"variant": "pdfa"}],
    ids=["full", "board", "first-address"],
)
def test_pdfa_is_offered_for_archiving(editor_client, assessment, params):
    """``?format=pdfa`` for either document; ``?variant=pdfa``, its first address, still
    gives the full report as PDF/A."""
    reader = read(pdf_of(editor_client, assessment, lang="en", **params))
    metadata = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in metadata and b"pdfaid:conformance" in metadata
    board = "Board summary" in reader.pages[0].extract_text()
    assert board == (params.get("variant") == "board")


def test_score_matches_the_scoring_function(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "partial")
    result = compute_result(load_version(assessment.version), answers_by_code(assessment))
    first_page = read(pdf_of(editor_client, assessment, lang="en")).pages[0].extract_text()
    assert f"{result.score:.1f}" in first_page


def test_the_stored_report_follows_a_reopened_and_resubmitted_previous_assessment(
    editor_client, assessment, editor, sample_version
):
    """The later report's "change since last time" comes from the previous assessment:
    when that one is reopened, changed and submitted again, the later PDF changes too."""
    from compliance.assessments.services import reopen

    give(assessment, editor.user, "policy-signed", "yes")
    give(assessment, editor.user, "policy-maturity", "l2")
    give(assessment, editor.user, "lists", "controlled")
    give(assessment, editor.user, "watch-process", "yes")
    submit(assessment, editor.user)
    later = create_assessment(
        organisation=editor.organisation,
        version=sample_version,
        title="2027",
        user=editor.user,
        carry_over_from=assessment,
    )
    url = reverse("assessment_report_pdf", args=[later.uuid])
    first = editor_client.get(url, {"lang": "en"})
    assert first.status_code == 200
    reopen(assessment, editor.user, note="Correction")
    give(assessment, editor.user, "policy-signed", "no")
    submit(assessment, editor.user)
    second = editor_client.get(url, {"lang": "en"})
    assert second["ETag"] != first["ETag"]
    assert text_of(read(second.getvalue())) != text_of(read(first.getvalue()))


def test_a_changed_translation_makes_a_new_report(editor_client, assessment, editor):
    from django.utils.translation import trans_real

    give(assessment, editor.user, "policy-signed", "yes")
    url = reverse("assessment_report_pdf", args=[assessment.uuid])
    first = editor_client.get(url, {"lang": "zh-hans"})
    catalog = trans_real.translation("zh-hans")._catalog
    original = catalog["Executive summary"]
    catalog["Executive summary"] = "执行摘要（新译）"
    try:
        second = editor_client.get(url, {"lang": "zh-hans"})
    finally:
        catalog["Executive summary"] = original
    assert second["ETag"] != first["ETag"]
    assert "执行摘要（新译）" in text_of(read(second.getvalue())).replace("\n", "")


def test_a_render_logs_the_peak_memory_of_its_process(caplog):
    """The render runs in a process of its own, which reports its peak memory: the figure
    to size workers by (and the one the benchmark prints)."""
    with caplog.at_level("INFO", logger="compliance.reports.pdf"):
        write_pdf("<p>Hello</p>")
    [record] = [r for r in caplog.records if r.name == "compliance.reports.pdf"]
    assert record.peak_kib > 10_000 and "peak memory" in record.getMessage()


def font_names(reader: PdfReader) -> set[str]:
    """The base fonts of every page, the charts' text included (form XObjects)."""
    names: set[str] = set()

    def walk(resources) -> None:
        resources = resources.get_object() if resources else {}
        for font in (resources.get("/Font") or {}).values():
            names.add(str(font.get_object()["/BaseFont"]).split("+")[-1])
        for xobject in (resources.get("/XObject") or {}).values():
            xobject = xobject.get_object()
            if "/Resources" in xobject:
                walk(xobject["/Resources"])

    for page in reader.pages:
        walk(page.get("/Resources"))
    return names


def test_the_chinese_report_names_the_sc_font_in_its_charts_too(assessment, editor):
    """With only "sans-serif", SVG text took Noto Sans CJK JP: Japanese glyph forms (户)."""
    give(assessment, editor.user, "policy-signed", "yes")
    with translation.override("zh-hans"):
        pdf = write_pdf(html_for(assessment, "zh-hans"))
    fonts = font_names(read(pdf))
    assert any("CJK-SC" in name for name in fonts), fonts
    assert not any("CJK-JP" in name for name in fonts), fonts


def test_every_page_carries_the_organisations_marking(editor_client, assessment, editor):
    """ "Confidential" by default, in the report's language; the organisation's own
    wording, shown as typed (quotes and markup are text); or none at all."""
    organisation = editor.organisation
    pdf = write_pdf(html_for(assessment, "en"))
    pages = [page.extract_text() for page in read(pdf).pages]
    assert all("Confidential" in text for text in pages), len(pages)
    with translation.override("zh-hans"):
        chinese = write_pdf(html_for(assessment, "zh-hans"))
    assert all("机密" in page.extract_text() for page in read(chinese).pages)
    organisation.report_marking = 'Internal "only" </style><b>x</b>'
    organisation.save()
    text = text_of(read(write_pdf(html_for(assessment, "en"))))
    assert 'Internal "only" </style><b>x</b>' in text and "Confidential" not in text
    organisation.report_marking_on = False
    organisation.save()
    text = text_of(read(write_pdf(html_for(assessment, "en"))))
    assert "Internal" not in text and "Confidential" not in text


def test_notes_about_the_questionnaires_own_writing_never_print(editor_client, default_v2, editor):
    """A references note says how the questionnaire cites ("The article number ... is not
    cited here"): it is for its authors. The report says once, in plain words, to check
    the current text of the law."""
    from compliance.assessments.services import create_assessment

    assessment = create_assessment(
        organisation=editor.organisation, version=default_v2, title="v2", user=editor.user
    )
    html = html_for(assessment, "en")
    assert "is not cited here" not in html and "are not cited here" not in html
    assert html.count("check the current official text of each before relying on it") == 1
