"""Write a questionnaire version as YAML to standard output (or a file)."""

from django.core.management.base import BaseCommand, CommandError

from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.services import export_questionnaire


class Command(BaseCommand):
    help = "Export a questionnaire version as YAML (the newest version unless --version)."

    def create_parser(self, prog_name, subcommand, **kwargs):
        # Our --version (a questionnaire version) replaces Django's --version (its own).
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser) -> None:
        parser.add_argument("slug")
        parser.add_argument("--version", dest="number", type=int, help="version number")
        parser.add_argument("--output", "-o", help="write to this file instead of stdout")

    def handle(self, slug: str, number: int | None, output: str | None, **options) -> None:
        versions = QuestionnaireVersion.objects.filter(questionnaire__slug=slug)
        if number is not None:
            versions = versions.filter(number=number)
        version = versions.order_by("-number").first()
        if version is None:
            raise CommandError(f"No questionnaire version found for {slug!r}.")
        text = export_questionnaire(version)
        if output:
            with open(output, "w", encoding="utf-8") as file:
                file.write(text)
        else:
            self.stdout.write(text, ending="")
