"""Create the demo organisation and user (idempotent) and print how to sign in."""

from django.core.management.base import BaseCommand

from compliance.organisations.services import DEMO_PASSWORD, ensure_demo_account


class Command(BaseCommand):
    help = "Create or reset the demo organisation and its owner, and print the credentials."

    def handle(self, *args, **options) -> None:
        organisation, user = ensure_demo_account()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation: {organisation.name}\n"
                f"Sign in with e-mail {user.email} and password {DEMO_PASSWORD}"
            )
        )
