"""Live preview for editors: ``invoke serve`` builds with ``preview=True`` into ``output.preview/``,
serves it on 127.0.0.1 and rebuilds when content/, theme/, the settings or profiles/ change.

Each preview page shows a dismissible panel with that page's findings (rule, message, fix, link to
the rule document). Only the preview has it: the theme loads ``/__govsite__/panel.js`` when the
Pelican setting ``GOVSITE_PREVIEW`` is true, and the ``__govsite__/`` files (panel.js, panel.css,
findings.json, report.html, rules/*.html) are written into the preview output only. Self-hosted
script and stylesheet, no inline code: the theme's CSP (``script-src 'self'``) applies unchanged.

A failing build publishes nothing. The preview keeps a copy of the failed build's staging
directory (taken at Pelican's ``finalized`` signal) and serves that, so editors still see every
page with its findings; ``/`` then shows a Chinese page listing the blocking errors.
"""

from __future__ import annotations

import functools
import html
import json
import os
import re
import shutil
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterable

from .findings import SEVERITY_ZH, Finding

OVERLAY = "__govsite__"
PREVIEW_OUTPUT = "output.preview"  # /output.* is git-ignored (so is the scratch dir output.preview-build)
PREVIEW_REPORTS = Path("reports") / "preview"
WATCHED = ("content", "theme", "profiles")

_HOOK_LOCK = threading.Lock()
_TARGET: dict[str, Path] = {}  # "snapshot" → where the finalized hook copies the staging output


@dataclass
class PreviewState:
    ok: bool
    serve_dir: Path
    build_id: str
    errors: int = 0
    warnings: int = 0
    failed: bool = False  # "/" shows the failure page
    has_pages: bool = True  # the failed build's pages are available
    busy: bool = False  # another build held the lock: nothing changed
    seconds: float = 0.0
    findings: list[Finding] = field(default_factory=list)


# ---- hooks into the (preview) build ---------------------------------------------------------------

def _on_all_generators_finalized(generators: list[Any]) -> None:
    """Write the static panel assets into the staging output before any page check reads it."""
    if not generators or not generators[0].settings.get("GOVSITE_PREVIEW") or "snapshot" not in _TARGET:
        return
    write_assets(Path(generators[0].settings["OUTPUT_PATH"]) / OVERLAY)


def _on_finalized(pelican: Any) -> None:
    """Keep the rendered site even if the gate fails (the driver deletes a failed staging directory)."""
    target = _TARGET.get("snapshot")
    if target is None or not pelican.settings.get("GOVSITE_PREVIEW"):
        return
    shutil.rmtree(target, ignore_errors=True)
    src = Path(pelican.settings["OUTPUT_PATH"])
    if src.is_dir():
        try:
            shutil.copytree(src, target, copy_function=os.link, symlinks=True)
        except OSError:
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(src, target, symlinks=True)


def build_preview(root: Path, *, settings_file: str = "pelicanconf.py", output: Path | None = None,
                  reports_dir: Path | None = None, quiet: bool = True) -> PreviewState:
    """One preview build (browser stage skipped) and its overlay. Production ``output/`` is never touched.

    The build publishes into a scratch directory; what is served is the snapshot of the rendered
    site taken at Pelican's ``finalized`` signal (identical to what a passing build publishes, and
    still there when the gate fails), with the overlay added, swapped into ``output`` in one step.
    """
    from pelican import signals

    from .build import build
    from .publish import publish

    root = Path(root).resolve()
    output = Path(output).resolve() if output else root / PREVIEW_OUTPUT
    reports_dir = Path(reports_dir).resolve() if reports_dir else root / PREVIEW_REPORTS
    scratch = output.with_name(output.name + "-build")
    snapshot = output.with_name(f".govsite-staging-snapshot-{output.name}")
    started = time.monotonic()
    with _HOOK_LOCK:
        shutil.rmtree(snapshot, ignore_errors=True)
        _TARGET["snapshot"] = snapshot
        signals.all_generators_finalized.connect(_on_all_generators_finalized, weak=False)
        signals.finalized.connect(_on_finalized, weak=False)
        try:
            result = build(root, settings_file=settings_file, output=scratch, reports_dir=reports_dir,
                           skip_browser=True, preview=True, quiet=True)
        finally:
            signals.finalized.disconnect(_on_finalized)
            signals.all_generators_finalized.disconnect(_on_all_generators_finalized)
            _TARGET.pop("snapshot", None)
    findings = list(result.findings)
    if not quiet:  # the build's own summary would name the scratch directory as "published"
        from .report import print_summary

        print_summary(findings, result.run, reports_dir=reports_dir)
    state = PreviewState(ok=result.ok, serve_dir=output, build_id=f"{time.time_ns():x}", findings=findings,
                         errors=sum(1 for f in findings if f.severity == "error"),
                         warnings=sum(1 for f in findings if f.severity == "warning"),
                         failed=not result.ok)
    if result.exit_code == 3 and result.run is None:  # another build holds the lock: nothing was built
        state.busy = True
        shutil.rmtree(snapshot, ignore_errors=True)
        return state
    shutil.rmtree(scratch, ignore_errors=True)  # the snapshot has the same files (hard links)
    if snapshot.is_dir():
        write_overlay(snapshot, state, run=result.run, reports_dir=reports_dir)
        publish(snapshot, output)  # atomic: the server never sees a half-written preview
    else:  # failed before Pelican rendered anything: keep the last pages, show the failure page at /
        state.has_pages = (output / "index.html").is_file()
        output.mkdir(parents=True, exist_ok=True)
        write_overlay(output, state, run=result.run, reports_dir=reports_dir)
    state.seconds = time.monotonic() - started
    return state


# ---- the overlay ---------------------------------------------------------------------------------

def _finding_json(f: Finding) -> dict[str, Any]:
    from .registry import RULES

    r = RULES.get(f.rule)
    return {
        "rule": f.rule, "title": r.title if r else "", "severity": f.severity, "severity_zh": SEVERITY_ZH[f.severity],
        "message": f.message, "fix": f.fix, "where": f.location(), "doc": f"/{OVERLAY}/rules/{f.rule}.html",
    }


def _page_key(path: str) -> str:
    key = "/" + path.lstrip("/")
    return key + "index.html" if key.endswith("/") else key


def findings_by_page(findings: Iterable[Finding], run: Any) -> tuple[dict[str, list[Finding]], list[Finding]]:
    """Findings keyed by output page ("/gzdt/…/x.html"); the rest (site-wide, unrendered files) separately."""
    url_of: dict[str, str] = {}
    model = run.data.get("site") if run is not None else None
    for doc in getattr(model, "docs", None) or []:
        content = getattr(doc, "content", None)
        target = getattr(content, "save_as", "") or getattr(content, "url", "")
        if target:
            url_of[doc.rel] = _page_key(target)
    pages: dict[str, list[Finding]] = {}
    rest: list[Finding] = []
    for f in findings:
        key = _page_key(f.url) if f.url else url_of.get(f.file or "")
        if key:
            pages.setdefault(key, []).append(f)
        else:
            rest.append(f)
    return pages, rest


def write_overlay(serve_dir: Path, state: PreviewState, *, run: Any = None, reports_dir: Path | None = None) -> None:
    from . import docs

    overlay = serve_dir / OVERLAY
    write_assets(overlay)
    pages, rest = findings_by_page(state.findings, run)
    data = {
        "build": state.build_id,
        "ok": state.ok,
        "errors": state.errors,
        "warnings": state.warnings,
        "report": f"/{OVERLAY}/report.html",
        "failed_page": f"/{OVERLAY}/failed.html" if state.failed else None,
        "pages": {k: [_finding_json(f) for f in v] for k, v in sorted(pages.items())},
        "site": [_finding_json(f) for f in rest],
    }
    _write(overlay / "findings.json", json.dumps(data, ensure_ascii=False, indent=1))
    report = (reports_dir / "index.html") if reports_dir else None
    if report is not None and report.is_file():
        text = report.read_text(encoding="utf-8")
        text = re.sub(r'href="\.\./docs/rules/([A-Za-z0-9_-]+)\.md"', r'href="rules/\1.html"', text)
    else:
        text = "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>报告</title><p>没有报告。</p></html>\n"
    _write(overlay / "report.html", text)
    docs.write_html(overlay / "rules")
    _write(overlay / "failed.html", failed_page(state, pages, rest))
    # last: the panel's live reload polls this file
    _write(overlay / "build.json", json.dumps({"build": state.build_id, "ok": state.ok}))


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def write_assets(overlay: Path) -> None:
    _write(overlay / "panel.js", PANEL_JS)
    _write(overlay / "panel.css", PANEL_CSS)


def failed_page(state: PreviewState, pages: dict[str, list[Finding]], rest: list[Finding]) -> str:
    e = html.escape
    blocking = [f for f in state.findings if f.blocking]
    parts = [
        '<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f'<title>构建未通过 - 预览</title><link rel="stylesheet" href="/{OVERLAY}/panel.css">',
        f'<script src="/{OVERLAY}/panel.js" defer></script></head>',
        '<body class="govsite-failed"><main>',
        "<h1>构建未通过：正式构建不会发布</h1>",
        f"<p>本次预览构建有 <strong>{state.errors}</strong> 项阻断性错误、{state.warnings} 项警告。"
        "修改后保存文件，预览会自动重新构建。</p>",
        f'<p><a href="/{OVERLAY}/report.html">查看完整报告</a>',
    ]
    if state.has_pages:
        parts.append(' ｜ <a href="/index.html">仍然预览网站首页</a>（每个页面右下角显示本页的问题）')
    parts.append("</p><h2>阻断性错误</h2><ol>")
    where_page = {id(f): url for url, fs in pages.items() for f in fs}
    for f in blocking:
        url = where_page.get(id(f))
        link = f' <a href="{e(url)}">打开页面</a>' if url and state.has_pages else ""
        parts.append(
            f'<li><strong>{e(f.rule)}</strong> <code>{e(f.location())}</code>：{e(f.message)}'
            f'<br>修改建议：{e(f.fix)} <a href="/{OVERLAY}/rules/{e(f.rule)}.html">规则说明</a>{link}</li>'
        )
    parts.append("</ol></main></body></html>\n")
    return "\n".join(parts)


# ---- the server ----------------------------------------------------------------------------------

class _Handler(SimpleHTTPRequestHandler):
    server_version = "govsite-preview"
    preview: PreviewServer

    def do_GET(self) -> None:
        state = self.preview.state
        if state is not None and state.failed and self.path.split("?", 1)[0] == "/":
            self.path = f"/{OVERLAY}/failed.html"
        super().do_GET()

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        if self.preview.verbose:
            super().log_message(format, *args)


class PreviewServer:
    """Build once, serve ``output.preview`` on 127.0.0.1 (``port=0`` picks a free port), rebuild on demand."""

    def __init__(self, root: Path, *, port: int = 8000, host: str = "127.0.0.1", settings_file: str = "pelicanconf.py",
                 output: Path | None = None, reports_dir: Path | None = None, quiet: bool = True,
                 verbose: bool = False):
        self.root = Path(root).resolve()
        self.settings_file = settings_file
        self.output = Path(output).resolve() if output else self.root / PREVIEW_OUTPUT
        self.reports_dir = reports_dir
        self.quiet = quiet
        self.verbose = verbose
        self.state: PreviewState | None = None
        handler = type("Handler", (_Handler,), {"preview": self})
        self.httpd = ThreadingHTTPServer((host, port), functools.partial(handler, directory=str(self.output)))
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    def rebuild(self) -> PreviewState:
        state = build_preview(self.root, settings_file=self.settings_file, output=self.output,
                              reports_dir=self.reports_dir, quiet=self.quiet)
        if not state.busy:
            self.state = state
        return state

    def start(self) -> PreviewServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="govsite-preview", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def watched_paths(self) -> list[Path]:
        paths = [self.root / name for name in WATCHED] + [self.root / self.settings_file]
        return [p for p in paths if p.exists()]


def _describe(state: PreviewState, url: str) -> str:
    if state.busy:
        return "另一个构建正在进行，本次没有重建预览。"
    if state.ok:
        return f"预览已更新（{state.seconds:.1f} 秒）：0 项阻断性错误，{state.warnings} 项警告。{url}"
    return (f"构建未通过（{state.errors} 项阻断性错误）：正式构建不会发布。预览仍可查看，"
            f"首页显示错误清单：{url}")


def serve(root: Path, *, port: int = 8000, host: str = "127.0.0.1", settings_file: str = "pelicanconf.py",
          watch: bool = True, stop: threading.Event | None = None,
          on_ready: Callable[[PreviewServer], None] | None = None) -> None:
    """``invoke serve``: build, serve, rebuild on every change until Ctrl-C (or ``stop`` is set)."""
    try:
        server = PreviewServer(root, port=port, host=host, settings_file=settings_file, quiet=False)
    except OSError as exc:
        print(f"无法在 {host}:{port} 启动预览服务：{exc.strerror or exc}。请换一个端口：invoke serve --port 8001",
              file=sys.stderr)
        raise SystemExit(1) from None
    state = server.rebuild()
    server.start()
    print(_describe(state, server.url))
    print(f"预览地址：{server.url}（仅本机可访问；按 Ctrl-C 停止）")
    stop = stop or threading.Event()
    if on_ready is not None:
        on_ready(server)
    if not watch:
        try:
            stop.wait()
        except KeyboardInterrupt:
            pass
        finally:
            server.stop()
        return
    from watchfiles import watch as watch_changes

    paths = server.watched_paths()
    print("正在监视：" + "、".join(p.relative_to(server.root).as_posix() for p in paths))
    try:
        for changes in watch_changes(*paths, debounce=400, step=100, stop_event=stop):
            names = sorted({Path(p).name for _c, p in changes})
            print(f"\n检测到修改：{'、'.join(names[:5])}{' 等' if len(names) > 5 else ''}，重新构建……")
            print(_describe(server.rebuild(), server.url))
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        print("预览已停止。")


# ---- panel assets (self-hosted; CSP script-src 'self') -------------------------------------------

PANEL_CSS = """\
#govsite-preview-panel{position:fixed;right:12px;bottom:12px;z-index:2147483000;width:min(440px,calc(100vw - 24px));
max-height:60vh;overflow:auto;background:#fff;color:#1a1a1a;border:2px solid #7a4b00;border-radius:6px;
box-shadow:0 4px 16px rgba(0,0,0,.25);font:14px/1.6 "Noto Sans CJK SC","Microsoft YaHei",sans-serif;text-align:left}
#govsite-preview-panel.gp-failed{border-color:#a00000}
#govsite-preview-panel .gp-head{display:flex;justify-content:space-between;align-items:center;gap:8px;
padding:6px 10px;background:#fff3cd;border-bottom:1px solid #7a4b00;position:sticky;top:0}
#govsite-preview-panel.gp-failed .gp-head{background:#fde2e2}
#govsite-preview-panel h2{font-size:15px;margin:0;padding:0;border:0}
#govsite-preview-panel button{font:inherit;cursor:pointer;border:1px solid #555;background:#fff;border-radius:4px;padding:0 8px}
#govsite-preview-panel ul{list-style:none;margin:0;padding:0}
#govsite-preview-panel li{padding:6px 10px;border-bottom:1px solid #ddd}
#govsite-preview-panel .gp-rule{font-weight:bold}
#govsite-preview-panel .gp-error{color:#a00000;font-weight:bold}
#govsite-preview-panel .gp-warning{color:#7a4b00;font-weight:bold}
#govsite-preview-panel .gp-info{color:#333}
#govsite-preview-panel .gp-where,#govsite-preview-panel .gp-fix{color:#444;font-size:13px}
#govsite-preview-panel .gp-note{padding:6px 10px;margin:0}
#govsite-preview-panel a{color:#0645ad;text-decoration:underline}
#govsite-preview-reopen{position:fixed;right:12px;bottom:12px;z-index:2147483000;font:14px sans-serif;
background:#fff3cd;border:2px solid #7a4b00;border-radius:6px;padding:2px 10px;cursor:pointer}
body.govsite-failed{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;max-width:960px;margin:0 auto;padding:1rem;line-height:1.7}
body.govsite-failed h1{color:#a00000;font-size:1.5rem}
body.govsite-failed li{margin:.5rem 0}
"""

PANEL_JS = r"""// govsite preview panel: shows this page's findings. Only in `invoke serve` (never in production builds).
(function () {
  "use strict";
  var BASE = "/__govsite__/";
  var KEY = "govsite-preview-hidden";
  var current = null;

  function el(tag, cls, text) {
    var n = document.createElement(tag);
    if (cls) { n.className = cls; }
    if (text !== undefined && text !== null) { n.textContent = String(text); }
    return n;
  }
  function link(href, text) {
    var a = el("a", null, text);
    a.href = href;
    return a;
  }
  function pageKey() {
    var p = window.location.pathname;
    try { p = decodeURI(p); } catch (e) { /* keep raw */ }
    if (p.charAt(p.length - 1) === "/") { p += "index.html"; }
    return p;
  }
  function hiddenFor(build) {
    try { return window.sessionStorage.getItem(KEY) === build + " " + pageKey(); } catch (e) { return false; }
  }
  function setHidden(build, hidden) {
    try {
      if (hidden) { window.sessionStorage.setItem(KEY, build + " " + pageKey()); }
      else { window.sessionStorage.removeItem(KEY); }
    } catch (e) { /* private mode */ }
  }

  function render(data) {
    var old = document.getElementById("govsite-preview-panel");
    if (old) { old.parentNode.removeChild(old); }
    var reopen = document.getElementById("govsite-preview-reopen");
    if (reopen) { reopen.parentNode.removeChild(reopen); }
    if (document.body.classList.contains("govsite-failed")) { return; }

    var mine = (data.pages && data.pages[pageKey()]) || [];
    var panel = el("aside");
    panel.id = "govsite-preview-panel";
    panel.setAttribute("aria-label", "预览检查结果");
    if (!data.ok) { panel.className = "gp-failed"; }

    var head = el("div", "gp-head");
    head.appendChild(el("h2", null, "预览检查：本页 " + mine.length + " 项问题"));
    var close = el("button", null, "关闭");
    close.type = "button";
    close.setAttribute("aria-label", "关闭预览检查面板");
    head.appendChild(close);
    panel.appendChild(head);

    if (!data.ok) {
      var fail = el("p", "gp-note gp-error", "本次构建未通过：" + data.errors + " 项阻断性错误，正式构建不会发布。");
      if (data.failed_page) { fail.appendChild(document.createTextNode(" ")); fail.appendChild(link("/", "查看错误清单")); }
      panel.appendChild(fail);
    }
    var list = el("ul");
    mine.forEach(function (f) {
      var li = el("li");
      li.setAttribute("data-rule", f.rule);
      var line = el("div");
      line.appendChild(el("span", "gp-" + f.severity, "[" + f.severity_zh + "] "));
      line.appendChild(el("span", "gp-rule", f.rule));
      if (f.title) { line.appendChild(document.createTextNode(" " + f.title)); }
      li.appendChild(line);
      li.appendChild(el("div", "gp-msg", f.message));
      if (f.fix) { li.appendChild(el("div", "gp-fix", "修改建议：" + f.fix)); }
      var meta = el("div", "gp-where", f.where + " ");
      meta.appendChild(link(f.doc, "规则说明"));
      li.appendChild(meta);
      list.appendChild(li);
    });
    if (!mine.length) { panel.appendChild(el("p", "gp-note", "本页没有发现问题。")); }
    panel.appendChild(list);
    var other = (data.site || []).length;
    var foot = el("p", "gp-note", other ? "全站及未生成页面的文件另有 " + other + " 项。" : "");
    foot.appendChild(link(data.report, "查看完整报告"));
    panel.appendChild(foot);

    var btn = el("button", null, "显示检查结果（" + mine.length + "）");
    btn.type = "button";
    btn.id = "govsite-preview-reopen";

    close.addEventListener("click", function () {
      setHidden(data.build, true);
      panel.hidden = true;
      btn.hidden = false;
      btn.focus();
    });
    btn.addEventListener("click", function () {
      setHidden(data.build, false);
      panel.hidden = false;
      btn.hidden = true;
      close.focus();
    });
    var hidden = hiddenFor(data.build);
    panel.hidden = hidden;
    btn.hidden = !hidden;
    document.body.appendChild(panel);
    document.body.appendChild(btn);
  }

  function load() {
    fetch(BASE + "findings.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (data) { current = data.build; render(data); })
      .catch(function () { /* the preview server is restarting */ });
  }
  function poll() {
    fetch(BASE + "build.json", { cache: "no-store" })
      .then(function (r) { return r.json(); })
      .then(function (b) { if (current && b.build !== current) { window.location.reload(); } })
      .catch(function () { /* rebuilding */ });
  }
  function start() {
    var css = document.createElement("link");
    css.rel = "stylesheet";
    css.href = BASE + "panel.css";
    document.head.appendChild(css);
    load();
    window.setInterval(poll, 1500);
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
})();
"""
