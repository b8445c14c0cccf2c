"""Writes that concern organisations and their members."""

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Membership, Organisation

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-compliance-2026"  # noqa: S105 (a published demo credential)
DEMO_ORGANISATION = "Demo Exporter Co., Ltd."


@transaction.atomic
def ensure_demo_account() -> tuple[Organisation, object]:
    """Create (or reset) the demo organisation and its owner; running it twice adds nothing."""
    organisation, _ = Organisation.objects.get_or_create(
        slug="demo-exporter",
        defaults={"name": DEMO_ORGANISATION, "sector": "Electronics", "country": "China"},
    )
    User = get_user_model()
    user = User.objects.filter(email__iexact=DEMO_EMAIL).first()
    if user is None:
        user = User.objects.create_user(DEMO_EMAIL, DEMO_PASSWORD, first_name="Demo")
    else:
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
    Membership.objects.update_or_create(
        organisation=organisation, user=user, defaults={"role": Membership.Role.OWNER}
    )
    return organisation, user
