"""Questionnaires and their versions; a version other than a draft accepts no change but
moving on from published to retired (and the one-time record of its content digest)."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.core.i18n import Translated

CODE_HELP = _(
    "A stable identifier, kept from version to version (letters, digits, hyphens, underscores)."
)


class LockedVersionError(ValidationError):
    """Raised when something tries to change a published or retired version."""

    def __init__(self, version: QuestionnaireVersion | None = None) -> None:
        super().__init__(
            _(
                "This questionnaire version is no longer a draft and cannot be changed. "
                "Create a new draft from it instead."
            ),
            code="locked_version",
        )
        self.version = version


class QuestionnaireQuerySet(models.QuerySet):
    def delete(self):
        if (
            QuestionnaireVersion.objects.filter(questionnaire__in=self)
            .exclude(status=QuestionnaireVersion.Status.DRAFT)
            .exists()
        ):
            raise LockedVersionError()
        return super().delete()


class QuestionnaireManager(models.Manager.from_queryset(QuestionnaireQuerySet)):
    def get_by_natural_key(self, slug: str) -> Questionnaire:
        return self.get(slug=slug)


class Questionnaire(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    title = Translated()

    objects = QuestionnaireManager()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["slug"]

    def __str__(self) -> str:
        return str(self.title)

    def natural_key(self) -> tuple[str]:
        return (self.slug,)

    def delete(self, *args, **kwargs):
        if self.versions.exclude(status=QuestionnaireVersion.Status.DRAFT).exists():
            raise LockedVersionError()
        return super().delete(*args, **kwargs)


class VersionQuerySet(models.QuerySet):
    """Bulk writes on versions: a published or retired row accepts only what ``save``
    accepts of it (published -> retired), and the one-time record of its digest."""

    def update(self, **kwargs):
        locked = self.exclude(status=QuestionnaireVersion.Status.DRAFT)
        if locked.exists():
            retiring = set(kwargs) == {"status"} and kwargs["status"] == (
                QuestionnaireVersion.Status.RETIRED
            )
            sealing = set(kwargs) == {"content_digest"} and isinstance(
                kwargs["content_digest"], str
            )
            if retiring and locked.exclude(status=QuestionnaireVersion.Status.PUBLISHED).exists():
                retiring = False
            if sealing and locked.exclude(content_digest="").exists():
                sealing = False
            if not (retiring or sealing):
                raise LockedVersionError()
        return super().update(**kwargs)

    def delete(self):
        if self.exclude(status=QuestionnaireVersion.Status.DRAFT).exists():
            raise LockedVersionError()
        return super().delete()

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Checked before Django's bulk_update opens its transaction (an error inside it
        # would spoil the caller's): bulk updates are for drafts only.
        objs = list(objs)
        if (
            self.filter(pk__in=[obj.pk for obj in objs])
            .exclude(status=QuestionnaireVersion.Status.DRAFT)
            .exists()
        ):
            raise LockedVersionError()
        return super().bulk_update(objs, fields, *args, **kwargs)


class VersionManager(models.Manager.from_queryset(VersionQuerySet)):
    def get_by_natural_key(self, slug: str, number: int) -> QuestionnaireVersion:
        return self.get(questionnaire__slug=slug, number=number)

    def published(self) -> models.QuerySet:
        return self.filter(status=QuestionnaireVersion.Status.PUBLISHED)


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class QuestionnaireVersion(models.Model):
    Status = VersionStatus

    questionnaire = models.ForeignKey(
        Questionnaire,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=_("questionnaire"),
    )
    number = models.PositiveIntegerField(_("version number"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    based_on = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("based on"),
    )
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    methodology_en = models.TextField(_("methodology (English)"), blank=True)
    methodology_zh_hans = models.TextField(_("methodology (Chinese)"), blank=True)
    changelog_en = models.TextField(_("changelog (English)"), blank=True)
    changelog_zh_hans = models.TextField(_("changelog (Chinese)"), blank=True)
    critical_threshold = models.DecimalField(
        _("critical threshold"),
        max_digits=4,
        decimal_places=3,
        default=Decimal("0.5"),
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_(
            "A critical question scoring below this fraction of its maximum is a critical finding."
        ),
    )
    content_digest = models.CharField(
        _("content digest"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("SHA-256 of the version's content, recorded when it is published."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    description = Translated()
    methodology = Translated()
    changelog = Translated()

    objects = VersionManager()

    class Meta:
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")
        ordering = ["questionnaire__slug", "-number"]
        permissions = [
            ("publish_questionnaireversion", _("Can publish a questionnaire version")),
            ("retire_questionnaireversion", _("Can retire a questionnaire version")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="version_number_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=VersionStatus.values),
                name="version_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(critical_threshold__gte=0, critical_threshold__lte=1),
                name="version_critical_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return _("%(questionnaire)s, version %(number)s (%(status)s)") % {
            "questionnaire": self.questionnaire,
            "number": self.number,
            "status": self.get_status_display(),
        }

    def natural_key(self) -> tuple:
        return (*self.questionnaire.natural_key(), self.number)

    natural_key.dependencies = ["questionnaires.questionnaire"]

    def save(self, *args, **kwargs):
        if self.pk:
            self._refuse_changes_once_published()
        return super().save(*args, **kwargs)

    def _refuse_changes_once_published(self) -> None:
        stored = QuestionnaireVersion.objects.filter(pk=self.pk).first()
        if stored is None or stored.status == self.Status.DRAFT:
            return
        moving_to_retired = (
            stored.status == self.Status.PUBLISHED and self.status == self.Status.RETIRED
        )
        same_status = stored.status == self.status
        if not (moving_to_retired or same_status):
            raise LockedVersionError(self)
        sealing = not stored.content_digest
        changed = [
            field.attname
            for field in self._meta.concrete_fields
            if field.attname != "status"
            and not (sealing and field.attname == "content_digest")
            and getattr(stored, field.attname) != getattr(self, field.attname)
        ]
        if changed:
            raise LockedVersionError(self)

    def delete(self, *args, **kwargs):
        if not QuestionnaireVersion.objects.filter(pk=self.pk, status=self.Status.DRAFT).exists():
            raise LockedVersionError(self)
        return super().delete(*args, **kwargs)

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED
