from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "compliance.reports"
    verbose_name = _("Reports")

    def ready(self) -> None:
        from compliance.assessments import signals

        from .tasks import prerender_on_submission

        signals.submitted.connect(prerender_on_submission, dispatch_uid="reports.prerender")
