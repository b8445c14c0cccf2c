"""Forms whose work is sending an e-mail."""

import logging

from django.contrib.auth import forms as auth_forms
from django.template.loader import render_to_string

from compliance.accounts.addresses import client_address

from . import services as notifications
from .models import SentMail

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
