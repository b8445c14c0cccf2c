"""Fuzzing the admin's questionnaire import with mutated and hostile YAML files."""

from __future__ import annotations

import pytest
import yaml
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from compliance.questionnaires.models import (
    Choice,
    Question,
    QuestionnaireVersion,
    Reference,
    ScoreBand,
    Section,
    Source,
)
from tests.factories import SAMPLE
from tests.security.checks import assert_escaped, assert_fits, assert_only_changed, row_counts
from tests.security.fuzzing import (
    CHARS,
    QUESTIONNAIRE_TABLES,
    TEXTS,
    TRIED,
    VALID_TEXTS,
    answered,
    fuzz,
    rolled_back,
)

pytestmark = pytest.mark.django_db


# ------------------------------------------------------------------------ admin import


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from _paths(value, (*prefix, index))


SAMPLE_DATA = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
SAMPLE_PATHS = list(_paths(SAMPLE_DATA))
YAML_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**30), 10**30),
    st.floats(),
    st.dates(),
    TEXTS,
    st.text(st.sampled_from("abcyes-_中 .:#&*!|>'\"%@`{}[]"), max_size=90),
)
YAML_VALUES = st.recursive(
    YAML_SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(CHARS, max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _mutated(mutations: list[tuple[int, bool, object, str, int]]) -> bytes:
    """The sample with some of its values replaced: by one of the same kind (a text by a
    text, a number by a number), which may well be imported, or by anything at all."""
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for index, same_kind, anything, text, number in mutations:
        path = SAMPLE_PATHS[index % len(SAMPLE_PATHS)]
        parent = {"root": document}
        path = ("root", *path)
        try:
            for part in path[:-1]:
                parent = parent[part]
            old = parent[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation replaced this part of the tree
        if same_kind and isinstance(old, str):
            parent[path[-1]] = text
        elif same_kind and isinstance(old, int | float) and not isinstance(old, bool):
            parent[path[-1]] = number
        else:
            parent[path[-1]] = anything
        document = parent["root"] if path == ("root",) else document
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


#: Where the sample holds a text a respondent reads (an English or a Chinese text).
TEXT_PATHS = [path for path in SAMPLE_PATHS if path and path[-1] in ("en", "zh-hans")]


def _with_texts(replacements: list[tuple[tuple, str]]) -> bytes:
    """The sample with some of its texts replaced: a file that is imported."""
    document = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    for path, text in replacements:
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        parent[path[-1]] = text
    return yaml.safe_dump(document, allow_unicode=True, sort_keys=False).encode()


IMPORTABLE = st.lists(
    st.tuples(st.sampled_from(TEXT_PATHS), VALID_TEXTS), min_size=1, max_size=4
).map(_with_texts)
YAML_FILES = st.one_of(
    IMPORTABLE,
    IMPORTABLE,  # twice: a third of the files are imported, and shown in the admin
    st.lists(
        st.tuples(
            st.integers(0, 10**6),
            st.booleans(),
            YAML_VALUES,
            st.one_of(VALID_TEXTS, TEXTS),
            st.one_of(st.integers(0, 3), st.integers(-(10**30), 10**30)),
        ),
        min_size=1,
        max_size=3,
    ).map(_mutated),
    st.binary(max_size=3000),
    st.text(CHARS, max_size=500).map(lambda text: text.encode()),
    st.integers(1, 20_000).map(lambda depth: ("[" * depth + "]" * depth).encode()),
    st.integers(1, 20_000).map(lambda depth: ("{a: " * depth + "1" + "}" * depth).encode()),
)


def check_imported(version: QuestionnaireVersion) -> None:
    """What an import stored is what the admin's own forms would accept."""
    rows = [version.questionnaire, version]
    for model in (Section, Question, ScoreBand, Source):
        rows += list(model._base_manager.filter(version=version))
    rows += list(Choice._base_manager.filter(question__version=version))
    rows += list(Reference._base_manager.filter(question__version=version))
    assert_fits(*rows)


@fuzz("admin YAML import", 60)
@given(
    content=YAML_FILES,
    name=st.sampled_from(["q.yaml", "../../etc/passwd", "<script>.yml", "问卷.yaml", "q"]),
)
def test_admin_yaml_import(world, content, name):
    TRIED["admin YAML import"] += 1
    with rolled_back():
        client = world.clients["staff"]
        versions = set(QuestionnaireVersion.objects.values_list("pk", flat=True))
        before = row_counts()
        response = answered(
            "admin YAML import",
            client.post(
                reverse("admin:questionnaires_questionnaire_import"),
                {"file": SimpleUploadedFile(name, content)},
            ),
        )
        assert response.status_code in (200, 302)
        if response.status_code == 302:
            version = QuestionnaireVersion.objects.exclude(pk__in=versions).get()
            assert version.is_draft
            check_imported(version)
            assert_only_changed(before, QUESTIONNAIRE_TABLES | {"sessions.Session"})
            for view in ("preview", "export"):
                shown = client.get(
                    reverse(f"admin:questionnaires_questionnaireversion_{view}", args=[version.pk])
                )
                assert shown.status_code == 200
                if view == "preview":
                    assert_escaped(shown.content.decode())
        else:
            page = response.content.decode()
            assert "nothing was changed" in page or 'class="errorlist' in page
            assert_only_changed(before)
            assert_escaped(page)
