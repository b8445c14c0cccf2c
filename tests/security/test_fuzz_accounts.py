"""Fuzzing the account forms: sign-up, login, password reset and change, language."""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.tokens import default_token_generator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import PASSWORD
from tests.security.checks import (
    assert_escaped,
    assert_fits,
    assert_only_changed,
    assert_storable,
    row_counts,
)
from tests.security.fuzzing import (
    AXES,
    EMAILS,
    LONG_EMAILS,
    NEXT_URLS,
    OWNER,
    PASSWORDS,
    SCRIPT_EMAIL,
    STRONG_PASSWORD,
    TAKEN_EMAIL,
    TEXTS,
    TRIED,
    VALID_TEXTS,
    User,
    accepted,
    answered,
    assert_local_redirect,
    form,
    fuzz,
    last,
    logged_in,
    rolled_back,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ accounts


@fuzz("sign-up", 60)
@given(
    data=st.one_of(
        form(
            email=EMAILS,
            password1=PASSWORDS,
            password2=st.one_of(st.just(STRONG_PASSWORD), PASSWORDS),
            organisation=TEXTS,
            sector=TEXTS,
            country=TEXTS,
        ),
        accepted(
            email=st.one_of(
                st.sampled_from([SCRIPT_EMAIL, "new.person@example.com", "Mixed@Example.COM"]),
                LONG_EMAILS,
            ),
            password1=st.just(STRONG_PASSWORD),
            password2=st.just(STRONG_PASSWORD),
            organisation=VALID_TEXTS,
            sector=VALID_TEXTS,
            country=VALID_TEXTS,
        ),
    )
)
def test_sign_up(world, data):
    TRIED["sign-up"] += 1
    with rolled_back():
        client = Client()
        before = row_counts()
        sent = len(mail.outbox)
        response = answered("sign-up", client.post(reverse("signup"), data))
        assert response.status_code == 200
        if "Check your email" in response.content.decode():
            email = last(data, "email").strip().lower()
            [message] = mail.outbox[sent:]
            assert message.to == [email]
            assert_escaped(response.content.decode(), email)
            if email == TAKEN_EMAIL:  # told by e-mail; the account is left alone
                assert_only_changed(before, {"notifications.SentMail"})
                assert User.objects.get(email=TAKEN_EMAIL).check_password(PASSWORD)
                return
            user = User.objects.get(email=email)
            assert not user.is_active and user.check_password(last(data, "password1"))
            membership = user.memberships.select_related("organisation").get()
            assert membership.role == OWNER
            assert membership.organisation.name == last(data, "organisation").strip()
            assert_fits(user, membership.organisation)
            assert_only_changed(
                before,
                {"accounts.User", "organisations.Organisation", "organisations.Membership"}
                | {"notifications.SentMail"},
            )
            page = client.get(re.search(r"http://testserver(/\S+)", message.body).group(1))
            assert page.status_code == 302
            page = client.get(reverse("assessment_dashboard")).content.decode()
            assert_escaped(page, membership.organisation.name, user.email)
        else:
            assert_only_changed(before)
            page = response.content.decode()
            assert_escaped(
                page, *(last(data, name) for name in ("email", "organisation", "sector", "country"))
            )


@fuzz("login", 60)
@given(
    page=st.sampled_from(["login", "login", "admin:login"]),
    data=st.one_of(
        form(username=EMAILS, password=st.one_of(st.just(PASSWORD), TEXTS), next=NEXT_URLS),
        accepted(
            username=st.sampled_from([TAKEN_EMAIL, f"  {TAKEN_EMAIL.upper()} "]),
            password=st.just(PASSWORD),
            next=NEXT_URLS,
        ),
    ),
)
def test_login(world, page, data):
    """The site's login form and the admin's (the same user is no staff: refused there)."""
    TRIED["login"] += 1
    with rolled_back():
        client = Client()
        before = row_counts()
        response = answered("login", client.post(reverse(page), data))
        assert response.status_code in (200, 302, 429)
        # What django-axes recorded of the attempt fits its columns.
        assert_storable(*AccessAttempt.objects.all(), *AccessFailureLog.objects.all())
        if response.status_code == 302:
            assert page == "login"
            assert_local_redirect(response)
            assert last(data, "password") == PASSWORD
            assert client.session["_auth_user_id"] == str(User.objects.get(email=TAKEN_EMAIL).pk)
            assert_only_changed(before, {"sessions.Session"} | AXES)
        else:
            assert "_auth_user_id" not in client.session
            assert_only_changed(before, {"sessions.Session"} | AXES)
            page = response.content.decode()
            assert_escaped(page, last(data, "username") if response.status_code == 200 else None)


@fuzz("password reset request", 40)
@given(data=form(email=st.one_of(st.just(TAKEN_EMAIL), EMAILS)))
def test_password_reset_request(world, data):
    TRIED["password reset request"] += 1
    with rolled_back():
        client = Client()
        before, sent = row_counts(), len(mail.outbox)
        response = answered("password reset request", client.post(reverse("password_reset"), data))
        assert response.status_code in (200, 302)
        new_mail = mail.outbox[sent:]
        assert_only_changed(before, {"notifications.SentMail"} if new_mail else set())
        assert len(new_mail) <= 1
        if new_mail:
            assert new_mail[0].to == [TAKEN_EMAIL]
            assert last(data, "email").strip().lower() == TAKEN_EMAIL
        if response.status_code == 200:
            assert_escaped(response.content.decode(), last(data, "email"))


@fuzz("password reset confirm", 30)
@given(
    data=st.one_of(
        form(new_password1=PASSWORDS, new_password2=PASSWORDS),
        accepted(new_password1=st.just(STRONG_PASSWORD), new_password2=st.just(STRONG_PASSWORD)),
    )
)
def test_password_reset_confirm(world, data):
    TRIED["password reset confirm"] += 1
    user = User.objects.get(email=TAKEN_EMAIL)
    with rolled_back():
        client = Client()
        link = reverse(
            "password_reset_confirm",
            args=[
                urlsafe_base64_encode(force_bytes(user.pk)),
                default_token_generator.make_token(user),
            ],
        )
        form_url = client.get(link)["Location"]  # the token moves into the session
        before, hashed = row_counts(), user.password
        response = answered("password reset confirm", client.post(form_url, data))
        assert response.status_code in (200, 302)
        user.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == reverse("password_reset_complete")
            assert user.check_password(last(data, "new_password1"))
        else:
            assert user.password == hashed
        assert_only_changed(before, {"sessions.Session"})
        assert_escaped(response.content.decode())


@fuzz("password change", 30)
@given(
    data=st.one_of(
        form(
            old_password=st.one_of(st.just(PASSWORD), TEXTS),
            new_password1=PASSWORDS,
            new_password2=PASSWORDS,
        ),
        accepted(
            old_password=st.just(PASSWORD),
            new_password1=st.just(STRONG_PASSWORD),
            new_password2=st.just(STRONG_PASSWORD),
        ),
    )
)
def test_password_change(world, data):
    TRIED["password change"] += 1
    with rolled_back():
        user = User.objects.get(pk=world.editor.user.pk)  # never a copy changed by an example
        client = logged_in(user)
        before, hashed = row_counts(), User.objects.get(pk=user.pk).password
        response = answered("password change", client.post(reverse("password_change"), data))
        assert response.status_code in (200, 302)
        user.refresh_from_db()
        if response.status_code == 302:
            assert response["Location"] == reverse("password_change_done")
            assert last(data, "old_password") == PASSWORD
            assert user.check_password(last(data, "new_password1"))
        else:
            assert user.password == hashed
        assert_only_changed(before, {"sessions.Session"})
        assert_escaped(response.content.decode())


@fuzz("language switch", 20)
@given(
    data=form(
        language=st.one_of(st.sampled_from(["en", "zh-hans", "fr", "EN"]), TEXTS), next=NEXT_URLS
    )
)
def test_language_switch(world, data):
    TRIED["language switch"] += 1
    with rolled_back():
        user = world.viewer.user
        client = logged_in(user)
        before = row_counts()
        response = answered("language switch", client.post(reverse("set_language"), data))
        assert response.status_code in (204, 302)
        if response.status_code == 302:
            assert_local_redirect(response)
        user.refresh_from_db()
        language = last(data, "language")
        assert user.preferred_language == (language if language in ("en", "zh-hans") else "")
        assert_only_changed(before)
