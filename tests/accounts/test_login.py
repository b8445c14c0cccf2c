"""Login by e-mail, logout, and the lockout after repeated wrong passwords."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


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
