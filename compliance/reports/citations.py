"""How a report cites: a short key in the text ("ECL Art. 12", "MOFCOM 2021 element 4"),
and each instrument named in full once, in the report's reference list.

A published version's content cannot change (its digest is sealed), so the short names
of the instruments the default questionnaire cites are presentation, kept here by source
code. A source without a short name is cited by its number in the reference list
("[3] Art. 5"), the usual style of a bibliography.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

#: Short names of well-known instruments, by the source code the questionnaires use.
SHORT_NAMES = {
    "ecl": pgettext_lazy("short name of a law", "ECL"),
    "mofcom-2021": pgettext_lazy("short name of a law", "MOFCOM 2021"),
    "dual-use-regs-2024": pgettext_lazy("short name of a law", "Dual-Use Regulations 2024"),
    "dual-use-list-2024": pgettext_lazy("short name of a law", "Dual-Use List 2024"),
    "white-paper-2021": pgettext_lazy("short name of a law", "White Paper 2021"),
    "bis-ecg-2017": pgettext_lazy("short name of a law", "BIS 2017"),
    "eu-2019-1318": pgettext_lazy("short name of a law", "EU 2019/1318"),
    "eu-2021-1700": pgettext_lazy("short name of a law", "EU 2021/1700"),
    "wassenaar-2011": pgettext_lazy("short name of a law", "Wassenaar 2011"),
    "uel-2020": pgettext_lazy("short name of a law", "UEL Provisions"),
    "afsl-2021": pgettext_lazy("short name of a law", "AFSL"),
    "dual-use-catalogue": pgettext_lazy("short name of a law", "Dual-Use Catalogue"),
    "apl": pgettext_lazy("short name of a law", "APL"),
    "un-sanctions": pgettext_lazy("short name of a law", "UNSC sanctions"),
}


@dataclass(frozen=True, slots=True)
class ListedSource:
    """One line of the reference list: the key the text cites, and the full title."""

    key: str
    title: str


class Citations:
    """The keys of one report's sources, numbered in the order the report first cites
    them; ``cite`` gives a question's citations, ``listing`` the reference list."""

    def __init__(self) -> None:
        self._keys: dict[int, str] = {}
        self._listed: list[ListedSource] = []
        self._numbered = 0

    def key(self, source) -> str:
        known = self._keys.get(source.pk)
        if known is None:
            short = SHORT_NAMES.get(source.code)
            if short is not None:
                known = str(short)
            else:
                self._numbered += 1
                known = f"[{self._numbered}]"
            self._keys[source.pk] = known
            self._listed.append(ListedSource(known, str(source.title)))
        return known

    def cite(self, question) -> list[str]:
        """The question's references as short citations, in its own order."""
        cited = []
        for reference in question.references.all():
            key = self.key(reference.source)
            locator = str(reference.locator)
            cited.append(
                _("%(source)s %(locator)s") % {"source": key, "locator": locator}
                if locator
                else key
            )
        return cited

    def listing(self) -> list[ListedSource]:
        """The reference list: every source cited, by its key (short names first, in
        alphabetical order, then the numbered ones in their order)."""
        named = sorted(
            (s for s in self._listed if not s.key.startswith("[")), key=lambda s: s.key.casefold()
        )
        return named + [s for s in self._listed if s.key.startswith("[")]
