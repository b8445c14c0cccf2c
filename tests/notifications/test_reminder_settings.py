"""The account's reminder settings: a checkbox per kind of reminder, ticked while it is
received; what one user turns off is turned off for them only."""

import pytest
from django.urls import reverse

from compliance.notifications.models import REMINDER_KINDS, MailKind, MutedReminder
from tests.factories import UserFactory

URL = "/accounts/reminders/"


def ticked(*kinds) -> dict[str, str]:
    """The form as posted with ``kinds`` ticked (an unticked checkbox posts nothing)."""
    return {f"reminders-{kind}": "on" for kind in kinds}


def muted(user) -> set[str]:
    return set(MutedReminder.objects.filter(user=user).values_list("kind", flat=True))


def test_the_page_has_its_name():
    assert reverse("account_reminders") == URL


@pytest.mark.django_db
def test_someone_signed_out_is_sent_to_the_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert client.post(URL, ticked()).status_code == 302
    assert not MutedReminder.objects.exists()


@pytest.mark.django_db
def test_every_kind_is_on_until_turned_off(client):
    user = UserFactory()
    MutedReminder.objects.create(user=user, kind=MailKind.ACTION_DIGEST)
    client.force_login(user)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.fields) == [kind.value for kind in REMINDER_KINDS]
    assert {name: field.initial for name, field in form.fields.items()} == {
        kind.value: kind != MailKind.ACTION_DIGEST for kind in REMINDER_KINDS
    }
    page = response.content.decode()
    assert 'name="reminders-action_due"' in page
    assert "Weekly summary of the actions" in page
    assert "due within 7 days" in page  # each kind says when it comes


@pytest.mark.django_db
def test_unticking_turns_a_kind_off_and_ticking_it_on_again(client):
    user = UserFactory()
    client.force_login(user)
    on = [k for k in REMINDER_KINDS if k not in (MailKind.ACTION_DUE, MailKind.REVIEW_WAITING)]
    response = client.post(URL, ticked(*on), follow=True)
    assert response.redirect_chain == [(URL, 302)]
    assert "Your reminder settings are saved." in response.content.decode()
    assert muted(user) == {MailKind.ACTION_DUE, MailKind.REVIEW_WAITING}

    client.post(URL, ticked(*[k for k in REMINDER_KINDS if k != MailKind.REVIEW_WAITING]))
    assert muted(user) == {MailKind.REVIEW_WAITING}
    client.post(URL, ticked(*REMINDER_KINDS))
    assert muted(user) == set()


@pytest.mark.django_db
def test_saving_changes_nobody_elses_settings(client):
    user, other = UserFactory(), UserFactory()
    MutedReminder.objects.create(user=other, kind=MailKind.SECTION_ASSIGNED)
    client.force_login(user)
    client.post(URL, ticked())  # everything off, for this user
    assert muted(user) == {kind.value for kind in REMINDER_KINDS}
    client.post(URL, ticked(*REMINDER_KINDS))
    assert muted(other) == {MailKind.SECTION_ASSIGNED}


@pytest.mark.django_db
def test_the_page_is_in_the_users_language(client):
    user = UserFactory(preferred_language="zh-hans")
    client.force_login(user)
    page = client.get(URL).content.decode()
    assert '<html lang="zh-hans">' in page
    assert "提醒" in page
