"""The Jinja2 environment, for the few templates rendered many times per page.

Django's own templates serve every page; Jinja2 renders the fragments a page repeats
hundreds of times (a section's question cards), where Django's template engine costs
more than the rest of the request. Auto-escaped like Django's; strings are marked with
``_("…")`` so that ``makemessages`` finds them; ``url`` and ``date`` do what Django's
``{% url %}`` and ``|date`` do.
"""

from __future__ import annotations

from django.template import engines
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext
from jinja2 import Environment, StrictUndefined


def url(name: str, *args) -> str:
    return reverse(name, args=args)


def environment(**options) -> Environment:
    options.pop("autoescape", None)  # Django's backend sets it; it is said below for the reader
    options["undefined"] = StrictUndefined  # a misspelt name is an error, not blank text
    env = Environment(autoescape=True, extensions=["jinja2.ext.i18n"], **options)
    env.install_gettext_callables(gettext, ngettext, newstyle=False)
    env.globals["url"] = url
    env.filters["date"] = date_format
    env.filters["linebreaksbr"] = linebreaksbr
    return env


def render_fragment(name: str, context: dict) -> SafeString:
    """The HTML of Jinja2 template ``name``, to place in a Django template as it is."""
    html = engines["jinja2"].get_template(name).render(context)
    return mark_safe(html)  # noqa: S308 (the output of an auto-escaping template engine)
