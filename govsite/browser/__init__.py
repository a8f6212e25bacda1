"""Accessibility browser gate: axe-core in headless Chromium (no Pelican dependency)."""

from govsite.browser.chromium import BrowserUnavailable
from govsite.browser.gate import (
    VIEWS,
    AxeIssue,
    PageResult,
    View,
    cache_key,
    chinese_message,
    run_browser_gate,
)

__all__ = [
    "VIEWS",
    "AxeIssue",
    "BrowserUnavailable",
    "PageResult",
    "View",
    "cache_key",
    "chinese_message",
    "run_browser_gate",
]
