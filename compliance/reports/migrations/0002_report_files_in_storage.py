"""Rendered PDFs move from a database column to the default file storage; each row also
becomes the render job (status, attempt, task). Stored renders are a cache: they are
dropped and rendered again on the next download."""

from django.db import migrations, models

import compliance.reports.models


def drop_stored_renders(apps, schema_editor):
    apps.get_model("reports", "ReportFile").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(drop_stored_renders, migrations.RunPython.noop),
        migrations.RemoveField(model_name="reportfile", name="content"),
        migrations.RenameField(
            model_name="reportfile", old_name="created_at", new_name="requested_at"
        ),
        migrations.AlterField(
            model_name="reportfile",
            name="requested_at",
            field=models.DateTimeField(auto_now_add=True, verbose_name="requested at"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="status",
            field=models.CharField(
                choices=[
                    ("queued", "queued"),
                    ("running", "rendering"),
                    ("ready", "ready"),
                    ("failed", "failed"),
                ],
                default="queued",
                max_length=10,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="file",
            field=models.FileField(
                blank=True,
                max_length=255,
                upload_to=compliance.reports.models.report_file_name,
                verbose_name="PDF",
            ),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="failure",
            field=models.CharField(
                blank=True,
                choices=[
                    ("timeout", "Rendering the report took too long."),
                    ("error", "Rendering the report failed."),
                ],
                max_length=10,
                verbose_name="failure",
            ),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="error",
            field=models.TextField(blank=True, verbose_name="error"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="attempt",
            field=models.PositiveIntegerField(default=0, verbose_name="attempt"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="task_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="task id"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="queued_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="queued at"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="started_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="started at"),
        ),
        migrations.AddField(
            model_name="reportfile",
            name="finished_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="finished at"),
        ),
    ]
