"""The Jinja2 environment of the repeated fragments: escaped, strict, and translated."""

from pathlib import Path

import pytest
from django.template import engines
from django.utils import translation
from jinja2 import UndefinedError

JINJA_TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "jinja2"


def test_values_are_escaped():
    env = engines["jinja2"].env
    html = env.from_string("<p>{{ text }}</p>").render(text='<script>alert("x")</script>')
    assert html == "<p>&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;</p>"


def test_a_misspelt_name_is_an_error_not_blank_text():
    with pytest.raises(UndefinedError):
        engines["jinja2"].env.from_string("{{ card.txet }}").render(card={})


@pytest.mark.parametrize("path", sorted(JINJA_TEMPLATES.rglob("*.html")), ids=lambda p: p.name)
def test_every_string_of_a_jinja_template_is_in_the_catalogue(path):
    """Jinja2's own extractor finds the same strings as makemessages (which reads these
    templates as Django's): each has a Chinese translation."""
    env = engines["jinja2"].env
    messages = [message for _line, _function, message in env.extract_translations(path.read_text())]
    assert messages, "no strings found: is the template marked with _()?"
    with translation.override("zh-hans"):
        untranslated = [m for m in messages if translation.gettext(m) == m]
    assert untranslated == []
