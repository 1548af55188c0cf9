"""The generated docs must match the catalog: a stale page fails the build."""

import os
import subprocess
import sys

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def test_generated_docs_are_current():
    proc = subprocess.run([sys.executable, os.path.join(REPO, "tools", "gen_docs.py"), "--check"],
                          capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
