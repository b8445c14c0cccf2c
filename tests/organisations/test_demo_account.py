"""`setup_demo` creates the demo organisation and user once, and prints how to sign in."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from compliance.organisations.models import Membership, Organisation
from compliance.organisations.services import DEMO_EMAIL, DEMO_PASSWORD


@pytest.mark.django_db
def test_setup_demo_is_idempotent_and_prints_credentials():
    out = StringIO()
    call_command("setup_demo", stdout=out)
    call_command("setup_demo", stdout=out)
    assert Organisation.objects.count() == 1
    assert Membership.objects.get().role == Membership.Role.OWNER
    assert DEMO_EMAIL in out.getvalue() and DEMO_PASSWORD in out.getvalue()
    assert get_user_model().objects.get(email=DEMO_EMAIL).check_password(DEMO_PASSWORD)
