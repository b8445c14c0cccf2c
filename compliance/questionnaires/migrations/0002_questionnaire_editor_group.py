"""The "Questionnaire editors" group, with exactly the permissions authoring needs."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Questionnaire editors"
MODELS = ["questionnaire", "questionnaireversion", "section", "question", "choice", "reference", "scoreband", "source"]


def permission_codenames() -> list[str]:
    codenames = [f"{action}_{model}" for model in MODELS for action in ("view", "add", "change", "delete")]
    # Questionnaires and versions are never deleted by editors: retire a version instead.
    codenames.remove("delete_questionnaire")
    codenames.remove("delete_questionnaireversion")
    return [*codenames, "publish_questionnaireversion", "retire_questionnaireversion"]


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations; this one needs them now.
    # Each app config's models_module is put back as it was: a test that runs this with
    # the project's own registry must not leave every app without one (post_migrate would
    # then skip them all, and a flushed test database would keep no permissions).
    for app_config in apps.get_app_configs():
        previous = getattr(app_config, "models_module", None)
        app_config.models_module = previous or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = previous
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.set(
        Permission.objects.filter(
            content_type__app_label="questionnaires", codename__in=permission_codenames()
        )
    )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questionnaires", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
