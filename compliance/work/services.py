"""Campaigns: one assessment started in several organisations at once."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from compliance.assessments.models import Assessment
from compliance.assessments.services import create_assessment
from compliance.organisations.models import Organisation
from compliance.questionnaires.models import QuestionnaireVersion

from . import selectors


@dataclass
class CampaignOutcome:
    #: (organisation, the new assessment, the assessment its answers came from or None)
    started: list[tuple[Organisation, Assessment, Assessment | None]] = field(default_factory=list)
    #: (organisation, its draft on the version, which it is left to finish)
    skipped: list[tuple[Organisation, Assessment]] = field(default_factory=list)


@transaction.atomic
def start_campaign(
    organisations: list[Organisation],
    *,
    version: QuestionnaireVersion,
    title: str,
    carry_over: bool,
    user,
) -> CampaignOutcome:
    """A draft on ``version`` in each organisation, carrying over the answers of its
    latest submitted (else latest) assessment when ``carry_over``; an organisation that
    already has a draft on that version is skipped (a second click starts nothing twice).

    One transaction for the whole campaign: it starts in every organisation or in none,
    so that a failure part way leaves nothing half done to find and finish by hand. The
    organisations' rows are locked, so that two campaigns at once cannot both start one.
    """
    ids = [organisation.pk for organisation in organisations]
    list(Organisation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    drafts = selectors.drafts_on(version, ids)
    sources = selectors.carry_over_sources(ids) if carry_over else {}
    outcome = CampaignOutcome()
    for organisation in organisations:
        if organisation.pk in drafts:
            outcome.skipped.append((organisation, drafts[organisation.pk]))
            continue
        source = sources.get(organisation.pk)
        assessment = create_assessment(
            organisation=organisation,
            version=version,
            title=title,
            user=user,
            carry_over_from=source,
        )
        outcome.started.append((organisation, assessment, source))
    return outcome
