"""An organisation's webhook endpoints and the deliveries made to them."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _


class Event(models.TextChoices):
    ASSESSMENT_SUBMITTED = "assessment.submitted", _("An assessment is submitted")
    ASSESSMENT_RETURNED = "assessment.returned", _("An assessment is returned for changes")
    ASSESSMENT_APPROVED = "assessment.approved", _("An assessment is approved")
    ACTION_OVERDUE = "action.overdue", _("An action is overdue")
    EVIDENCE_EXPIRING = "evidence.expiring", _("Evidence expires within 30 days")
    PING = "ping", _("A test event")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Endpoint(models.Model):
    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(
        "organisations.Organisation",
        on_delete=models.CASCADE,
        related_name="webhook_endpoints",
        verbose_name=_("organisation"),
    )
    url = models.CharField(_("address"), max_length=500)
    secret = models.CharField(_("secret"), max_length=100, default=new_secret, editable=False)
    events = models.JSONField(_("events"), default=list)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.url

    def event_labels(self) -> list[str]:
        labels = dict(Event.choices)
        return [str(labels.get(event, event)) for event in self.events]


#: The kinds of ``Delivery.last_error`` (``outbox.reason``), in the reader's language.
ERRORS = {
    "address": _("The address was refused"),
    "timeout": _("No complete answer within the time allowed"),
    "tls": _("The TLS connection failed"),
    "connection": _("The connection failed"),
    "protocol": _("The answer was not valid HTTP"),
    "http": _("The receiver answered with an error"),
    "other": _("The delivery failed"),
}


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    DELIVERED = "delivered", _("Delivered")
    RETRYING = "retrying", _("Failed, to be tried again")
    GIVEN_UP = "given_up", _("Given up")


class Delivery(models.Model):
    Status = DeliveryStatus

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    endpoint = models.ForeignKey(
        Endpoint, on_delete=models.CASCADE, related_name="deliveries", verbose_name=_("endpoint")
    )
    event = models.CharField(_("event"), max_length=40, choices=Event.choices)
    #: What the event is about, once per endpoint (an action overdue is told once).
    key = models.CharField(_("event key"), max_length=200)
    body = models.TextField(_("body"))  # the exact JSON sent, every attempt alike
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    last_status_code = models.PositiveSmallIntegerField(_("response code"), null=True)
    last_error = models.CharField(_("error"), max_length=500, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("duration (ms)"), null=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "event", "key"], name="one_delivery_per_event"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.event} → {self.endpoint_id} ({self.status})"

    def error_text(self) -> str:
        kind, _sep, detail = self.last_error.partition("|")
        label = ERRORS.get(kind)
        if label is None:
            return self.last_error
        if detail:
            return gettext("%(reason)s: %(detail)s") % {"reason": label, "detail": detail}
        return gettext("%(reason)s.") % {"reason": label}
