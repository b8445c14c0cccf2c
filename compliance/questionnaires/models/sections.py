"""Sections (the themes of a questionnaire) and the sources that references cite."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.core.i18n import Translated

from .locking import ContentManager, VersionContent
from .versions import CODE_HELP, QuestionnaireVersion


class ShowIfMatch(models.TextChoices):
    ANY = "any", _("any of the choices")
    ALL = "all", _("all of the choices")


class ShowIfLabels:
    """For a section or a question with a show-if condition (``show_if_question``,
    ``show_if_choices``): the labels of the choices that show it."""

    def show_if_choice_labels(self) -> list[str]:
        """The labels of the choices that show it (in the active language)."""
        if self.show_if_question is None:
            return []
        codes = set(self.show_if_choices)
        return [c.label for c in self.show_if_question.choices.all() if c.code in codes]


class Section(ShowIfLabels, VersionContent):
    parent_fields = ("version", "show_if_question")

    class WhitePaperPart(models.TextChoices):
        I = "I", _("I. China's Basic Position on Export Controls")  # noqa: E741
        II = (
            "II",
            _("II. Ongoing Improvements to the Legal and Regulatory System for Export Controls"),
        )
        III = "III", _("III. Modernizing the Export Control System")
        IV = "IV", _("IV. Promoting International Exchanges and Cooperation")

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=_("version"),
    )
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    code = models.SlugField(_("code"), max_length=60, help_text=CODE_HELP)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=200, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    crosswalk_en = models.TextField(_("crosswalk (English)"), blank=True)
    crosswalk_zh_hans = models.TextField(_("crosswalk (Chinese)"), blank=True)
    white_paper_part = models.CharField(
        _("white paper part"), max_length=3, choices=WhitePaperPart.choices, blank=True
    )
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
    )
    show_if_question = models.ForeignKey(
        "questionnaires.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependent_sections",
        verbose_name=_("show only if question"),
        help_text=_(
            "A question of an earlier section (for example of the company profile): the "
            "whole section is asked only when its answer matches."
        ),
    )
    show_if_choices = models.JSONField(
        _("show if choices"),
        default=list,
        blank=True,
        help_text=_('Codes of that question\'s choices, for example ["yes", "partial"].'),
    )
    show_if_match = models.CharField(
        _("show if"), max_length=3, choices=ShowIfMatch.choices, default=ShowIfMatch.ANY
    )

    title = Translated()
    description = Translated()
    crosswalk = Translated()

    objects = ContentManager()

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="section_code_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="section_weight_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.title}"

    def natural_key(self) -> tuple:
        return (*self.version.natural_key(), self.code)

    natural_key.dependencies = ["questionnaires.questionnaireversion"]


class Source(VersionContent):
    """An instrument that references point to (a law, a regulation, a guideline)."""

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="sources",
        verbose_name=_("version"),
    )
    code = models.SlugField(_("code"), max_length=60, help_text=CODE_HELP)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_zh_hans = models.CharField(_("title (Chinese)"), max_length=300, blank=True)

    title = Translated()

    objects = ContentManager()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="source_code_unique"),
        ]

    def __str__(self) -> str:
        return str(self.title)

    def natural_key(self) -> tuple:
        return (*self.version.natural_key(), self.code)

    natural_key.dependencies = ["questionnaires.questionnaireversion"]
