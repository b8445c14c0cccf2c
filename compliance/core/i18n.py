"""Bilingual content: explicit English and Chinese columns, read in the active language.

Questionnaire text lives in two columns per field (``title_en``, ``title_zh_hans``).
``Translated`` reads the one for the active language and falls back to English when the
Chinese text is empty. Two fixed languages make this clearer than a translation library:
the columns are visible in migrations, fixtures and the YAML format.
"""

from django.utils.translation import get_language

#: Content languages: (Django language code, column suffix).
CONTENT_LANGUAGES = (("en", "en"), ("zh-hans", "zh_hans"))


def column_suffix(language: str | None = None) -> str:
    """The column suffix for a language code (the active language when None)."""
    language = (language or get_language() or "en").lower()
    return "zh_hans" if language.startswith("zh") else "en"


def translated(obj: object, name: str, suffix: str) -> str:
    """``obj``'s field ``name`` in the language of column ``suffix``, English if empty."""
    if suffix == "zh_hans":
        value = getattr(obj, f"{name}_zh_hans")
        if value:
            return value
    return getattr(obj, f"{name}_en")


class Translated:
    """Descriptor: ``obj.title`` is ``title_zh_hans`` in Chinese when set, else ``title_en``."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, obj: object, owner: type | None = None):
        if obj is None:
            return self
        return translated(obj, self.name, column_suffix())
