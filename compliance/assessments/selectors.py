"""The access rule for assessments: every view gets an assessment through here."""

from __future__ import annotations

from uuid import UUID

from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from compliance.organisations.models import Membership

from .models import Assessment


def assessments_for(user) -> QuerySet[Assessment]:
    """The assessments of every organisation the user is an active member of."""
    if not user.is_authenticated or not user.is_active:
        return Assessment.objects.none()
    return Assessment.objects.filter(organisation__memberships__user=user)


def assessment_or_404(user, uuid: UUID | str) -> tuple[Assessment, Membership]:
    """The assessment and the user's membership of its organisation, or 404.

    One query: the membership is read from the same join that grants access.
    """
    assessment = (
        assessments_for(user)
        .select_related("organisation", "version__questionnaire")
        .filter(uuid=uuid)
        .annotate(
            membership_id=F("organisation__memberships__id"),
            membership_role=F("organisation__memberships__role"),
            membership_created_at=F("organisation__memberships__created_at"),
        )
        .first()
    )
    if assessment is None:
        raise Http404(_("No such assessment."))
    membership = Membership.from_db(
        assessment._state.db,
        ["id", "organisation_id", "user_id", "role", "created_at"],
        [
            assessment.membership_id,
            assessment.organisation_id,
            user.pk,
            assessment.membership_role,
            assessment.membership_created_at,
        ],
    )
    membership.organisation = assessment.organisation
    membership.user = user
    return assessment, membership
