"""Forms whose work is sending an e-mail."""

import logging

from django import forms
from django.contrib.auth import forms as auth_forms
from django.db import transaction
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from compliance.accounts.addresses import client_address

from . import services as notifications
from .models import REMINDER_KINDS, MailKind, MutedReminder, SentMail

logger = logging.getLogger(__name__)


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Django's password reset, with its e-mail sent within the sending limits. When a
    limit is reached nothing is sent, and the page says the same as always (it must not
    tell whether the address has an account); it mentions the hourly limit."""

    def save(self, *args, request=None, **kwargs):
        self._request = request
        return super().save(*args, request=request, **kwargs)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = render_to_string(subject_template_name, context)
        body = render_to_string(email_template_name, context)
        try:
            notifications.send(
                SentMail.Kind.PASSWORD_RESET,
                to_email,
                subject,
                body,
                address=client_address(self._request) if self._request else None,
            )
        except (notifications.MailLimitReached, notifications.MailNotSent) as error:
            logger.warning("Password reset e-mail not sent: %s", error)


#: The label and the one-line help of each kind of reminder on the settings page.
REMINDER_CHOICES = {
    MailKind.ACTION_DUE: (
        _("Actions due or overdue"),
        _("When an action you answer for is due within 7 days, and again once it is overdue."),
    ),
    MailKind.ACTION_DIGEST: (
        _("Weekly summary of the actions"),
        _("Once a week, for the organisations you own: open, overdue and critical actions."),
    ),
    MailKind.REASSESSMENT_DUE: (
        _("Next assessment due"),
        _("For the organisations you own, from 30 days before the next assessment is due."),
    ),
    MailKind.EVIDENCE_EXPIRING: (
        _("Evidence expiring"),
        _(
            "When evidence you uploaded, or of an organisation you own, expires within "
            "30 days or has just expired."
        ),
    ),
    MailKind.REVIEW_WAITING: (
        _("Assessments waiting for review"),
        _("When a submitted assessment you may review has waited more than 2 days."),
    ),
    MailKind.SECTION_ASSIGNED: (
        _("Sections assigned to me"),
        _("When a section of an assessment is assigned to you to answer."),
    ),
}


class ReminderSettingsForm(forms.Form):
    """One checkbox per kind of reminder, ticked while the user receives it; saving
    turns off (``MutedReminder``) the kinds left unticked, for this user only."""

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        muted = set(MutedReminder.objects.filter(user=user).values_list("kind", flat=True))
        for kind in REMINDER_KINDS:
            label, help_text = REMINDER_CHOICES[kind]
            self.fields[kind.value] = forms.BooleanField(
                label=label, help_text=help_text, required=False, initial=kind not in muted
            )

    @transaction.atomic
    def save(self) -> None:
        off = [kind for kind in REMINDER_KINDS if not self.cleaned_data[kind.value]]
        MutedReminder.objects.filter(user=self.user).exclude(kind__in=off).delete()
        MutedReminder.objects.bulk_create(
            [MutedReminder(user=self.user, kind=kind) for kind in off], ignore_conflicts=True
        )
