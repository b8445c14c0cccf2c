"""Score bands: the maturity levels a score falls in."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.core.i18n import Translated

from .locking import VersionContent, VersionContentQuerySet
from .sections import Section
from .versions import CODE_HELP, QuestionnaireVersion


class ScoreBandManager(models.Manager.from_queryset(VersionContentQuerySet)):
    def get_by_natural_key(self, slug: str, number: int, section_code: str, code: str):
        return self.get(
            version__questionnaire__slug=slug,
            version__number=number,
            section__code=section_code or None,
            code=code,
        )


class ScoreBand(VersionContent):
    """A maturity level: the range of scores it covers, for the whole version or one section."""

    parent_fields = ("version", "section")

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="score_bands",
        verbose_name=_("version"),
    )
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="score_bands",
        verbose_name=_("section"),
        help_text=_("Empty: the band applies to the overall score and to sections without bands."),
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    code = models.SlugField(_("code"), max_length=60, help_text=CODE_HELP)
    min_score = models.DecimalField(
        _("from score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    max_score = models.DecimalField(
        _("to score"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("Exclusive, except for the highest band, which includes 100."),
    )
    label_en = models.CharField(_("label (English)"), max_length=100)
    label_zh_hans = models.CharField(_("label (Chinese)"), max_length=100, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)

    label = Translated()
    description = Translated()

    objects = ScoreBandManager()

    class Meta:
        verbose_name = _("score band")
        verbose_name_plural = _("score bands")
        ordering = ["order", "min_score"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "code"],
                condition=models.Q(section__isnull=True),
                name="band_code_unique_overall",
            ),
            models.UniqueConstraint(
                fields=["section", "code"],
                condition=models.Q(section__isnull=False),
                name="band_code_unique_in_section",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    min_score__gte=0, max_score__lte=100, min_score__lt=models.F("max_score")
                ),
                name="band_range_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.min_score}-{self.max_score})"

    def natural_key(self) -> tuple:
        return (*self.version.natural_key(), self.section.code if self.section else "", self.code)

    natural_key.dependencies = ["questionnaires.section"]
