"""/healthz answers 200 when the database does and 503 when it does not."""

import json

from tests.processes import run_python


def test_healthz_is_ok_when_the_database_answers(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_is_503_when_the_database_is_unreachable(tmp_path):
    # A real unreachable database: SQLite cannot open a file in a folder that does not exist.
    unreachable = f"sqlite:///{tmp_path}/missing-folder/db.sqlite3"
    result = run_python(
        "import json\n"
        "from django.test import Client\n"
        "r = Client().get('/healthz', HTTP_HOST='127.0.0.1')\n"
        "print(json.dumps({'status': r.status_code, 'body': r.json()}))\n",
        DEBUG="1",
        DATABASE_URL=unreachable,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome == {"status": 503, "body": {"status": "error", "database": "unavailable"}}
