"""LAYOUT-005 站内搜索: the static index covers every article, and the real search page finds exact titles first."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from pathlib import Path
from urllib.parse import quote

import pytest
from sitekit import article, build, make_project

from govsite.htmlpage import OutputSite

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
EXTRA = {  # titles that contain each other: the exact one must still come first
    "content/articles/search-a.md": article("示例县召开森林防火工作会议", date="2026-11-12 09:00"),
    "content/articles/search-b.md": article("示例县召开森林防火工作会议暨冬春火灾防控部署会", date="2026-11-13 09:00"),
}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    root = make_project(tmp_path_factory.mktemp("search"), files=EXTRA)
    result = build(root)
    assert result.exit_code == 0, [f for f in result.findings if f.severity == "error"]
    return root / "output", result


def test_search_index_covers_every_article_page(site):
    out, result = site
    assert not [f for f in result.findings if f.rule == "LAYOUT-005" and f.severity != "info"]
    pages = OutputSite.load(out)
    articles = {p.url: p.meta_one("ArticleTitle") for p in pages if p.meta_one("ArticleTitle")}
    index = {e["u"]: e["t"] for e in json.loads((out / "search-index.json").read_text(encoding="utf-8"))}
    assert len(articles) >= 5
    assert articles.items() <= index.items()  # 100 %, with the same titles
    for page in pages:  # every page has a search form whose action exists
        form = page.tree.css_first('form[role="search"]')
        assert form is not None, page.url
        assert (out / form.attributes["action"].lstrip("/")).is_file()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _titles(out: Path) -> list[tuple[str, str]]:
    entries = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    titles = [e["t"] for e in entries]
    unique = [e for e in entries if titles.count(e["t"]) == 1]
    picked = [e for e in unique if e["t"] in ("示例县召开森林防火工作会议",)]
    step = max(1, len(unique) // 4)
    picked += [e for e in unique[::step] if e not in picked]
    return [(e["t"], e["u"]) for e in picked[:5]]


@pytest.mark.browser
def test_exact_title_is_the_first_result_in_chromium(site, tmp_path):
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.skip("Chromium/chromedriver not installed at /usr/bin")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    out, _ = site
    queries = _titles(out)
    assert len(queries) == 5
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        for title, url in queries:
            driver.get(f"{base}/search.html?q={quote(title)}")
            first = WebDriverWait(driver, 15).until(
                ec.presence_of_element_located((By.CSS_SELECTOR, "#search-results li a")))
            assert first.text == title
            assert first.get_attribute("href") == base + url
    finally:
        driver.quit()
        server.shutdown()
        server.server_close()
