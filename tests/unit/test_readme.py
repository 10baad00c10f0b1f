"""The README's list of commands is what `make help` prints."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from cfcourse.paths import REPOSITORY_ROOT
from course_testing import outside_make


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_the_readme_lists_every_make_target_as_make_help_does():
    listed = subprocess.run(["make", "--no-print-directory", "-s", "help"], cwd=REPOSITORY_ROOT, env=outside_make(),
                            capture_output=True, text=True, check=True)
    readme = (REPOSITORY_ROOT / "README.md").read_text()
    assert listed.stdout in readme
