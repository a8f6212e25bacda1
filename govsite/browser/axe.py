"""Run axe-core (pinned in the repo's package.json) on the page a driver has loaded.

The script is injected through axe-selenium-python's ``Axe(driver, script_url=...)``
so the exact axe-core version comes from ``node_modules`` (``npm ci``), not from
whatever copy the Python wheel bundles. Messages are localised with axe's
``locales/zh_CN.json``. ``$GOVSITE_AXE_JS`` may point at another ``axe.min.js``;
its locale is then looked up in ``<dir of axe.min.js>/locales/zh_CN.json``.
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

from axe_selenium_python import Axe
from selenium.webdriver.remote.webdriver import WebDriver

from govsite.browser.chromium import BrowserUnavailable

__all__ = [
    "RESULT_TYPES",
    "WCAG_TAGS",
    "axe_js_path",
    "axe_locale",
    "axe_version",
    "run_axe",
]

REPO_ROOT = Path(__file__).resolve().parents[2]
WCAG_TAGS: tuple[str, ...] = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
RESULT_TYPES: tuple[str, ...] = ("violations", "incomplete")

# Returns only what AxeIssue needs: full axe results (passes etc.) are large
# and would be serialised over the WebDriver wire for nothing.
_RUN_JS = """
var options = arguments[0], done = arguments[arguments.length - 1];
function slim(rules) {
  return rules.map(function (r) {
    return {id: r.id, impact: r.impact, help: r.help, description: r.description,
            helpUrl: r.helpUrl,
            nodes: r.nodes.map(function (n) {
              return {target: n.target, html: n.html, impact: n.impact};
            })};
  });
}
axe.run(document, options).then(function (r) {
  done({violations: slim(r.violations), incomplete: slim(r.incomplete)});
}, function (e) { done({error: String(e && e.stack || e)}); });
"""


def axe_js_path() -> Path:
    """Path of ``axe.min.js``: ``$GOVSITE_AXE_JS`` or ``<repo>/node_modules/axe-core/axe.min.js``."""
    override = os.environ.get("GOVSITE_AXE_JS")
    path = Path(override) if override else REPO_ROOT / "node_modules" / "axe-core" / "axe.min.js"
    if not path.is_file():
        raise BrowserUnavailable(
            f"未找到 axe-core 脚本：{path}。请在仓库根目录运行 `npm ci` 安装 package.json 中锁定的 axe-core。\n"
            f"axe-core not found at {path}. Run `npm ci` in the repository root "
            "(or set GOVSITE_AXE_JS to an axe.min.js)."
        )
    return path


def _locale_path(js: Path) -> Path:
    return js.parent / "locales" / "zh_CN.json"


@functools.lru_cache(maxsize=4)
def _read_version(js: str, mtime_ns: int) -> str:
    with open(js, encoding="utf-8") as fh:
        head = fh.read(200)
    match = re.search(r"axe v(\d+\.\d+\.\d+\S*)", head)
    if not match:
        raise BrowserUnavailable(f"无法识别 axe-core 版本：{js}\nCannot read the axe-core version header of {js}.")
    return match.group(1)


def axe_version() -> str:
    """axe-core version from the banner of the ``axe.min.js`` in use (part of the cache key)."""
    js = axe_js_path()
    return _read_version(str(js), js.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _read_locale(path: str, mtime_ns: int) -> dict[str, Any]:
    with open(path, encoding="utf-8") as fh:
        data: dict[str, Any] = json.load(fh)
    return data


def axe_locale() -> dict[str, Any]:
    """axe's zh_CN locale object (for ``axe.configure({locale})``)."""
    path = _locale_path(axe_js_path())
    if not path.is_file():
        raise BrowserUnavailable(
            f"未找到 axe-core 中文语言包：{path}。请运行 `npm ci`。\n"
            f"axe-core zh_CN locale not found at {path}. Run `npm ci`."
        )
    return _read_locale(str(path), path.stat().st_mtime_ns)


def run_axe(driver: WebDriver, tags: tuple[str, ...] = WCAG_TAGS) -> dict[str, list[dict[str, Any]]]:
    """Inject axe into the loaded page, switch it to zh_CN, run the WCAG 2.1 A/AA rules.

    Returns ``{"violations": [...], "incomplete": [...]}`` (axe's rule objects,
    trimmed to id/impact/help/description/helpUrl/nodes[target, html, impact]).
    Bounded by the driver's script timeout (raises ``TimeoutException``).
    """
    Axe(driver, script_url=str(axe_js_path())).inject()
    driver.execute_script("axe.configure({locale: arguments[0]});", axe_locale())
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": list(RESULT_TYPES)}
    result = driver.execute_async_script(_RUN_JS, options)
    if not isinstance(result, dict) or "error" in result:
        detail = result.get("error") if isinstance(result, dict) else repr(result)
        raise RuntimeError(f"axe.run failed: {detail}")
    return {"violations": result.get("violations") or [], "incomplete": result.get("incomplete") or []}
