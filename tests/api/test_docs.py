"""docs/api.md's curl examples, run as written against a running server: each gives the
status its comment says, so the documentation cannot drift from the API."""

import os
import re
import subprocess
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"
BLOCK = re.compile(r"```sh\n(.*?)```", re.DOTALL)


def examples() -> list[tuple[int, str]]:
    found = []
    for block in BLOCK.findall(DOC.read_text(encoding="utf-8")):
        lines = block.strip().splitlines()
        if not lines or not lines[0].startswith("# "):
            continue
        found.append((int(lines[0][2:].split()[0]), "\n".join(lines[1:])))
    return found


def test_the_doc_has_an_example_of_every_endpoint():
    commands = " ".join(command for _status, command in examples())
    for path in (
        "/api/v1/organisations/",
        "/api/v1/assessments/",
        "/api/v1/assessments/$ASSESSMENT/",
        "/answers/",
        "/api/v1/actions/",
        "-X PATCH",
        "/api/v1/evidence/",
        "/content/",
        "/api/v1/questionnaires/",
        "/api/v1/schema/",
    ):
        assert path in commands, path


@pytest.mark.skipif(not Path("/usr/bin/curl").exists(), reason="needs curl")
def test_every_curl_example_gives_its_status(transactional_db, live_server, world, tmp_path):
    from django.test import Client

    assessment = world["submitted"]
    etag = Client().get(
        f"/api/v1/assessments/{assessment.uuid}/", HTTP_AUTHORIZATION=f"Bearer {world['read']}"
    )["ETag"]
    environment = {
        **os.environ,
        "BASE": live_server.url,
        "TOKEN": world["read"],
        "WRITE_TOKEN": world["write"],
        "FILES_TOKEN": world["files"],
        "ASSESSMENT": str(assessment.uuid),
        "ACTION": str(world["action"].uuid),
        "FILE": str(world["evidence"].files.get().uuid),
        "QUESTIONNAIRE": "sample-icp/1",
        "ETAG": etag,
    }
    # Each example as written, its status written last on a line of its own.
    wrapper = "curl() { command curl -sS -w '\\n%{http_code}' \"$@\"; }\n"
    ran = examples()
    assert len(ran) >= 12
    for status, command in ran:
        result = subprocess.run(
            ["/bin/bash", "-c", wrapper + command],
            env=environment,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0, (command, result.stderr)
        assert result.stdout.rsplit("\n", 1)[-1] == str(status), (command, result.stdout[-500:])
    from tests.evidence.files import ALLOWED

    assert (tmp_path / "policy.pdf").read_bytes() == ALLOWED["policy.pdf"]
