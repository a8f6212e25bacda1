"""Accessibility browser gate: run axe-core in headless Chromium over built pages.

The build calls :func:`run_browser_gate` with the output directory and a list of
``(relative path, view)`` targets. The output directory is served over HTTP on
``127.0.0.1`` (random port) for the duration of the call; ``workers`` browser
instances take targets from a shared queue. A page that hangs or crashes the
browser becomes a :class:`PageResult` with ``error`` set (``"timeout"`` for
hangs) and the browser is replaced, so one bad page never stalls the build.

Results for unchanged inputs are cached on disk; see :func:`cache_key`.

Remote Grid (``GOVSITE_SELENIUM_REMOTE``): the Grid's browsers must be able to
reach the pages, so set ``GOVSITE_GATE_SERVE_HOST`` to an address/hostname of
this machine that the Grid can reach (it is both the bind address and the URL
host; default ``127.0.0.1``).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.server
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urljoin, urlsplit

import urllib3.exceptions
from selectolax.lexbor import LexborHTMLParser
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.remote.webdriver import WebDriver

from govsite.browser import axe as axe_mod
from govsite.browser import chromium
from govsite.browser.chromium import BrowserUnavailable

__all__ = [
    "AxeIssue",
    "BrowserUnavailable",
    "IMPACT_ZH",
    "PageResult",
    "VIEWS",
    "View",
    "cache_key",
    "chinese_message",
    "referenced_assets",
    "run_browser_gate",
]

# Bump when the cached payload or the way results are produced changes.
CACHE_SCHEMA = "govsite-browser-gate/1"
# Seconds past page_timeout before the watchdog hard-kills a wedged browser
# (chromedriver itself can stop answering when a renderer spins forever).
WATCHDOG_GRACE = 3.0
_HTML_SNIPPET_MAX = 400
_SITE = "http://site.invalid"  # placeholder origin for resolving page-relative URLs


@dataclass(frozen=True)
class View:
    name: str
    width: int
    height: int
    mobile: bool = False  # Chrome mobile emulation (touch, DPR 3, mobile UA, layout viewport)
    care: bool = False  # 关怀版 (elder-friendly) mode of the theme

    @property
    def profile(self) -> tuple[int, int, bool]:
        """Browser launch settings; views sharing a profile can reuse one browser."""
        return (self.width, self.height, self.mobile)


VIEWS: dict[str, View] = {
    "desktop": View("desktop", 1280, 900),
    "mobile": View("mobile", 375, 812, mobile=True),
    "care": View("care", 1280, 900, care=True),
}


@dataclass(frozen=True)
class AxeIssue:
    rule_id: str
    impact: str | None  # critical | serious | moderate | minor | None
    help: str  # zh_CN text from axe's locale
    description: str
    help_url: str
    selector: str
    html_snippet: str
    kind: str  # "violation" | "incomplete"


@dataclass
class PageResult:
    path: str  # output-relative, e.g. "news/2026/xxx.html"
    view: str
    issues: list[AxeIssue] = field(default_factory=list)
    error: str | None = None  # "timeout" or a crash/infra message; the page was not checked
    cached: bool = False
    elapsed: float = 0.0  # seconds spent in the browser (load + axe); 0 for cache hits

    @property
    def violations(self) -> list[AxeIssue]:
        return [i for i in self.issues if i.kind == "violation"]

    @property
    def incomplete(self) -> list[AxeIssue]:
        return [i for i in self.issues if i.kind == "incomplete"]


IMPACT_ZH: dict[str, str] = {"critical": "严重", "serious": "重大", "moderate": "中等", "minor": "轻微"}


def chinese_message(issue: AxeIssue) -> str:
    """One Chinese sentence for build output, e.g. ``【严重】图像必须有替代文本（规则 image-alt），位置：img.logo``."""
    level = IMPACT_ZH.get(issue.impact or "", "未定级")
    prefix = "需人工复核：" if issue.kind == "incomplete" else ""
    return f"【{level}】{prefix}{issue.help}（规则 {issue.rule_id}），位置：{issue.selector or '页面'}"


# ---------------------------------------------------------------- cache key


def _normalise_path(path: str) -> str:
    return path.replace("\\", "/").lstrip("/")


def _page_file(output_dir: Path, rel_path: str) -> Path:
    page = output_dir / rel_path
    if rel_path == "" or rel_path.endswith("/") or page.is_dir():
        page = page / "index.html"
    return page


def _local_file(output_dir: Path, url: str) -> Path | None:
    """Map a resolved same-site URL to a file under output_dir (None if external/outside)."""
    parts = urlsplit(url)
    if f"{parts.scheme}://{parts.netloc}" != _SITE:
        return None
    rel = unquote(parts.path).lstrip("/")
    candidate = (output_dir / rel).resolve()
    root = output_dir.resolve()
    if candidate != root and root not in candidate.parents:
        return None
    return candidate


def _html_asset_urls(html: bytes, page_url: str) -> list[str]:
    tree = LexborHTMLParser(html.decode("utf-8", errors="replace"))
    base = page_url
    base_node = tree.css_first("base[href]")
    if base_node is not None and base_node.attributes.get("href"):
        base = urljoin(page_url, base_node.attributes["href"] or "")
    urls: list[str] = []
    for node in tree.css("link[rel][href], script[src]"):
        attrs = node.attributes
        if node.tag == "link":
            if "stylesheet" not in (attrs.get("rel") or "").lower().split():
                continue
            ref = attrs.get("href")
        else:
            ref = attrs.get("src")
        if ref and not ref.strip().lower().startswith(("data:", "javascript:")):
            urls.append(urljoin(base, ref.strip()).split("#", 1)[0])
    return urls


_CSS_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.I)


def referenced_assets(output_dir: Path, rel_path: str, html: bytes | None = None) -> list[tuple[str, Path | None]]:
    """Same-site CSS/JS a page pulls in, as ``(url path, file or None if missing)``.

    Covers ``<link rel=stylesheet href>``, ``<script src>`` and CSS ``@import``
    (recursively). External URLs are ignored: the gate browser cannot load them.
    """
    rel_path = _normalise_path(rel_path)
    if html is None:
        html = _page_file(output_dir, rel_path).read_bytes()
    todo = _html_asset_urls(html, f"{_SITE}/{quote(rel_path)}")
    seen: set[str] = set()
    out: list[tuple[str, Path | None]] = []
    while todo:
        url = todo.pop(0)
        key = url.split("?", 1)[0]
        if key in seen:
            continue
        seen.add(key)
        path = _local_file(output_dir, key)
        if path is None:
            continue
        exists = path.is_file()
        out.append((urlsplit(key).path, path if exists else None))
        if exists and path.suffix.lower() == ".css":
            css = path.read_bytes().decode("utf-8", errors="replace")
            todo.extend(urljoin(key, m.group(1)) for m in _CSS_IMPORT.finditer(css))
    return out


def cache_key(output_dir: Path, rel_path: str, view: str, axe_version: str | None = None) -> str:
    """sha256 over page bytes + bytes of each same-site CSS/JS it references + view + axe-core version.

    Also folds in the view geometry, the WCAG tag set and :data:`CACHE_SCHEMA`,
    so changing how the gate runs invalidates old entries.
    """
    rel_path = _normalise_path(rel_path)
    version = axe_version if axe_version is not None else axe_mod.axe_version()
    spec = VIEWS[view]
    html = _page_file(output_dir, rel_path).read_bytes()
    digest = hashlib.sha256()

    def feed(label: str, data: bytes) -> None:
        # Length-prefixed so concatenations can't collide.
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    feed("schema", CACHE_SCHEMA.encode())
    feed("axe", version.encode())
    feed("tags", ",".join(axe_mod.WCAG_TAGS).encode())
    feed("view", json.dumps(asdict(spec), sort_keys=True).encode())
    feed("page", html)
    for url, path in referenced_assets(output_dir, rel_path, html):
        feed("asset", url.encode())
        feed("bytes", path.read_bytes() if path is not None else b"\0missing")
    return digest.hexdigest()


def _cache_load(cache_dir: Path, key: str, rel_path: str, view: str) -> PageResult | None:
    try:
        data = json.loads((cache_dir / f"{key}.json").read_text(encoding="utf-8"))
        if data.get("schema") != CACHE_SCHEMA:
            return None
        issues = [AxeIssue(**item) for item in data["issues"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None  # absent or corrupt entry: just re-run the page
    return PageResult(path=rel_path, view=view, issues=issues, error=None, cached=True)


def _cache_store(cache_dir: Path, key: str, result: PageResult, version: str) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    payload = {
        "schema": CACHE_SCHEMA,
        "axe": version,
        "path": result.path,
        "view": result.view,
        "issues": [asdict(i) for i in result.issues],
    }
    tmp = cache_dir / f".{key}.{os.getpid()}.{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(tmp, cache_dir / f"{key}.json")  # atomic: concurrent builds never read half a file


# ---------------------------------------------------------------- HTTP server


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # killed browsers reset connections mid-response; that's expected noise


@contextlib.contextmanager
def _serve(output_dir: Path) -> Iterator[str]:
    host = os.environ.get("GOVSITE_GATE_SERVE_HOST", "").strip() or "127.0.0.1"
    handler = functools.partial(_QuietHandler, directory=str(output_dir))
    server = _QuietServer((host, 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="govsite-gate-http", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


# ---------------------------------------------------------------- workers


def _selector(target: Any) -> str:
    # axe targets: list of CSS selectors (one per iframe level); shadow DOM levels are nested lists.
    if isinstance(target, list):
        return " >>> ".join(_selector(t) for t in target)
    return str(target)


def _issues(raw: dict[str, list[dict[str, Any]]]) -> list[AxeIssue]:
    issues: list[AxeIssue] = []
    for kind, key in (("violation", "violations"), ("incomplete", "incomplete")):
        for rule in raw.get(key, []):
            for node in rule.get("nodes") or []:
                issues.append(
                    AxeIssue(
                        rule_id=str(rule.get("id", "")),
                        impact=node.get("impact") or rule.get("impact"),
                        help=str(rule.get("help", "")),
                        description=str(rule.get("description", "")),
                        help_url=str(rule.get("helpUrl", "")),
                        selector=_selector(node.get("target") or []),
                        html_snippet=str(node.get("html") or "")[:_HTML_SNIPPET_MAX],
                        kind=kind,
                    )
                )
    issues.sort(key=lambda i: (i.kind != "violation", i.rule_id, i.selector, i.html_snippet))
    return issues


def _page_url(base: str, rel_path: str, view: View) -> str:
    url = f"{base}/{quote(rel_path, safe='/')}"
    return f"{url}?mode=care" if view.care else url


def _error_text(exc: BaseException) -> str:
    text = str(getattr(exc, "msg", None) or exc).strip()
    first = text.splitlines()[0] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


@dataclass
class _Run:
    base_url: str
    host: str
    page_timeout: float
    work: queue.Queue[tuple[str, View]]
    out: queue.Queue[PageResult | BaseException]
    stop: threading.Event
    started_any: threading.Event


def _check_page(driver: WebDriver, url: str, view: View, page_timeout: float) -> list[AxeIssue]:
    start = time.monotonic()
    driver.get(url)  # bounded by the page-load timeout
    if view.care:
        # The theme switches on ?mode=care; forcing the class too keeps the view
        # meaningful even if its JS failed or runs later.
        driver.execute_script("document.documentElement.classList.add('care');")
    remaining = page_timeout - (time.monotonic() - start)
    if remaining <= 0:
        raise TimeoutException("page budget used up by page load")
    driver.set_script_timeout(remaining)  # axe gets what is left of the per-page budget
    issues = _issues(axe_mod.run_axe(driver))
    # Browsers are reused across pages on one origin: don't let the care view's
    # stored mode (localStorage govsite-mode) leak into the next desktop page.
    driver.execute_script("try { localStorage.clear(); sessionStorage.clear(); } catch (e) {}")
    return issues


def _worker(run: _Run) -> None:
    driver: WebDriver | None = None
    profile: tuple[int, int, bool] | None = None
    try:
        while not run.stop.is_set():
            try:
                rel_path, view = run.work.get_nowait()
            except queue.Empty:
                return
            if driver is not None and profile != view.profile:
                chromium.quit_driver(driver)
                driver = None
            if driver is None:
                try:
                    driver = chromium.new_driver(
                        width=view.width,
                        height=view.height,
                        mobile=view.mobile,
                        page_load_timeout=run.page_timeout,
                        script_timeout=run.page_timeout,
                        offline_except=run.host,
                    )
                except BrowserUnavailable as exc:
                    if not run.started_any.is_set():
                        run.out.put(exc)  # no browser ever came up: abort the gate loudly
                        return
                    run.out.put(PageResult(rel_path, view.name, error=f"浏览器启动失败 browser start failed: {exc}"))
                    continue
                run.started_any.set()
                profile = view.profile

            fired = threading.Event()
            hung = driver

            def on_timeout(d: WebDriver = hung, flag: threading.Event = fired) -> None:
                flag.set()
                chromium.kill_driver(d)

            watchdog = threading.Timer(run.page_timeout + WATCHDOG_GRACE, on_timeout)
            watchdog.daemon = True
            watchdog.start()
            started = time.monotonic()
            try:
                issues = _check_page(driver, _page_url(run.base_url, rel_path, view), view, run.page_timeout)
                result = PageResult(rel_path, view.name, issues=issues)
            except Exception as exc:
                timed_out = fired.is_set() or isinstance(exc, TimeoutException | urllib3.exceptions.TimeoutError)
                result = PageResult(rel_path, view.name, error="timeout" if timed_out else _error_text(exc))
            finally:
                watchdog.cancel()
            result.elapsed = round(time.monotonic() - started, 3)
            if result.error is not None:
                # A timed-out or crashed browser is in an unknown state; a graceful
                # quit could itself hang on a wedged chromedriver, so hard-stop it.
                chromium.kill_driver(driver)
                driver = None
            run.out.put(result)
    except BaseException as exc:  # a bug here must not leave the gate waiting forever
        run.out.put(exc)
    finally:
        if driver is not None:
            chromium.quit_driver(driver)


def run_browser_gate(
    output_dir: Path,
    targets: list[tuple[str, str]],
    cache_dir: Path | None,
    workers: int = 2,
    page_timeout: float = 30.0,
    progress: Callable[[int, int], None] | None = None,
) -> list[PageResult]:
    """Check each ``(relative path, view)`` target with axe-core; results sorted by (path, view).

    Duplicate targets are checked once. ``progress(done, total)`` is called from
    the calling thread after every finished target (cache hits included).
    Raises :class:`BrowserUnavailable` when Chromium/chromedriver/axe-core is
    missing or no browser can be started at all.
    """
    output_dir = Path(output_dir)
    unique: dict[tuple[str, str], None] = {}
    for rel_path, view in targets:
        if view not in VIEWS:
            raise ValueError(f"unknown view {view!r}; expected one of {sorted(VIEWS)}")
        unique[(_normalise_path(rel_path), view)] = None
    total = len(unique)
    version = axe_mod.axe_version()  # fails early with BrowserUnavailable if npm ci was not run
    results: list[PageResult] = []
    pending: list[tuple[str, View, str]] = []
    done = 0

    def finished(result: PageResult) -> None:
        nonlocal done
        results.append(result)
        done += 1
        if progress is not None:
            progress(done, total)

    for rel_path, view in unique:
        try:
            key = cache_key(output_dir, rel_path, view, version)
        except OSError as exc:
            finished(PageResult(rel_path, view, error=f"页面文件无法读取 cannot read page: {exc}"))
            continue
        hit = _cache_load(cache_dir, key, rel_path, view) if cache_dir is not None else None
        if hit is not None:
            finished(hit)
        else:
            pending.append((rel_path, VIEWS[view], key))

    if pending:
        chromium.check_local_browser()
        keys = {(p, v.name): k for p, v, k in pending}
        # Group by browser profile so each worker rarely has to relaunch for a view change.
        pending.sort(key=lambda t: (t[1].profile, t[0], t[1].name))
        with _serve(output_dir) as base_url:
            run = _Run(
                base_url,
                urlsplit(base_url).hostname or "127.0.0.1",
                page_timeout,
                queue.Queue(),
                queue.Queue(),
                threading.Event(),
                threading.Event(),
            )
            for rel_path, view_spec, _key in pending:
                run.work.put((rel_path, view_spec))
            threads = [
                threading.Thread(target=_worker, args=(run,), name=f"govsite-gate-{i}", daemon=True)
                for i in range(max(1, min(workers, len(pending))))
            ]
            for t in threads:
                t.start()
            try:
                for _ in range(len(pending)):
                    item = run.out.get()
                    if isinstance(item, BaseException):
                        raise item
                    if item.error is None and cache_dir is not None:
                        _cache_store(cache_dir, keys[(item.path, item.view)], item, version)
                    finished(item)
            finally:
                run.stop.set()
                for t in threads:
                    t.join(timeout=page_timeout + WATCHDOG_GRACE + 15)

    results.sort(key=lambda r: (r.path, r.view))
    return results
