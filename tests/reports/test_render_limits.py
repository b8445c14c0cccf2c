"""Renders are limited: one at a time per assessment and per person, and (with the
immediate backend, where a render holds a web process) never more than
REPORT_WEB_RENDERS at once; whoever waits gets the "being prepared" page, not a render."""

from django.urls import reverse
from django.utils import timezone

from compliance.assessments.services import create_assessment
from compliance.reports.models import RenderSlot, ReportFile
from tests.factories import give


def pdf_url(assessment) -> str:
    return reverse("assessment_report_pdf", args=[assessment.uuid])


def status_url(assessment) -> str:
    return reverse("assessment_report_status", args=[assessment.uuid])


def rendering(assessment, user=None, key="0" * 64) -> ReportFile:
    """A render under way elsewhere (another request, another worker)."""
    now = timezone.now()
    return ReportFile.objects.create(
        assessment=assessment,
        language="en",
        key=key,
        status=ReportFile.Status.RUNNING,
        attempt=1,
        queued_at=now,
        started_at=now,
        requested_by=user,
    )


def test_a_second_render_of_one_assessment_waits_for_the_first(editor_client, assessment, editor):
    give(assessment, editor.user, "policy-signed", "yes")
    other = rendering(assessment)
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 202
    assert "Preparing your report" in response.content.decode()
    assert ReportFile.objects.count() == 1  # nothing new started
    # When the first is done, the page's next poll renders this one.
    ReportFile.objects.filter(pk=other.pk).update(status=ReportFile.Status.READY)
    editor_client.get(status_url(assessment), {"lang": "en"})
    assert ReportFile.objects.exclude(pk=other.pk).get().status == ReportFile.Status.READY
    assert editor_client.get(pdf_url(assessment), {"lang": "en"})["Content-Type"] == (
        "application/pdf"
    )


def test_one_person_has_one_render_under_way(editor_client, assessment, editor, sample_version):
    elsewhere = create_assessment(
        organisation=editor.organisation, version=sample_version, title="Other", user=editor.user
    )
    rendering(elsewhere, user=editor.user)
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 202
    assert not ReportFile.objects.filter(assessment=assessment).exists()


def test_renders_never_take_every_web_process(editor_client, assessment, settings):
    settings.REPORT_WEB_RENDERS = 1
    RenderSlot.objects.create(pk=1, key="f" * 64, taken_at=timezone.now())
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response.status_code == 202
    assert "Preparing your report" in response.content.decode()
    assert not ReportFile.objects.exists()
    # A slot held by a process that died is taken back after the render time limit.
    RenderSlot.objects.filter(pk=1).update(taken_at=timezone.now() - timezone.timedelta(days=1))
    response = editor_client.get(pdf_url(assessment), {"lang": "en"})
    assert response["Content-Type"] == "application/pdf"
    assert RenderSlot.objects.get(pk=1).key == ""  # given back after the render
