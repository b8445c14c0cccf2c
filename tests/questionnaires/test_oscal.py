"""The OSCAL catalog of a questionnaire version: valid OSCAL as compliance-trestle models
it, a group per section and a control per question, references that resolve, our names
in our namespace, both languages, the same document every time, a fixed number of
queries, and its download from the admin (staff only)."""

from __future__ import annotations

import ast
import copy
import json
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
import trestle.oscal
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pydantic import ValidationError
from trestle.oscal.catalog import Catalog

import compliance
from compliance.questionnaires import oscal
from compliance.questionnaires.document import (
    BandDocument,
    QuestionDocument,
    QuestionnaireDocument,
    SectionDocument,
    ShowIf,
    Text,
    create_version,
    default_choices,
)
from compliance.questionnaires.models import QuestionnaireVersion
from compliance.questionnaires.selectors import forget_loaded_versions, load_version
from compliance.questionnaires.services import content_digest, import_questionnaire, publish_version
from tests.factories import SAMPLE, UserFactory, questionnaire_editor

DEFAULT_YAML = Path(__file__).resolve().parents[2] / "fixtures" / "questionnaires"
#: The part and prop names we use from OSCAL itself (without a namespace).
OSCAL_PARTS = {"statement", "guidance", "overview", "assessment-method", "assessment-objects"}
OSCAL_PROPS = {"label", "method"}
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def valid(document: dict) -> Catalog:
    """The catalog as trestle's OSCAL model reads it; raises when it is not valid."""
    assert list(document) == ["catalog"]
    return Catalog.model_validate(document["catalog"])


def controls(document: dict) -> list[dict]:
    return [c for group in document["catalog"]["groups"] for c in group.get("controls", [])]


def control(document: dict, control_id: str) -> dict:
    return next(c for c in controls(document) if c["id"] == control_id)


def values(item: dict, name: str) -> list[str]:
    return [p["value"] for p in item.get("props", []) if p["name"] == name and "class" not in p]


def nested(node, key: str):
    """Every list item held under ``key`` anywhere in ``node``."""
    if isinstance(node, dict):
        for name, value in node.items():
            if name == key:
                yield from value
            yield from nested(value, key)
    elif isinstance(node, list):
        for value in node:
            yield from nested(value, key)


@dataclass
class Exported:
    documents: dict[str, dict]  # by language
    again: bytes  # the English document exported a second time, read afresh
    sections: list[tuple[str, list[str]]]  # section codes and their question codes
    references: dict[str, list[tuple[str, str]]]  # question code: (source code, locator)
    queries: int  # of the English export, nothing loaded before


def export(version: QuestionnaireVersion) -> Exported:
    forget_loaded_versions()
    version = QuestionnaireVersion.objects.get(pk=version.pk)
    with CaptureQueriesContext(connection) as queries:
        english = oscal.catalog(version, "en")
    chinese = oscal.catalog(version, "zh-hans")
    forget_loaded_versions()
    again = oscal.catalog_json(QuestionnaireVersion.objects.get(pk=version.pk), "en")
    content = load_version(version)
    return Exported(
        documents={"en": english, "zh-hans": chinese},
        again=again,
        sections=[(s.code, [q.code for q in s.questions.all()]) for s in content.sections],
        references={
            q.code: [(r.source.code, r.locator_en) for r in q.references.all()]
            for q in content.questions.values()
        },
        queries=len(queries),
    )


@pytest.fixture(scope="module")
def exported(django_db_setup, django_db_blocker) -> dict[str, Exported]:
    """The sample questionnaire and both versions of the default one, exported once for
    this module (importing version 2 takes seconds), in a transaction rolled back after:
    the tests that follow find the database as it was."""
    with django_db_blocker.unblock(), transaction.atomic():
        found = {"sample": export(publish_version(import_questionnaire(SAMPLE.read_text("utf-8"))))}
        for name in ("cn-export-control-icp.yaml", "cn-export-control-icp-v2.yaml"):
            version = publish_version(
                import_questionnaire((DEFAULT_YAML / name).read_text("utf-8"))
            )
            found[f"default-v{version.number}"] = export(version)
        transaction.set_rollback(True)
    forget_loaded_versions()
    return found


DEFAULTS = ["default-v1", "default-v2"]


def test_the_oscal_version_is_the_one_trestle_models():
    assert oscal.OSCAL_VERSION == trestle.oscal.OSCAL_VERSION


@pytest.mark.parametrize("name", ["sample", *DEFAULTS])
@pytest.mark.parametrize("language", oscal.LANGUAGES)
def test_the_catalogs_are_valid_oscal(exported, name, language):
    document = exported[name].documents[language]
    catalog = valid(document)
    assert document["catalog"]["metadata"]["oscal-version"] == oscal.OSCAL_VERSION
    assert len(catalog.groups) == len(exported[name].sections)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda c: c["groups"][0]["controls"][0].update(id="1.1"),  # not a token
        lambda c: c["groups"][0]["controls"][0].update(title="Two\nlines"),
        lambda c: c["groups"][0]["controls"][0].update(question="not OSCAL"),
        lambda c: c["metadata"].pop("last-modified"),
        lambda c: c["groups"][0]["props"][0].update(value=""),
        lambda c: c["back-matter"]["resources"][0].update(uuid="not-a-uuid"),
    ],
    ids=["id", "title", "unknown-field", "missing-field", "empty-value", "uuid"],
)
def test_an_invalid_catalog_fails_validation(exported, mutate):
    """The validation the other tests rely on does refuse a broken document."""
    document = copy.deepcopy(exported["sample"].documents["en"])
    valid(document)
    mutate(document["catalog"])
    with pytest.raises(ValidationError):
        valid(document)


@pytest.mark.parametrize("name", ["sample", *DEFAULTS])
def test_every_section_is_a_group_and_every_question_a_control(exported, name):
    document = exported[name].documents["en"]
    groups = [
        (group["id"], [c["id"] for c in group.get("controls", [])])
        for group in document["catalog"]["groups"]
    ]
    assert groups == [
        (oscal.group_id(section), [oscal.control_id(code) for code in questions])
        for section, questions in exported[name].sections
    ]
    ids = [item["id"] for item in nested(document, "groups")] + [
        c["id"] for c in controls(document)
    ]
    ids += [part["id"] for part in nested(document, "parts") if "id" in part]
    assert len(ids) == len(set(ids))
    # Numbered as the report numbers them.
    assert values(document["catalog"]["groups"][0]["controls"][0], "label") == ["1.1"]


@pytest.mark.parametrize("name", ["sample", *DEFAULTS])
def test_references_are_back_matter_resources_the_controls_link_to(exported, name):
    document = exported[name].documents["en"]
    resources = {r["uuid"]: r for r in document["catalog"]["back-matter"]["resources"]}
    cited = 0
    for code, references in exported[name].references.items():
        links = control(document, oscal.control_id(code)).get("links", [])
        assert [link["rel"] for link in links] == ["reference"] * len(references)
        for link, (source, locator) in zip(links, references, strict=True):
            resource = resources[link["href"].removeprefix("#")]
            assert values(resource, "code") == [source]
            assert resource["citation"]["text"] == resource["title"]
            assert link["text"] == (locator or resource["title"])
            cited += 1
    assert cited > 0


@pytest.mark.parametrize("name", ["sample", "default-v2"])
def test_our_props_and_parts_are_in_our_namespace(exported, name):
    for language in oscal.LANGUAGES:
        document = exported[name].documents[language]
        for prop in nested(document, "props"):
            assert prop.get("ns") == (None if prop["name"] in OSCAL_PROPS else oscal.NS), prop
        for part in nested(document, "parts"):
            assert part.get("ns") == (None if part["name"] in OSCAL_PARTS else oscal.NS), part
    assert oscal.NS == "urn:icp-self-assessment:oscal"  # documented in docs/oscal.md


def test_choices_scores_weights_and_routing_are_props(exported):
    document = exported["sample"].documents["en"]
    signed = control(document, "policy-signed")
    assert values(signed, "question-type") == ["yes_partial_no"]
    assert values(signed, "weight") == ["2"]
    assert values(signed, "critical") == ["true"]
    assert values(signed, "critical-threshold") == ["0.5"]  # the version's
    statement, guidance, recommendation = signed["parts"]
    assert (statement["name"], statement["prose"]) == ("statement", "Is the policy signed?")
    assert (guidance["name"], guidance["prose"]) == ("guidance", "Signed by the CEO.")
    assert recommendation["prose"] == "Have it signed."
    choices = [part for part in statement["parts"] if part["name"] == "choice"]
    assert [(c["title"], values(c, "code"), values(c, "score")) for c in choices] == [
        ("Yes", ["yes"], ["1"]),
        ("Partially", ["partial"], ["0.5"]),
        ("No", ["no"], ["0"]),
    ]
    lists = control(document, "lists")
    none = [part for part in lists["parts"][0]["parts"] if values(part, "code") == ["none"]]
    assert values(none[0], "exclusive") == ["true"]
    follow_up = control(document, "watch-process")
    assert values(follow_up, "show-if-question") == ["lists"]
    assert values(follow_up, "show-if-choice") == ["watch"]
    assert values(follow_up, "na-allowed") == ["true"]
    metadata = document["catalog"]["metadata"]
    assert values(metadata, "score-band") == ["low", "high"]
    assert [p["value"] for p in metadata["props"] if p.get("group") == "band.high"] == [
        "high",
        "High",
        "高",
        "50",
        "100",
    ]


def test_what_to_show_an_auditor_is_an_examine_method(exported):
    document = exported["default-v2"].documents["en"]
    methods = [
        part
        for c in controls(document)
        for part in c["parts"]
        if part["name"] == "assessment-method"
    ]
    assert methods
    for method in methods:
        assert values(method, "method") == ["EXAMINE"]
        assert [part["name"] for part in method["parts"]] == ["assessment-objects"]


def test_routed_sections_carry_their_condition(exported):
    document = exported["default-v2"].documents["en"]
    ids = {c["id"] for c in controls(document)}
    routed = [g for g in document["catalog"]["groups"] if values(g, "show-if-question")]
    assert routed
    for group in routed:
        assert set(values(group, "show-if-question")) <= ids
        assert values(group, "show-if-choice")


@pytest.mark.parametrize("name", ["sample", *DEFAULTS])
def test_the_same_version_always_exports_the_same_document(exported, name):
    english = exported[name].documents["en"]
    assert exported[name].again == oscal.to_bytes(english)
    chinese = exported[name].documents["zh-hans"]
    ours = [english["catalog"]["uuid"], chinese["catalog"]["uuid"]]
    ours += [r["uuid"] for r in english["catalog"]["back-matter"]["resources"]]
    assert {uuid.UUID(value).version for value in ours} == {5}
    # Another language is another document, citing the same resources.
    assert english["catalog"]["uuid"] != chinese["catalog"]["uuid"]
    assert [r["uuid"] for r in english["catalog"]["back-matter"]["resources"]] == [
        r["uuid"] for r in chinese["catalog"]["back-matter"]["resources"]
    ]


def test_each_catalog_is_in_one_language_with_the_other_beside_it(exported):
    english = exported["default-v2"].documents["en"]
    chinese = exported["default-v2"].documents["zh-hans"]
    assert [values(doc["catalog"]["metadata"], "language") for doc in (english, chinese)] == [
        ["en"],
        ["zh-hans"],
    ]
    for ours, other, theirs in ((english, "zh-hans", chinese), (chinese, "en", english)):
        for mine, translated in zip(controls(ours), controls(theirs), strict=True):
            assert mine["id"] == translated["id"]
            statement = mine["parts"][0]
            translation = next(p for p in statement["parts"] if p["name"] == "translation")
            assert translation["class"] == other
            assert translation["prose"] == translated["parts"][0]["prose"]
    assert all(CHINESE.search(c["title"]) for c in controls(chinese))
    assert not any(CHINESE.search(c["title"]) for c in controls(english))
    assert CHINESE.search(chinese["catalog"]["metadata"]["title"])
    title = [p for p in english["catalog"]["metadata"]["props"] if p["name"] == "title"]
    assert title[0]["class"] == "zh-hans" and CHINESE.search(title[0]["value"])


def test_the_queries_do_not_grow_with_the_questionnaire(exported):
    sample, default = exported["sample"], exported["default-v2"]
    assert len(controls(default.documents["en"])) > 10 * len(controls(sample.documents["en"]))
    assert default.queries == sample.queries


def test_a_code_that_is_not_an_oscal_token_gets_an_id_that_is(db):
    choices = default_choices("yes_partial_no")
    document = QuestionnaireDocument(
        slug="tokens",
        title=Text("Tokens", "记号"),
        score_bands=[BandDocument("0", Decimal(0), Decimal(100), Text("All", "全部"))],
        sections=[
            SectionDocument(
                "010",
                Text("Digits", "数字"),
                questions=[
                    QuestionDocument("010", "yes_partial_no", Text("A?", "甲？"), choices=choices),
                    QuestionDocument(
                        "-x",
                        "yes_partial_no",
                        Text("B?", "乙？"),
                        choices=choices,
                        show_if=ShowIf("010", ["yes"]),
                    ),
                    QuestionDocument("same", "yes_partial_no", Text("C?", "丙？"), choices=choices),
                ],
            ),
            SectionDocument(
                "same",
                Text("Same", "同"),
                questions=[QuestionDocument("d", "text", Text("D?", "丁？"))],
            ),
        ],
    )
    document = oscal.catalog(publish_version(create_version(document)))
    valid(document)
    assert [g["id"] for g in document["catalog"]["groups"]] == ["section.010", "section.same"]
    assert [c["id"] for c in controls(document)] == ["question.010", "question.-x", "same", "d"]
    assert values(control(document, "question.-x"), "show-if-question") == ["question.010"]
    assert "back-matter" not in document["catalog"]  # no source, no methodology


def test_a_draft_is_exported_as_a_draft(db):
    draft = import_questionnaire(SAMPLE.read_text("utf-8"))
    document = oscal.catalog(draft, "zh-hans")
    valid(document)
    metadata = document["catalog"]["metadata"]
    assert values(metadata, "status") == ["draft"]
    assert values(metadata, "content-sha256") == [content_digest(draft)]
    assert "published" not in metadata


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError):
        oscal.catalog(QuestionnaireVersion(), "fr")


def test_the_app_does_not_import_trestle():
    """compliance-trestle is a test dependency: the app writes plain JSON."""
    root = Path(compliance.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text("utf-8")
        if "trestle" not in source:
            continue
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(name.split(".")[0] == "trestle" for name in names), path


# The admin's download.


def catalog_url(version: QuestionnaireVersion) -> str:
    return reverse("admin:questionnaires_questionnaireversion_oscal", args=[version.pk])


def test_staff_download_the_catalog_from_the_version_page(client, sample_version):
    client.force_login(questionnaire_editor())
    page = client.get(
        reverse("admin:questionnaires_questionnaireversion_change", args=[sample_version.pk])
    ).content.decode()
    assert f'href="{catalog_url(sample_version)}?lang=zh-hans"' in page
    response = client.get(catalog_url(sample_version) + "?lang=zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == (
        'attachment; filename="sample-icp-v1-zh-hans.oscal.json"'
    )
    document = json.loads(response.content)
    valid(document)
    assert document == oscal.catalog(sample_version, "zh-hans")
    assert document["catalog"]["metadata"]["title"] == "内部合规机制样例"
    # Without a language: the admin's own.
    english = json.loads(client.get(catalog_url(sample_version) + "?lang=xx").content)
    assert english["catalog"]["metadata"]["title"] == "Sample ICP check"


def test_only_staff_with_access_to_versions_can_download(client, sample_version):
    client.force_login(UserFactory())
    response = client.get(catalog_url(sample_version))
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(UserFactory(is_staff=True))  # staff, but no right to see versions
    assert client.get(catalog_url(sample_version)).status_code == 403
    client.logout()
    assert client.get(catalog_url(sample_version)).status_code == 302
