"""Read a YAML questionnaire file into a new draft version."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from compliance.questionnaires import yaml_format
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.services import PublishError, import_questionnaire, publish_version
from compliance.questionnaires.yaml_format import QuestionnaireFileError


class Command(BaseCommand):
    help = "Import a questionnaire YAML file as a new draft version (or a new questionnaire)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--publish", action="store_true", help="publish it right away")
        parser.add_argument(
            "--unless-present",
            action="store_true",
            help="do nothing when the questionnaire already has a version of the file's number",
        )

    def handle(self, file: Path, publish: bool, unless_present: bool, **options) -> None:
        try:
            content = file.read_bytes()
            if unless_present:
                document = yaml_format.load(content)
                present = QuestionnaireVersion.objects.filter(
                    questionnaire__slug=document.slug, number=document.number
                ).first()
                if present is not None:
                    self.stdout.write(f"{document.slug} version {document.number} is present.")
                    return
            version = import_questionnaire(content)
            if publish:
                version = publish_version(version)
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}") from None
        except QuestionnaireFileError as error:
            raise CommandError(f"{file} was not imported:\n" + "\n".join(error.problems)) from None
        except PublishError as error:
            raise CommandError(
                f"{file} was imported as a draft but cannot be published:\n{error}"
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {version.questionnaire.slug} as version {version.number} "
                f"({version.get_status_display()})."
            )
        )
