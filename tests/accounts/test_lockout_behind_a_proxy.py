"""Behind a reverse proxy, wrong passwords lock out the address they come from, never the
account's owner elsewhere: gunicorn, as deployed, with X-Forwarded-For as a proxy writes it."""

import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from tests.factories import PASSWORD, UserFactory
from tests.processes import SharedDatabase, gunicorn

pytestmark = pytest.mark.django_db(transaction=True)


class Browser:
    """One client behind the proxy: its own cookies, its address in X-Forwarded-For."""

    def __init__(self, base: str, forwarded_for: str) -> None:
        self.base = base
        self.forwarded_for = forwarded_for
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.cookies), NoRedirects()
        )

    def open(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 (http to loopback)
            self.base + path, data=body, headers={"X-Forwarded-For": self.forwarded_for}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def log_in(self, email: str, password: str) -> int:
        _status, page = self.open("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        status, _page = self.open(
            "/accounts/login/",
            {"csrfmiddlewaretoken": token, "username": email, "password": password},
        )
        return status


class NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def test_an_attackers_wrong_passwords_do_not_lock_out_the_owner(tmp_path):
    victim = UserFactory(email="owner@example.com")
    # Hashed as the deployed settings can check it (the tests' own hasher is a fast one).
    victim.password = PBKDF2PasswordHasher().encode(PASSWORD, "a-test-salt", iterations=1000)
    victim.save()
    shared = SharedDatabase(tmp_path)
    shared.publish()
    with gunicorn(shared, {"TRUSTED_PROXY_COUNT": "1"}) as base:
        # The attacker forges an address of its own in front; the proxy appends the real one.
        for attempt in range(5):
            attacker = Browser(base, f"10.9.9.{attempt}, 198.51.100.7")
            # The last of them is already answered with the lockout page.
            assert attacker.log_in(victim.email, "wrong password") == (429 if attempt == 4 else 200)
        assert Browser(base, "10.9.9.99, 198.51.100.7").log_in(victim.email, PASSWORD) == 429
        # The owner, at home, is not locked out.
        assert Browser(base, "203.0.113.5").log_in(victim.email, PASSWORD) == 302
