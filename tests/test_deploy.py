"""The deploy-header CSP snippet and the theme's meta CSP must not drift apart (issue 10)."""

import re
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_deploy_snippet_matches_theme_csp():
    base = (REPO / "theme" / "templates" / "base.html").read_text(encoding="utf-8")
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', base).group(1)
    deploy = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    headers = re.findall(r'Content-Security-Policy "([^"]+)"', deploy)
    assert len(headers) == 2
    for header in headers:
        assert header.startswith(meta), header
    assert "script-src 'self'" in meta and "object-src 'none'" in meta and "unsafe-inline" not in meta
