"""Versioned questionnaires: Questionnaire -> Version -> Section -> Question -> Choice.

A published version is immutable, so that every past assessment's score and report can
be reproduced: the model layer refuses to save or delete anything under a version that
is not a draft (``save``, ``delete``, queryset ``update``/``delete`` and cascades alike).
The only change a published version accepts is its status moving on to retired.
"""

import contextvars
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.signals import pre_delete, pre_save
from django.utils.translation import gettext_lazy as _

from compliance.core.i18n import Translated
from compliance.scoring.model import CHOICE_TYPES, UNSCORED_TYPES

CODE_HELP = _(
    "A stable identifier, kept from version to version (letters, digits, hyphens, underscores)."
)


class LockedVersionError(ValidationError):
    """Raised when something tries to change a published or retired version."""

    def __init__(self, version: "QuestionnaireVersion | None" = None) -> None:
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
    def get_by_natural_key(self, slug: str) -> "Questionnaire":
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
    def get_by_natural_key(self, slug: str, number: int) -> "QuestionnaireVersion":
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


#: Set while a bulk_update has checked the new parents of its rows itself, so that the
#: ``update`` it makes (with CASE expressions for the parents) is let through.
_PARENTS_CHECKED: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "parents_checked", default=False
)


def _locked(version_ids) -> bool:
    """Whether any of these versions is not a draft (or does not exist)."""
    ids = {pk for pk in version_ids if pk is not None}
    if not ids:
        return False
    drafts = QuestionnaireVersion.objects.filter(
        pk__in=ids, status=QuestionnaireVersion.Status.DRAFT
    ).count()
    return drafts != len(ids)


def _parent_versions(model, parents: dict[str, set]) -> set:
    """The versions that the given parent ids (per parent field of ``model``) belong to."""
    versions = set()
    for name, ids in parents.items():
        ids = {pk for pk in ids if pk is not None}
        if not ids:
            continue
        related = model._meta.get_field(name).related_model
        if related is QuestionnaireVersion:
            versions |= ids
        else:
            versions |= set(
                related._base_manager.filter(pk__in=ids).values_list(
                    related.version_path, flat=True
                )
            )
    return versions


class VersionContentQuerySet(models.QuerySet):
    """Refuses bulk writes that would touch a published version, or move rows into one."""

    def _touches_locked_version(self) -> bool:
        path = self.model.version_path
        return (
            self.exclude(**{f"{path}__status": QuestionnaireVersion.Status.DRAFT})
            .values("pk")
            .exists()
        )

    def update(self, **kwargs):
        if self._touches_locked_version():
            raise LockedVersionError()
        moved = {}
        for name in self.model.parent_fields:
            for key in (name, f"{name}_id"):
                if key in kwargs:
                    value = kwargs[key]
                    if isinstance(value, models.Model):
                        value = value.pk
                    if isinstance(value, int | None):
                        moved[name] = {value}
                    elif not _PARENTS_CHECKED.get():
                        raise LockedVersionError()  # an expression nobody checked
        if moved and _locked(_parent_versions(self.model, moved)):
            raise LockedVersionError()
        return super().update(**kwargs)

    def delete(self):
        if self._touches_locked_version():
            raise LockedVersionError()
        return super().delete()

    def bulk_create(self, objs, *args, **kwargs):
        objs = list(objs)
        if _locked(_parent_versions(self.model, _parents_of(self.model, objs))):
            raise LockedVersionError()
        return super().bulk_create(objs, *args, **kwargs)

    def bulk_update(self, objs, fields, *args, **kwargs):
        # Checked before Django's bulk_update opens its transaction (an error inside it
        # would spoil the caller's): the rows as stored, and the parents they are given.
        objs = list(objs)
        if self.filter(pk__in=[obj.pk for obj in objs])._touches_locked_version() or _locked(
            _parent_versions(self.model, _parents_of(self.model, objs))
        ):
            raise LockedVersionError()
        token = _PARENTS_CHECKED.set(True)
        try:
            return super().bulk_update(objs, fields, *args, **kwargs)
        finally:
            _PARENTS_CHECKED.reset(token)


def _parents_of(model, objs) -> dict[str, set]:
    return {
        name: {getattr(obj, model._meta.get_field(name).attname) for obj in objs}
        for name in model.parent_fields
    }


class VersionContent(models.Model):
    """Something that belongs to one questionnaire version and is frozen with it.

    Whatever way a row is written, both the version it is stored under and the versions
    of the parents it is given must be drafts: a published row can neither be changed
    nor moved, and nothing can be added to (or moved into) a published version.
    """

    #: Lookup path from this model to its QuestionnaireVersion.
    version_path = "version"
    #: The foreign keys that tie a row to a version (directly or through a parent).
    parent_fields: tuple[str, ...] = ("version",)

    objects = VersionContentQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.refuse_if_locked()
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        if not self.version_is_draft():
            raise LockedVersionError()
        return super().delete(*args, **kwargs)

    def clean(self):
        # Forms (the admin's among them) show the refusal as a message, not an error page.
        super().clean()
        self.refuse_if_locked()

    def refuse_if_locked(self) -> None:
        versions = _parent_versions(type(self), _parents_of(type(self), [self]))
        if self.pk is not None:
            versions |= set(self.stored_versions())
        if _locked(versions):
            raise LockedVersionError()

    def stored_versions(self):
        """The version the stored row (if any) belongs to, as it is in the database."""
        return type(self)._base_manager.filter(pk=self.pk).values_list(self.version_path, flat=True)

    def version_is_draft(self) -> bool:
        return not _locked(set(self.stored_versions()) or {self._version_id()})

    def _version_id(self) -> int | None:
        return self.version_id


class ContentManager(models.Manager.from_queryset(VersionContentQuerySet)):
    """Natural keys for content that carries a code within its version."""

    def get_by_natural_key(self, slug: str, number: int, code: str):
        return self.get(version__questionnaire__slug=slug, version__number=number, code=code)


class Section(VersionContent):
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


class QuestionType(models.TextChoices):
    YES_PARTIAL_NO = "yes_partial_no", _("Yes / partially / no")
    SINGLE_CHOICE = "single_choice", _("Single choice")
    MATURITY = "maturity", _("Maturity scale")
    MULTIPLE_CHOICE = "multiple_choice", _("Multiple choice")
    NUMBER = "number", _("Number")
    DATE = "date", _("Date")
    TEXT = "text", _("Free text")


class Question(VersionContent):
    parent_fields = ("version", "section", "show_if_question")

    Type = QuestionType

    class Match(models.TextChoices):
        ANY = "any", _("any of the choices")
        ALL = "all", _("all of the choices")

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

    def show_if_choice_labels(self) -> list[str]:
        """The labels of the choices that show this question (in the active language)."""
        if self.show_if_question is None:
            return []
        codes = set(self.show_if_choices)
        return [c.label for c in self.show_if_question.choices.all() if c.code in codes]

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


def refuse_cascading_deletes_of_locked_content(sender, instance, **kwargs) -> None:
    """Cascades bypass ``delete()``: check here that nothing published goes with them."""
    if isinstance(instance, VersionContent) and not instance.version_is_draft():
        raise LockedVersionError()
    if (
        isinstance(instance, QuestionnaireVersion)
        and not QuestionnaireVersion.objects.filter(
            pk=instance.pk, status=QuestionnaireVersion.Status.DRAFT
        ).exists()
    ):
        raise LockedVersionError(instance)


def refuse_raw_changes_to_locked_content(sender, instance, raw=False, **kwargs) -> None:
    """``loaddata`` saves raw, past ``save()``: it may add rows (an empty database is
    loaded that way), but not change a stored row of a published version. (Rows it adds
    to a published version are caught by the digest check of our ``loaddata``.)"""
    if not raw or instance.pk is None:
        return
    stored = sender._base_manager.filter(pk=instance.pk).first()
    if stored is None:
        return
    if isinstance(instance, QuestionnaireVersion):
        instance._refuse_changes_once_published()
        return
    if instance.version_is_draft():
        return
    for field in sender._meta.concrete_fields:
        if getattr(stored, field.attname) != getattr(instance, field.attname):
            raise LockedVersionError()


# Connected to the guarded models only: a receiver without a sender would run for every
# delete in the project and turn off Django's fast deletes everywhere.
for _model in (QuestionnaireVersion, Section, Source, Question, Choice, Reference, ScoreBand):
    pre_delete.connect(
        refuse_cascading_deletes_of_locked_content,
        sender=_model,
        dispatch_uid=f"locked-delete-{_model.__name__}",
    )
    pre_save.connect(
        refuse_raw_changes_to_locked_content,
        sender=_model,
        dispatch_uid=f"locked-raw-save-{_model.__name__}",
    )
