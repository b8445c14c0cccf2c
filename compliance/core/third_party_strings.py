"""Strings that Django's admin and django-admin-sortable2 show but whose own Simplified
Chinese catalogues lack (Django 5.2's hidden table headings of the admin index, the drag
handles' labels). Marked here so that ``makemessages`` keeps them in the project's
catalogue, which gettext consults before the packages' own (``LOCALE_PATHS``); the
every-page browser test finds them untranslated otherwise. Nothing imports this module:
it holds no code, only the marks."""

from django.utils.translation import gettext_noop

THIRD_PARTY_STRINGS = (
    # django/contrib/admin/templates/admin/app_list.html (visually hidden headings)
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # adminsortable2's drag handles (aria-label and title)
    gettext_noop("Move to first position"),
    gettext_noop("Move to last position"),
)
