"""Create the demo questionnaire editor (idempotent) and print how to reach the admin."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

EDITOR_EMAIL = "editor@example.com"
EDITOR_PASSWORD = "demo-editor-2026"  # noqa: S105 (a published demo credential)
EDITORS = "Questionnaire editors"


class Command(BaseCommand):
    help = (
        "Create or reset a demo questionnaire editor (staff, in the Questionnaire editors "
        "group, not a superuser) and print the credentials."
    )

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        User = get_user_model()
        user = User.objects.filter(email__iexact=EDITOR_EMAIL).first()
        if user is None:
            user = User.objects.create_user(EDITOR_EMAIL, EDITOR_PASSWORD, first_name="Editor")
        user.set_password(EDITOR_PASSWORD)
        user.is_active = user.is_staff = True
        user.save(update_fields=["password", "is_active", "is_staff"])
        user.groups.add(Group.objects.get(name=EDITORS))
        self.stdout.write(
            self.style.SUCCESS(
                f"Questionnaire editor: sign in at /admin/ with e-mail {EDITOR_EMAIL} "
                f"and password {EDITOR_PASSWORD}"
            )
        )
