"""Organisations (the exporters being assessed) and who belongs to them, in which role."""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from compliance.accounts.validators import validate_one_line


class Organisation(models.Model):
    #: The id in URLs: not guessable, so that ids reveal nothing about other organisations.
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200, validators=[validate_one_line])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    sector = models.CharField(
        _("sector"), max_length=200, blank=True, validators=[validate_one_line]
    )
    country = models.CharField(
        _("country"), max_length=100, blank=True, validators=[validate_one_line]
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    report_marking_on = models.BooleanField(
        _("mark every report page"),
        default=True,
        help_text=_("A marking such as “Confidential” at the top of every page of the report."),
    )
    report_marking = models.CharField(
        _("marking"),
        max_length=60,
        blank=True,
        validators=[validate_one_line],
        help_text=_("Empty: “Confidential”, in the report's language."),
    )
    review_required = models.BooleanField(
        _("review required"),
        default=True,
        help_text=_(
            "A submitted assessment is reviewed and approved by a reviewer or owner before "
            "it is final. Turned off, submission is the final step, and the report says so."
        ),
    )
    reassessment_months = models.PositiveSmallIntegerField(
        _("re-assess every (months)"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
        help_text=_("The next assessment is due this many months after the last submitted one."),
    )
    approver_independent = models.BooleanField(
        _("approver must not have answered"),
        default=True,
        help_text=_(
            "The approver may be neither the person who submitted the assessment nor the "
            "author of any of its answers."
        ),
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipRole(models.TextChoices):
    OWNER = "owner", _("Owner")
    EDITOR = "editor", _("Editor")
    REVIEWER = "reviewer", _("Reviewer")
    VIEWER = "viewer", _("Viewer")


class Membership(models.Model):
    Role = MembershipRole

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=10, choices=Role.choices, default=Role.EDITOR)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "user"], name="one_membership_per_user"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values),
                name="membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation} ({self.get_role_display()})"

    @property
    def can_edit(self) -> bool:
        """Owners and editors fill in and submit assessments."""
        return self.role in (self.Role.OWNER, self.Role.EDITOR)

    @property
    def can_review(self) -> bool:
        """Owners and reviewers comment on, return and approve submitted assessments;
        a reviewer may read everything but answers nothing."""
        return self.role in (self.Role.OWNER, self.Role.REVIEWER)

    @property
    def is_owner(self) -> bool:
        return self.role == self.Role.OWNER


class Invitation(models.Model):
    """An owner's invitation to join an organisation, accepted through a signed link."""

    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("organisation"),
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(
        _("role"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.EDITOR
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("invited by"),
    )
    #: Part of the signed token; a new nonce invalidates links sent before.
    nonce = models.UUIDField(default=uuid.uuid4, editable=False)
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("accepted by"),
    )

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role__in=MembershipRole.values),
                name="invitation_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} → {self.organisation}"
