"""Sign-up: an account and its organisation, confirmed by e-mail, telling nothing of
other accounts, within the sending limits."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from compliance.organisations.models import Membership
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "Officer@Example.com",
    "password1": "a-long-and-unusual-passphrase",
    "password2": "a-long-and-unusual-passphrase",
    "organisation": "Shenzhen Dual-Use Exporter Co., Ltd.",
    "sector": "Electronics",
    "country": "China",
}


def link_in(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_sign_up_sends_a_link_that_activates_the_account(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 200
    assert "Check your email" in response.content.decode()
    user = get_user_model().objects.get()
    assert user.email == "officer@example.com" and not user.is_active
    membership = Membership.objects.get()
    assert membership.user == user and membership.role == Membership.Role.OWNER
    assert membership.organisation.name == SIGNUP["organisation"]
    assert not client.get("/").context["user"].is_authenticated
    [message] = mail.outbox
    assert message.to == ["officer@example.com"]
    response = client.get(link_in(message))
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "officer@example.com" in page and SIGNUP["organisation"] in page
    assert get_user_model().objects.get().is_active
    # The link works once.
    client.post("/accounts/logout/")
    assert client.get(link_in(message)).status_code == 400


def test_sign_up_refuses_weak_passwords_and_keeps_what_was_typed(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "123", "password2": "123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in page
    assert 'value="Shenzhen Dual-Use Exporter Co., Ltd."' in page
    assert get_user_model().objects.count() == 0


def test_sign_up_does_not_tell_whether_an_address_has_an_account(client):
    UserFactory(email="officer@example.com")
    fresh = client.post("/accounts/signup/", {**SIGNUP, "email": "new@example.com"})
    taken = client.post("/accounts/signup/", SIGNUP)
    assert taken.status_code == fresh.status_code == 200
    assert (
        taken.content.decode().replace("officer@example.com", "new@example.com")
        == (fresh.content.decode())
        or "already" not in taken.content.decode()
    )
    assert "Check your email" in taken.content.decode()
    assert Membership.objects.filter(user__email="officer@example.com").count() == 0
    # The e-mail tells the owner; the account is unchanged.
    told = mail.outbox[-1]
    assert told.to == ["officer@example.com"] and "already has an account" in told.body
    logged_in = client.post(
        "/accounts/login/", {"username": "officer@example.com", "password": PASSWORD}
    )
    assert logged_in.status_code == 302


def test_a_second_sign_up_of_an_unconfirmed_address_takes_the_newest_details(client):
    client.post("/accounts/signup/", SIGNUP)
    client.post(
        "/accounts/signup/",
        {
            **SIGNUP,
            "organisation": "Renamed Co.",
            "password1": "another-long-passphrase-9",
            "password2": "another-long-passphrase-9",
        },
    )
    assert get_user_model().objects.count() == 1
    assert Membership.objects.get().organisation.name == "Renamed Co."
    first, second = mail.outbox
    assert client.get(link_in(first)).status_code == 400  # superseded
    assert client.get(link_in(second)).status_code == 302
    client.post("/accounts/logout/")
    logged_in = client.post(
        "/accounts/login/",
        {"username": "officer@example.com", "password": "another-long-passphrase-9"},
    )
    assert logged_in.status_code == 302


def test_sign_up_mails_are_limited_per_address(client, settings):
    settings.MAIL_LIMIT_PER_RECIPIENT = 2
    for _ in range(2):
        client.post("/accounts/signup/", SIGNUP)
    page = client.post("/accounts/signup/", SIGNUP).content.decode()
    assert "in the last hour" in page
    assert len(mail.outbox) == 2


def test_sign_up_mails_are_limited_per_client_address(client, settings):
    settings.MAIL_LIMIT_PER_ADDRESS = 2
    for n in range(2):
        client.post("/accounts/signup/", {**SIGNUP, "email": f"n{n}@example.com"})
    page = client.post("/accounts/signup/", {**SIGNUP, "email": "n9@example.com"})
    assert "from your network" in page.content.decode()
    assert len(mail.outbox) == 2
    assert not get_user_model().objects.filter(email="n9@example.com").exists()


def test_an_organisation_name_with_a_line_break_is_refused(client):
    page = client.post(
        "/accounts/signup/", {**SIGNUP, "organisation": "Evil\r\nBcc: victim@example.com"}
    ).content.decode()
    assert "line breaks" in page
    assert get_user_model().objects.count() == 0 and not mail.outbox
