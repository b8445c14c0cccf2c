from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """The site-wide pages (home, /healthz) and the bilingual-column helpers every app uses."""

    name = "compliance.core"
    verbose_name = _("Site")
