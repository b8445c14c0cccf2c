"""The password reset e-mail, within the sending limits, and a page that tells nothing."""

import re

import pytest
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_password_reset_sends_a_link_by_email(client):
    UserFactory(email="someone@example.com")
    client.post("/accounts/password_reset/", {"email": "someone@example.com"})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_mails_are_limited_and_the_page_tells_nothing(client, settings):
    settings.MAIL_LIMIT_PER_RECIPIENT = 2
    UserFactory(email="someone@example.com")
    pages = []
    for email in ["someone@example.com"] * 3 + ["nobody@example.com"]:
        response = client.post("/accounts/password_reset/", {"email": email}, follow=True)
        pages.append(re.sub(r'value="[^"]*"', "", response.content.decode()))
    assert len(mail.outbox) == 2
    assert all(page == pages[0] for page in pages)
    assert "Only a few such e-mails" in pages[0]
