"""Live preview: findings on the page (real Chromium), failure page, rebuild on change; production untouched."""

from __future__ import annotations

import json
import shutil
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from queue import Queue

import pytest
from sitekit import article, build, make_project

from govsite.preview import OVERLAY, PreviewServer, serve

PLANTED = "content/articles/gzdt/2026-11-18-planted.md"
# doc_number does not apply to news: a non-fatal CONTENT-001 warning, so the build still passes
PLANTED_TEXT = article("示例县召开预览面板专项测试工作会议", extra="doc_number: 示政发〔2026〕9号")
BROKEN = "content/articles/gzdt/2026-11-18-broken.md"


def _get(url: str, tries: int = 1) -> str:
    for attempt in range(tries):
        try:
            with urllib.request.urlopen(url, timeout=10) as resp:
                return resp.read().decode("utf-8")
        except OSError:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)
    raise AssertionError("unreachable")


def _chromium():  # type: ignore[no-untyped-def]
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
    if not chromium.exists() or not driver.exists():
        pytest.skip("Chromium not installed (apt-get install chromium chromium-driver)")
    profile = tempfile.mkdtemp(prefix="govsite-preview-test-")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(chromium)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={profile}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    drv = webdriver.Chrome(options=opts, service=Service(executable_path=str(driver)))
    drv.set_page_load_timeout(30)
    return drv, profile


@pytest.mark.browser
def test_panel_shows_page_findings_and_production_has_no_trace(tmp_path: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    root = make_project(tmp_path, sample=False, files={PLANTED: PLANTED_TEXT})
    server = PreviewServer(root, port=0)
    state = server.rebuild()
    server.start()
    data = json.loads((root / "output.preview" / OVERLAY / "findings.json").read_text(encoding="utf-8"))
    page = next(url for url, fs in data["pages"].items() if any(f["rule"] == "CONTENT-001" for f in fs))
    assert page.startswith("/gzdt/") and "planted" in page
    drv, profile = _chromium()
    try:
        drv.get(server.url.rstrip("/") + page)
        wait = WebDriverWait(drv, 20)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#govsite-preview-panel li[data-rule='CONTENT-001']"))
        panel = drv.find_element(By.ID, "govsite-preview-panel")
        text = panel.text
        assert "CONTENT-001" in text and "doc_number" in text and "修改建议" in text and "规则说明" in text
        assert panel.value_of_css_property("position") == "fixed"  # panel.css loaded under the page's CSP
        doc_link = panel.find_element(By.LINK_TEXT, "规则说明").get_attribute("href")
        assert doc_link.endswith(f"/{OVERLAY}/rules/CONTENT-001.html")
        # dismissible, and can be reopened
        panel.find_element(By.CSS_SELECTOR, "button").click()
        assert not panel.is_displayed()
        reopen = drv.find_element(By.ID, "govsite-preview-reopen")
        assert reopen.is_displayed()
        reopen.click()
        assert panel.is_displayed()
        # the rule document and the full report are served
        drv.get(doc_link)
        assert "CONTENT-001" in drv.find_element(By.TAG_NAME, "h1").text
        drv.get(server.url + f"{OVERLAY}/report.html")
        assert "合规检查报告" in drv.title
        csp = [e for e in drv.get_log("browser") if "Content Security Policy" in e.get("message", "")]
        assert not csp, csp
    finally:
        drv.quit()
        shutil.rmtree(profile, ignore_errors=True)
        server.stop()
    assert state.ok

    result = build(root)
    assert result.ok, [f for f in result.findings if f.severity == "error"]
    out = root / "output"
    assert (out / "index.html").is_file() and not (out / OVERLAY).exists()
    for html_file in out.rglob("*.html"):
        text = html_file.read_text(encoding="utf-8")
        assert "panel.js" not in text and OVERLAY not in text, html_file


def test_failed_build_still_previews_with_error_page(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False, files={PLANTED: PLANTED_TEXT,
                                                       BROKEN: article("日期写错", date="2026/11/18")})
    server = PreviewServer(root, port=0)
    state = server.rebuild()
    server.start()
    try:
        assert not state.ok and state.failed and state.has_pages and state.errors >= 1
        front = _get(server.url)
        assert "构建未通过" in front and "CONTENT-003" in front and "2026-11-18-broken.md" in front
        home = _get(server.url + "index.html")  # the pages of the failed build are still there
        assert f"/{OVERLAY}/panel.js" in home
        data = json.loads(_get(server.url + f"{OVERLAY}/findings.json"))
        assert data["ok"] is False and data["errors"] == state.errors
        assert any(f["rule"] == "CONTENT-003" for f in data["site"])  # the broken file has no page
        assert any(f["rule"] == "CONTENT-001" for fs in data["pages"].values() for f in fs)
    finally:
        server.stop()
    assert not (root / "output").exists()  # production output is never written by the preview


def test_serve_rebuilds_on_change(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False, files={PLANTED: PLANTED_TEXT})
    ready: Queue[PreviewServer] = Queue()
    stop = threading.Event()
    thread = threading.Thread(target=serve, args=(root,), kwargs={"port": 0, "stop": stop, "on_ready": ready.put},
                              daemon=True)
    thread.start()
    try:
        server = ready.get(timeout=120)
        first = json.loads(_get(server.url + f"{OVERLAY}/build.json"))["build"]
        time.sleep(0.5)  # let the watcher start
        (root / PLANTED).write_text(PLANTED_TEXT.replace("doc_number: 示政发〔2026〕9号\n", ""), encoding="utf-8")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if json.loads(_get(server.url + f"{OVERLAY}/build.json", tries=5))["build"] != first:
                break
            time.sleep(0.2)
        else:
            pytest.fail("the preview was not rebuilt after a content change")
        data = json.loads(_get(server.url + f"{OVERLAY}/findings.json"))
        assert not any(f["rule"] == "CONTENT-001" for fs in data["pages"].values() for f in fs)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
