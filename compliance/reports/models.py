"""Rendered PDF reports, stored by content so that an unchanged report is never rendered twice."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.assessments.models import Assessment


class ReportFile(models.Model):
    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="report_files",
        verbose_name=_("assessment"),
    )
    language = models.CharField(_("language"), max_length=10)
    variant = models.CharField(_("variant"), max_length=20, blank=True)
    #: A digest of everything the report shows; also the ETag of the download.
    key = models.CharField(_("content key"), max_length=64, unique=True)
    content = models.BinaryField(_("PDF"))
    created_at = models.DateTimeField(_("rendered at"), auto_now_add=True)

    class Meta:
        verbose_name = _("rendered report")
        verbose_name_plural = _("rendered reports")
        indexes = [models.Index(fields=["assessment", "language", "variant"])]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.language} {self.key[:8]}"
