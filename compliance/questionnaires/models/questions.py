"""Questions, their choices and their references."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.core.i18n import Translated
from compliance.scoring.model import CHOICE_TYPES, UNSCORED_TYPES

from .locking import ContentManager, VersionContent, VersionContentQuerySet
from .sections import Section, ShowIfLabels, ShowIfMatch, Source
from .versions import CODE_HELP, QuestionnaireVersion


class QuestionType(models.TextChoices):
    YES_PARTIAL_NO = "yes_partial_no", _("Yes / partially / no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MATURITY = "maturity", _("Maturity scale")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    TEXT = "text", _("Free text")


class Question(ShowIfLabels, VersionContent):
    parent_fields = ("version", "section", "show_if_question")

    Type = QuestionType

    Match = ShowIfMatch

    version = models.ForeignKey(
        QuestionnaireVersion,
        on_delete=models.CASCADE,
        related_name="questions",
        verbose_name=_("version"),
        editable=False,
    )
    section = models.ForeignKey(
        Section, on_delete=models.CASCADE, related_name="questions", verbose_name=_("section")
    )
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    code = models.SlugField(_("code"), max_length=60, help_text=CODE_HELP)
    type = models.CharField(
        _("type"), max_length=20, choices=Type.choices, default=Type.YES_PARTIAL_NO
    )
    text_en = models.TextField(_("question (English)"))
    text_zh_hans = models.TextField(_("question (Chinese)"), blank=True)
    guidance_en = models.TextField(_("guidance (English)"), blank=True)
    guidance_zh_hans = models.TextField(_("guidance (Chinese)"), blank=True)
    recommendation_en = models.TextField(_("recommendation (English)"), blank=True)
    recommendation_zh_hans = models.TextField(_("recommendation (Chinese)"), blank=True)
    evidence_en = models.TextField(
        _("what to show an auditor (English)"),
        blank=True,
        help_text=_("The records or documents that prove the answer."),
    )
    evidence_zh_hans = models.TextField(_("what to show an auditor (Chinese)"), blank=True)
    references_note_en = models.TextField(_("references, free text (English)"), blank=True)
    references_note_zh_hans = models.TextField(_("references, free text (Chinese)"), blank=True)
    weight = models.DecimalField(
        _("weight"),
        max_digits=6,
        decimal_places=2,
        default=Decimal(1),
        validators=[MinValueValidator(0)],
    )
    critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("A low score on this question alone is a critical finding."),
    )
    critical_threshold = models.DecimalField(
        _("critical below"),
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.0001")), MaxValueValidator(1)],
        help_text=_(
            "Critical questions only: an answer scoring below this fraction (0 to 1) is a "
            "critical finding. Empty: the version's threshold."
        ),
    )
    na_allowed = models.BooleanField(
        _("N/A allowed"),
        default=False,
        help_text=_("The respondent may answer “not applicable”, with a justification."),
    )
    required = models.BooleanField(_("required"), default=True)
    show_if_question = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="dependants",
        verbose_name=_("show only if question"),
        help_text=_("An earlier question of the same version."),
    )
    show_if_choices = models.JSONField(
        _("show if choices"),
        default=list,
        blank=True,
        help_text=_('Codes of that question\'s choices, for example ["yes", "partial"].'),
    )
    show_if_match = models.CharField(
        _("show if"), max_length=3, choices=Match.choices, default=Match.ANY
    )

    text = Translated()
    guidance = Translated()
    recommendation = Translated()
    evidence = Translated()
    references_note = Translated()

    objects = ContentManager()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section__order", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="question_code_unique"),
            models.CheckConstraint(condition=models.Q(weight__gte=0), name="question_weight_gte_0"),
            models.CheckConstraint(
                condition=models.Q(type__in=QuestionType.values),
                name="question_type_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(critical_threshold__isnull=True)
                | models.Q(critical_threshold__gt=0, critical_threshold__lte=1),
                name="question_critical_threshold_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.text}"

    def natural_key(self) -> tuple:
        return (*self.version.natural_key(), self.code)

    natural_key.dependencies = ["questionnaires.section"]

    #: Types whose answers carry points (number only when it has thresholds).
    CHOICE_TYPES = CHOICE_TYPES
    UNSCORED_TYPES = UNSCORED_TYPES

    def save(self, *args, **kwargs):
        if self.section_id and not self.version_id:
            self.version_id = Section.objects.values_list("version_id", flat=True).get(
                pk=self.section_id
            )
        return super().save(*args, **kwargs)

    @property
    def uses_choices(self) -> bool:
        return self.type in self.CHOICE_TYPES


class QuestionPartManager(models.Manager.from_queryset(VersionContentQuerySet)):
    """Natural keys of what belongs to a question: the question's key, then one field.

    Related managers are made from this class without arguments, so the field is a class
    attribute of a small subclass per model."""

    key_field = "code"

    def get_by_natural_key(self, slug: str, number: int, question_code: str, key):
        return self.get(
            question__version__questionnaire__slug=slug,
            question__version__number=number,
            question__code=question_code,
            **{self.key_field: key},
        )


class Choice(VersionContent):
    parent_fields = ("question",)
    version_path = "question__version"

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="choices", verbose_name=_("question")
    )
    order = models.PositiveIntegerField(_("order"), default=0, db_index=True)
    code = models.SlugField(_("code"), max_length=60, help_text=CODE_HELP)
    label_en = models.CharField(_("label (English)"), max_length=300)
    label_zh_hans = models.CharField(_("label (Chinese)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_zh_hans = models.TextField(_("description (Chinese)"), blank=True)
    score = models.DecimalField(
        _("score"),
        max_digits=5,
        decimal_places=4,
        validators=[MinValueValidator(0), MaxValueValidator(1)],
        help_text=_("Fraction of the question's maximum, from 0 to 1."),
    )
    min_value = models.DecimalField(
        _("from value"),
        max_digits=14,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=_("Number questions only: this score applies from this value upwards."),
    )
    exclusive = models.BooleanField(
        _("exclusive"),
        default=False,
        help_text=_(
            "Multiple-choice questions only: this choice (such as “None”) cannot be ticked "
            "together with any other."
        ),
    )

    justify = models.BooleanField(
        _("needs a justification"),
        default=False,
        help_text=_(
            "Choosing it requires a comment saying why (for an answer such as “never” that "
            "hides the questions that follow)."
        ),
    )

    label = Translated()
    description = Translated()

    objects = QuestionPartManager()

    class Meta:
        verbose_name = _("choice")
        verbose_name_plural = _("choices")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "code"], name="choice_code_unique"),
            models.CheckConstraint(
                condition=models.Q(score__gte=0, score__lte=1), name="choice_score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"

    def natural_key(self) -> tuple:
        return (*self.question.natural_key(), self.code)

    natural_key.dependencies = ["questionnaires.question"]

    def _version_id(self) -> int | None:
        return Question.objects.values_list("version_id", flat=True).get(pk=self.question_id)


class ReferenceManager(QuestionPartManager):
    key_field = "order"


class Reference(VersionContent):
    """Where a question comes from: a source and a place in it (article, element)."""

    version_path = "question__version"
    parent_fields = ("question", "source")

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="references", verbose_name=_("question")
    )
    order = models.PositiveIntegerField(_("order"), default=0)
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="references", verbose_name=_("source")
    )
    locator_en = models.CharField(_("article or element (English)"), max_length=200, blank=True)
    locator_zh_hans = models.CharField(
        _("article or element (Chinese)"), max_length=200, blank=True
    )
    element = models.CharField(
        _("element"),
        max_length=40,
        blank=True,
        help_text=_(
            "For a compliance framework (MOFCOM 2021, BIS, EU, Wassenaar): the element's "
            "number or key, which the crosswalk table groups by."
        ),
    )

    locator = Translated()

    objects = ReferenceManager()

    class Meta:
        verbose_name = _("reference")
        verbose_name_plural = _("references")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "order"], name="reference_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source.title}, {self.locator}" if self.locator else str(self.source.title)

    def natural_key(self) -> tuple:
        return (*self.question.natural_key(), self.order)

    natural_key.dependencies = ["questionnaires.question", "questionnaires.source"]

    def _version_id(self) -> int | None:
        return Question.objects.values_list("version_id", flat=True).get(pk=self.question_id)
