"""A questionnaire version as an OSCAL catalog (JSON), in one language: docs/oscal.md.

Sections are groups, questions are controls (the question, its guidance, recommendation
and what to show an auditor as parts; its choices and their scores as parts with props),
sources are back-matter resources that the controls link to. What OSCAL has no name for
is a prop or a part in the namespace ``NS``. The same published version always gives the
same document: ids come from the codes, UUIDs from the content digest, and the
document's own UUID from the document's content.

Plain dictionaries: the app does not depend on an OSCAL library. The tests validate what
this writes against compliance-trestle's models of OSCAL ``OSCAL_VERSION``.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Iterable
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from compliance.core.i18n import CONTENT_LANGUAGES, translated

from .models import Choice, Question, QuestionnaireVersion, ScoreBand, Section, Source
from .selectors import load_version
from .services import content_digest, sealed_digest

#: The OSCAL version the documents follow (the one compliance-trestle 5.2 models).
OSCAL_VERSION = "1.2.1"
#: The namespace of every prop and part name that is ours rather than OSCAL's: a name,
#: not an address, the same on every installation.
NS = "urn:icp-self-assessment:oscal"
#: The namespace of the UUIDs derived here (version 5).
UUIDS = uuid.uuid5(uuid.NAMESPACE_URL, NS)
#: The content languages, by their Django codes: ``en``, ``zh-hans``.
LANGUAGES = tuple(code for code, _suffix in CONTENT_LANGUAGES)
MEDIA_TYPE = "application/json"

# OSCAL's tokens (ids, names, classes) start with a letter or "_"; codes may start with
# a digit or a hyphen too, and never hold a dot.
_TOKEN_START = re.compile(r"[A-Za-z_]")


# ---------------------------------------------------------------------------- ids


def control_id(code: str) -> str:
    """The control id of the question ``code``: the code, or ``question.<code>`` when the
    code starts with a digit or a hyphen. No two codes share an id, and no control id is
    a group id (those all start with ``section.``)."""
    return token("question", code)


def group_id(code: str) -> str:
    """The group id of the section ``code`` (a section's code may equal a question's)."""
    return f"section.{code}"


def token(kind: str, code: str) -> str:
    """``code`` as an OSCAL token: itself, or ``<kind>.<code>`` when it cannot be one."""
    return code if _TOKEN_START.match(code) else f"{kind}.{code}"


def derived_uuid(*parts: object) -> str:
    """A UUID (version 5) that is the same wherever and whenever the parts are."""
    return str(uuid.uuid5(UUIDS, "/".join(str(part) for part in parts)))


def digest_of(version: QuestionnaireVersion) -> str:
    """The SHA-256 of the version's content: recorded at publishing, computed for a draft."""
    return sealed_digest(version) or content_digest(version)


def with_content_uuid(name: str, body: dict) -> dict:
    """``{name: body}`` with the document's UUID first, derived from everything else in
    it: the UUID changes when the document does (OSCAL asks that of a document UUID),
    and only then."""
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    identity = derived_uuid(name, hashlib.sha256(canonical.encode()).hexdigest())
    return {name: {"uuid": identity, **body}}


def to_bytes(document: dict) -> bytes:
    """An OSCAL document as downloaded: UTF-8 JSON, keys in the order written."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


# ---------------------------------------------------------------------------- values


def one_line(text: object) -> str:
    """Text as an OSCAL title or prop value takes it: one line, no space at either end."""
    return " ".join(str(text).split())


def figure(value: Decimal | float | int) -> str:
    """A number as props write it: ``2`` for 2.00, ``0.5`` for 0.5000, ``100`` for 1E2."""
    return format(Decimal(str(value)).normalize(), "f")


def prop(name: str, value: object, *, cls: str = "", group: str = "", ns: str = NS) -> dict | None:
    """One prop; ``None`` for an empty value or none (OSCAL values are never empty).
    ``ns=""`` for OSCAL's own names (``label``, ``method``, ``type``)."""
    if value is None:
        return None
    text = str(value).lower() if isinstance(value, bool) else one_line(value)
    if not text:
        return None
    out = {"name": name}
    if ns:
        out["ns"] = ns
    out["value"] = text
    if cls:
        out["class"] = cls
    if group:
        out["group"] = group
    return out


def props(*items: dict | None) -> list[dict]:
    """The props given, without the empty ones."""
    return [item for item in items if item is not None]


def optional(**fields) -> dict:
    """The fields that have a value (OSCAL lists have at least one item, texts one
    character)."""
    return {name.replace("_", "-"): value for name, value in fields.items() if value}


class Texts:
    """The bilingual columns as one catalog reads them: in its language (Chinese falls
    back to English where empty, as on every page), and in the other language where that
    reads differently."""

    def __init__(self, language: str) -> None:
        if language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {language!r}")
        self.language = language
        self.other = next(code for code in LANGUAGES if code != language)
        suffixes = dict(CONTENT_LANGUAGES)
        self._suffix, self._other_suffix = suffixes[language], suffixes[self.other]

    def __call__(self, obj: object, name: str) -> str:
        return translated(obj, name, self._suffix)

    def translation(self, obj: object, name: str) -> str:
        """The text in the other language, or "" where it reads the same."""
        other = translated(obj, name, self._other_suffix)
        return other if other != self(obj, name) else ""

    def title(self, obj: object, name: str = "title") -> str:
        return one_line(self(obj, name))

    def title_prop(self, obj: object, name: str = "title", *, group: str = "") -> dict | None:
        """The other language's title as a prop: OSCAL titles have one language."""
        return prop(name, self.translation(obj, name), cls=self.other, group=group)

    def translation_part(self, obj: object, prose: str = "", title: str = "") -> list[dict]:
        """A ``translation`` part holding the other language's texts, if any differ."""
        fields = optional(
            title=one_line(self.translation(obj, title)) if title else "",
            prose=self.translation(obj, prose) if prose else "",
        )
        if not fields:
            return []
        return [{"name": "translation", "ns": NS, "class": self.other, **fields}]

    def part(self, obj: object, name: str, part_name: str, *, ns: str = NS) -> dict | None:
        """A part holding ``obj``'s text ``name`` (``None`` when there is none), with its
        translation as a part of its own."""
        prose = self(obj, name)
        if not prose:
            return None
        return {
            "name": part_name,
            **({"ns": ns} if ns else {}),
            "prose": prose,
            **optional(parts=self.translation_part(obj, prose=name)),
        }


# ---------------------------------------------------------------------------- catalog


def catalog(version: QuestionnaireVersion, language: str = "en") -> dict:
    """The OSCAL catalog of ``version`` in ``language`` (``en`` or ``zh-hans``), as a
    dictionary (``catalog_json`` writes it); a fixed number of queries, whatever its size.

    A published version's document never changes; a draft's says ``status: draft`` and
    is dated when it was exported."""
    texts = Texts(language)
    with translation.override(language):
        return _catalog(version, texts)


def catalog_json(version: QuestionnaireVersion, language: str = "en") -> bytes:
    """``catalog`` as the JSON file that is downloaded."""
    return to_bytes(catalog(version, language))


def file_name(version: QuestionnaireVersion, language: str) -> str:
    return f"{version.questionnaire.slug}-v{version.number}-{language}.oscal.json"


def _catalog(version: QuestionnaireVersion, texts: Texts) -> dict:
    content = load_version(version)
    questionnaire = version.questionnaire
    digest = digest_of(version)
    sources = list(Source.objects.filter(version=version).order_by("code"))
    source_uuids = {source.pk: derived_uuid(digest, "source", source.code) for source in sources}
    overall_bands = ScoreBand.objects.filter(version=version, section__isnull=True)
    modified = version.published_at or timezone.now()
    resources = [_source_resource(source, source_uuids[source.pk], texts) for source in sources]
    if texts(version, "methodology"):
        resources.append(
            {
                "uuid": derived_uuid(digest, "methodology"),
                "title": _("Methodology"),
                "description": texts(version, "methodology"),
                "props": props(prop("kind", "methodology")),
            }
        )
    body = {
        "metadata": {
            "title": texts.title(questionnaire) or questionnaire.slug,
            **optional(published=version.published_at and version.published_at.isoformat()),
            "last-modified": modified.isoformat(),
            "version": f"{questionnaire.slug}-v{version.number}",
            "oscal-version": OSCAL_VERSION,
            "revisions": [
                {
                    **optional(published=version.published_at and version.published_at.isoformat()),
                    "last-modified": modified.isoformat(),
                    "version": f"{questionnaire.slug}-v{version.number}",
                    "oscal-version": OSCAL_VERSION,
                    **optional(remarks=texts(version, "changelog")),
                }
            ],
            "props": props(
                prop("questionnaire", questionnaire.slug),
                prop("version-number", version.number),
                prop("status", version.status),
                prop("content-sha256", digest),
                prop("language", texts.language),
                prop("critical-threshold", figure(version.critical_threshold)),
                texts.title_prop(questionnaire),
                *_band_props(overall_bands.order_by("min_score"), texts),
            ),
            **optional(remarks=texts(version, "description")),
        },
        **optional(
            groups=[
                _group(section, index, version, texts, source_uuids)
                for index, section in enumerate(content.sections, start=1)
            ]
        ),
        **optional(back_matter={"resources": resources} if resources else None),
    }
    return with_content_uuid("catalog", body)


def _band_props(bands: Iterable[ScoreBand], texts: Texts) -> list[dict]:
    """Score bands as props, each band's related by their ``group`` (``band.<code>``)."""
    out = []
    for band in bands:
        group = f"band.{band.code}"
        out += props(
            prop("score-band", band.code, group=group),
            prop("score-band-label", texts(band, "label"), group=group),
            prop(
                "score-band-label", texts.translation(band, "label"), cls=texts.other, group=group
            ),
            prop("score-band-min", figure(band.min_score), group=group),
            prop("score-band-max", figure(band.max_score), group=group),
            prop("score-band-description", texts(band, "description"), group=group),
        )
    return out


def _show_if_props(row: Question | Section) -> list[dict]:
    if row.show_if_question is None:
        return []
    return props(
        prop("show-if-question", control_id(row.show_if_question.code)),
        *(prop("show-if-choice", code) for code in row.show_if_choices),
        prop("show-if-match", row.show_if_match),
    )


def _group(
    section: Section, index: int, version: QuestionnaireVersion, texts: Texts, source_uuids: dict
) -> dict:
    return {
        "id": group_id(section.code),
        "title": texts.title(section) or section.code,
        "props": props(
            prop("label", index, ns=""),
            prop("code", section.code),
            prop("weight", figure(section.weight)),
            prop("white-paper-part", section.white_paper_part),
            *_show_if_props(section),
            texts.title_prop(section),
            *_band_props(section.score_bands.all(), texts),
        ),
        **optional(
            parts=props(
                texts.part(section, "description", "overview", ns=""),
                texts.part(section, "crosswalk", "crosswalk"),
            ),
            controls=[
                _control(question, f"{index}.{number}", version, texts, source_uuids)
                for number, question in enumerate(section.questions.all(), start=1)
            ],
        ),
    }


def _control(
    question: Question, label: str, version: QuestionnaireVersion, texts: Texts, source_uuids: dict
) -> dict:
    threshold = question.critical_threshold or version.critical_threshold
    references = list(question.references.all())
    return {
        "id": control_id(question.code),
        "title": texts.title(question, "text") or question.code,
        "props": props(
            prop("label", label, ns=""),
            prop("code", question.code),
            prop("question-type", question.type),
            prop("weight", figure(question.weight)),
            prop("critical", question.critical),
            prop("critical-threshold", figure(threshold)) if question.critical else None,
            prop("required", question.required),
            prop("na-allowed", question.na_allowed),
            *_show_if_props(question),
            *(
                prop(
                    "reference-element",
                    reference.element,
                    cls=token("source", reference.source.code),
                )
                for reference in references
            ),
        ),
        **optional(
            links=[
                {
                    "href": f"#{source_uuids[reference.source_id]}",
                    "rel": "reference",
                    "text": one_line(texts(reference, "locator")) or texts.title(reference.source),
                }
                for reference in references
            ],
            parts=props(
                {
                    "name": "statement",
                    "prose": texts(question, "text"),
                    **optional(
                        parts=[
                            *texts.translation_part(question, prose="text"),
                            *(_choice(choice, texts) for choice in question.choices.all()),
                        ]
                    ),
                },
                texts.part(question, "guidance", "guidance", ns=""),
                texts.part(question, "recommendation", "recommendation"),
                _evidence_part(question, texts),
                texts.part(question, "references_note", "references-note"),
            ),
        ),
    }


def _choice(choice: Choice, texts: Texts) -> dict:
    return {
        "name": "choice",
        "ns": NS,
        "title": texts.title(choice, "label") or choice.code,
        "props": props(
            prop("code", choice.code),
            prop("score", figure(choice.score)),
            prop("min-value", figure(choice.min_value)) if choice.min_value is not None else None,
            prop("exclusive", True) if choice.exclusive else None,
            prop("justify", True) if choice.justify else None,
        ),
        **optional(
            prose=texts(choice, "description"),
            parts=texts.translation_part(choice, prose="description", title="label"),
        ),
    }


def _evidence_part(question: Question, texts: Texts) -> dict | None:
    """What to show an auditor, as OSCAL's assessment method EXAMINE and its objects."""
    objects = texts.part(question, "evidence", "assessment-objects", ns="")
    if objects is None:
        return None
    return {
        "name": "assessment-method",
        "props": props(prop("method", "EXAMINE", ns="")),
        "parts": [objects],
    }


def _source_resource(source: Source, identity: str, texts: Texts) -> dict:
    title = texts.title(source) or source.code
    return {
        "uuid": identity,
        "title": title,
        "props": props(
            prop("kind", "source"),
            prop("code", source.code),
            texts.title_prop(source),
        ),
        "citation": {"text": title},
    }
