"""Rendered PDF reports, stored by content so that an unchanged report is never rendered twice.

A ``ReportFile`` row is both the cache entry and the render job: it is created ``queued``
when someone first asks for a report whose content has no PDF yet, becomes ``running``
when a process claims it, and ends ``ready`` (the PDF is in ``file``, kept by the default
file storage) or ``failed``. The life cycle is driven by ``compliance.reports.pdf``.
"""

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from compliance.assessments.models import Approval, Assessment


def report_file_name(instance: "ReportFile", filename: str) -> str:
    """Where a rendered PDF is stored: one folder per assessment, named by content key."""
    return f"reports/{instance.assessment.uuid}/{filename}"


class ReportFile(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("rendering")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    class Failure(models.TextChoices):
        TIMEOUT = "timeout", _("Rendering the report took too long.")
        ERROR = "error", _("Rendering the report failed.")

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="report_files",
        verbose_name=_("assessment"),
    )
    language = models.CharField(_("language"), max_length=10)
    variant = models.CharField(_("variant"), max_length=20, blank=True)
    #: Which document: the board summary or the full report (``pdf.KINDS``).
    kind = models.CharField(_("kind"), max_length=10, default="full")
    #: A digest of everything the report shows; also the ETag of the download.
    key = models.CharField(_("content key"), max_length=64, unique=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    file = models.FileField(_("PDF"), upload_to=report_file_name, max_length=255, blank=True)
    failure = models.CharField(_("failure"), max_length=10, choices=Failure.choices, blank=True)
    #: What went wrong, for the people who run the site (shown after the failure message).
    error = models.TextField(_("error"), blank=True)
    #: Bumped whenever the job is claimed or queued again: a render records its outcome only
    #: while the row still carries the attempt it claimed, so a render that was given up
    #: for dead cannot overwrite a newer one.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    #: Who asked for it first: a person has one render under way at a time.
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    #: The background task of the latest attempt (django-tasks result id).
    task_id = models.CharField(_("task id"), max_length=64, blank=True)
    #: When this content was first asked for; orders the renders of one assessment.
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    queued_at = models.DateTimeField(_("queued at"), null=True, blank=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("rendered report")
        verbose_name_plural = _("rendered reports")
        indexes = [models.Index(fields=["assessment", "language", "variant", "kind"])]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.language} {self.key[:8]} {self.status}"


class RenderSlot(models.Model):
    """One of the ``REPORT_WEB_RENDERS`` renders that web processes may run at once (with
    the immediate task backend, a render holds the web process that runs it): taken by a
    conditional update, so that no two processes take the same slot."""

    #: The content key being rendered in this slot; empty when the slot is free.
    key = models.CharField(_("content key"), max_length=64, blank=True)
    taken_at = models.DateTimeField(_("taken at"), null=True, blank=True)

    class Meta:
        verbose_name = _("render slot")
        verbose_name_plural = _("render slots")

    def __str__(self) -> str:
        return f"{self.pk}: {self.key or '-'}"


@receiver(post_delete, sender=ReportFile)
def delete_stored_pdf(sender, instance, **kwargs) -> None:
    """A deleted render (or audit pack) takes its file with it, once the deletion is
    committed."""
    if instance.file:
        storage, name = instance.file.storage, instance.file.name
        transaction.on_commit(lambda: storage.delete(name))


def audit_pack_name(instance: "AuditPack", filename: str) -> str:
    return f"audit-packs/{instance.assessment.uuid}/{filename}"


class AuditPack(models.Model):
    """A submitted assessment's audit pack, built once and kept (a draft's is built for
    each download): keyed by what it holds, so a pack can never disagree with its reports."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.CASCADE,
        related_name="audit_packs",
        verbose_name=_("assessment"),
    )
    language = models.CharField(_("language"), max_length=10)
    key = models.CharField(_("content key"), max_length=64, unique=True)
    file = models.FileField(_("ZIP"), upload_to=audit_pack_name, max_length=255)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit pack")
        verbose_name_plural = _("audit packs")

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.language} {self.key[:8]}"


# A deleted pack takes its file with it, as a deleted render does.
post_delete.connect(delete_stored_pdf, sender=AuditPack, dispatch_uid="reports.delete_pack")


class SignedReport(models.Model):
    """One document of an approval, as signed: the board summary or the full report, in
    one language. Kept in the database with the approval it belongs to (written in the
    same transaction, backed up with it), and found again by its SHA-256 by the
    verification page."""

    approval = models.ForeignKey(
        Approval,
        on_delete=models.CASCADE,
        related_name="signed_reports",
        verbose_name=_("approval"),
    )
    kind = models.CharField(_("kind"), max_length=10)
    language = models.CharField(_("language"), max_length=10)
    data = models.BinaryField(_("PDF"))
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("signed report")
        verbose_name_plural = _("signed reports")
        constraints = [
            models.UniqueConstraint(
                fields=["approval", "kind", "language"], name="one_signed_report_per_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.approval_id} {self.kind} {self.language} {self.sha256[:12]}"


class VerificationAttempt(models.Model):
    """A use of the public verification page, by client address: counted to limit how
    often one address may ask (the page needs no login)."""

    client_address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("verification attempt")
        verbose_name_plural = _("verification attempts")
        indexes = [models.Index(fields=["client_address", "at"])]

    def __str__(self) -> str:
        return f"{self.client_address} {self.at:%Y-%m-%d %H:%M}"
