"""Fixtures shared by several test files: the download tests' ``server`` and ``data_dir`` (see download_testing)."""

pytest_plugins = ["download_testing"]
