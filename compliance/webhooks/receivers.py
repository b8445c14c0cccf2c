"""Events of the lower apps, queued as deliveries in their own transaction."""

from __future__ import annotations

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver

from compliance.assessments.models import AssessmentEvent

from . import outbox
from .models import Event

EVENTS = {
    AssessmentEvent.Kind.SUBMITTED: Event.ASSESSMENT_SUBMITTED,
    AssessmentEvent.Kind.RETURNED: Event.ASSESSMENT_RETURNED,
    AssessmentEvent.Kind.APPROVED: Event.ASSESSMENT_APPROVED,
}


def assessment_data(assessment) -> dict:
    return {
        "id": str(assessment.uuid),
        "title": assessment.title,
        "status": assessment.status,
        "questionnaire": assessment.version.questionnaire.slug,
        "version": assessment.version.number,
        "submitted_at": assessment.submitted_at.isoformat() if assessment.submitted_at else None,
        "url": f"{settings.SITE_URL}/api/v1/assessments/{assessment.uuid}/",
    }


@receiver(post_save, sender=AssessmentEvent, dispatch_uid="webhooks-assessment-events")
def assessment_event(sender, instance: AssessmentEvent, created: bool, raw: bool = False, **kwargs):
    event = EVENTS.get(instance.kind)
    if not created or raw or event is None:
        return
    assessment = instance.assessment
    outbox.queue(
        assessment.organisation,
        event,
        f"event-{instance.pk}",
        lambda: assessment_data(assessment),
    )
