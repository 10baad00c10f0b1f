"""Set-up falls back to pip, saying so in one line, when uv can be neither found nor installed.

The package index is switched off for pip, so installing uv fails at once, as it would where the
index has no uv; set-up then tries pip, which fails on the lock for the same reason, and stops
naming that step. A copy of the set-up files in a temporary folder keeps the real .venv untouched.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from cfcourse.paths import REPOSITORY_ROOT


@pytest.mark.skipif(os.name == "nt", reason="the empty PATH below is written for Unix")
def test_no_uv_anywhere_falls_back_to_pip_with_one_line(tmp_path):
    for name in ["pyproject.toml", "requirements.lock", "scripts/setup_course.py"]:
        (tmp_path / name).parent.mkdir(exist_ok=True)
        shutil.copy(REPOSITORY_ROOT / name, tmp_path / name)
    (tmp_path / "bin").mkdir()  # a PATH with no uv on it
    no_index = {"PATH": str(tmp_path / "bin"), "PIP_NO_INDEX": "1", "PIP_CONFIG_FILE": os.devnull,
                "PIP_FIND_LINKS": "", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    result = subprocess.run([sys.executable, str(tmp_path / "scripts" / "setup_course.py"),
                             "--python", sys.executable], capture_output=True, text=True, env=no_index, timeout=300)
    assert result.returncode == 1
    fallback = [line for line in result.stdout.splitlines() if "installing with pip instead" in line]
    assert len(fallback) == 1, result.stdout
    assert fallback[0].startswith("uv ") and "could not be installed" in fallback[0]
    [stopped] = result.stderr.strip().splitlines()[-1:]
    assert "pip install --quiet -r" in stopped and "requirements.lock" in stopped
