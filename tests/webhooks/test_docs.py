"""docs/webhooks.md's verification snippet, run as written against a real delivery."""

import re
from pathlib import Path

from compliance.webhooks.signing import sign

DOC = Path(__file__).resolve().parents[2] / "docs" / "webhooks.md"


def snippet():
    code = re.search(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)[1]
    namespace: dict = {}
    exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102 (the project's own doc)
    return namespace["verified"]


def test_the_snippet_accepts_a_delivery_and_refuses_a_changed_one():
    verified = snippet()
    body = b'{"event": "ping"}'
    header = sign("s3cret", body)
    assert verified("s3cret", body, header)
    assert not verified("s3cret", body + b" ", header)
    assert not verified("other", body, header)
    assert not verified("s3cret", body, sign("s3cret", body, now=1))
