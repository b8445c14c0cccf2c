"""Sign-up, login by e-mail, logout, password reset."""

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


def test_sign_up_creates_user_organisation_and_owner_and_logs_in(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 302
    user = get_user_model().objects.get()
    assert user.email == "officer@example.com"
    membership = Membership.objects.get()
    assert membership.user == user and membership.role == Membership.Role.OWNER
    assert membership.organisation.name == SIGNUP["organisation"]
    page = client.get("/").content.decode()
    assert "officer@example.com" in page
    assert SIGNUP["organisation"] in page


def test_sign_up_refuses_weak_passwords_and_keeps_what_was_typed(client):
    response = client.post("/accounts/signup/", {**SIGNUP, "password1": "123", "password2": "123"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "This password is too short" in page
    assert 'value="Shenzhen Dual-Use Exporter Co., Ltd."' in page
    assert get_user_model().objects.count() == 0


def test_sign_up_refuses_an_existing_email(client):
    UserFactory(email="officer@example.com")
    page = client.post("/accounts/signup/", SIGNUP).content.decode()
    assert "already exists" in page
    assert Membership.objects.count() == 0


def test_login_by_email_and_logout_by_post(client):
    UserFactory(email="someone@example.com")
    response = client.post(
        "/accounts/login/", {"username": "SOMEONE@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert not client.get("/").context["user"].is_authenticated


def test_password_reset_sends_a_link_by_email(client):
    UserFactory(email="someone@example.com")
    client.post("/accounts/password_reset/", {"email": "someone@example.com"})
    assert len(mail.outbox) == 1
    assert "/accounts/reset/" in mail.outbox[0].body


def test_repeated_bad_passwords_lock_the_account_with_a_message(client, settings):
    UserFactory(email="target@example.com")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(
            "/accounts/login/", {"username": "target@example.com", "password": "wrong"}
        )
        assert response.status_code == 200
        assert "Please enter a correct" in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "TARGET@example.com", "password": "wrong"}
    )
    assert response.status_code == 429
    # Locked: even the right password is refused until the cool-off time has passed.
    response = client.post(
        "/accounts/login/", {"username": "target@example.com", "password": PASSWORD}
    )
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page and "15 minutes" in page
    assert not client.get("/").context["user"].is_authenticated
    # Another account from the same address is not locked.
    UserFactory(email="other@example.com")
    response = client.post(
        "/accounts/login/", {"username": "other@example.com", "password": PASSWORD}
    )
    assert response.status_code == 302
