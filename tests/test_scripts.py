"""The scripts are safe to import: a PDF render's child process (a multiprocessing
forkserver child) runs the main script again as ``__mp_main__``, and the benchmark's
module-level set-up once emptied its own database that way, under the running benchmark."""

import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent.parent / "scripts"
CHECK = """
import runpy, sys
sys.path.insert(0, {scripts!r})
runpy.run_path({script!r}, run_name="__mp_main__")
from django.conf import settings
assert not settings.configured, "importing the script set Django up"
assert "benchmarks" not in sys.modules, "importing the script ran the benchmarks' set-up"
print("quiet")
"""


@pytest.mark.parametrize("script", ["bench.py", "loadtest.py"])
def test_importing_a_script_as_multiprocessing_does_changes_nothing(script):
    code = CHECK.format(scripts=str(SCRIPTS), script=str(SCRIPTS / script))
    env = {"PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "quiet"
