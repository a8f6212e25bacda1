"""Browser-gate test setup: the ``browser`` marker and the skip/fail policy.

Browser tests are skipped only on a developer machine without Chromium; when
``CI`` is set they always run (and fail loudly if Chromium is missing).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from govsite.browser.chromium import chromium_paths, remote_url


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "browser: drives a real headless Chromium")


def _ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    chromium = Path(chromium_paths()[0])
    if remote_url() or chromium.exists() or _ci():
        return  # in CI a missing browser must surface as BrowserUnavailable failures, not skips
    skip = pytest.mark.skip(
        reason=f"Chromium not found at {chromium} (apt-get install chromium chromium-driver); set CI=1 to make this fatal"
    )
    for item in items:
        if item.get_closest_marker("browser") is not None:
            item.add_marker(skip)
