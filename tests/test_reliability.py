"""Issue 10: bad input never produces a traceback or a partial site; builds are atomic and locked."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitekit import article, build, make_project, snapshot

from govsite import clock
from govsite.columns import load_columns
from govsite.profiles import load_profile
from govsite.registry import all_checks, load_all_rules
from govsite.run import BuildRun
from govsite.source import parse_text, read_source
from govsite.stages import run_stage

REPO = Path(__file__).resolve().parent.parent
load_all_rules()
CONTENT_PLUGINS = {c.plugin for c in all_checks() if c.stage == "content"}

GOOD_META = {
    "news": article(),
    "policy": article("示例县人民政府关于印发示例办法的通知", category="政策文件", doc_type="policy", source="示例县人民政府",
                      extra="doc_number: 示政发〔2026〕21号\nissuer: 示例县人民政府\nsigned_date: 2026-11-16\n"
                            "index_number: 11539999MB0000000X/2026-00021\nvalidity: 有效"),
    "interpretation": article("图解：示例办法", category="政策解读", doc_type="interpretation",
                              extra="interprets: 示政发〔2026〕20号\nform: 图解"),
    "reprint": article("国务院关于示例工作的通知", category="国务院及省政府信息", doc_type="reprint", source="中国政府网",
                       extra="source_url: https://www.gov.cn/zhengce/content/202611/content_7000002.htm\n"
                             "source_published: 2026-11-18 08:00"),
    "guide": article("示例事项办事指南", category="办事服务", doc_type="guide", source="示例县民政局",
                     extra="\n".join(f"{k}: 示例内容" for k in ("item_name", "legal_basis", "conditions", "materials",
                                                              "place", "agency", "fee", "hours", "phone", "process"))),
    "report": article("示例县2025年政府网站工作年度报表", category="政府信息公开年报", doc_type="report",
                      extra="report_kind: 网站年度报表\nreport_year: 2025"),
}


def _content_run(tmp: Path) -> BuildRun:
    from govsite.build import load_settings

    settings = load_settings(REPO, "pelicanconf.py")
    run = BuildRun(root=tmp, settings=settings, profile=load_profile("national"), now=clock.now(settings))
    run.loaded_plugins = set(CONTENT_PLUGINS)
    run.data["columns"] = load_columns(REPO / "content" / "columns.yaml")
    return run


def content_errors(tmp: Path, data: str | bytes, name: str = "case.md") -> list:
    path = tmp / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    run = _content_run(tmp)
    doc = read_source(path, tmp)
    run_stage(run, "content", [doc], describe=lambda d: d.rel)
    return [f for f in run.findings if f.severity == "error"]


def _replace_line(text: str, key: str, new: str | None) -> str:
    lines = text.split("\n")
    out = []
    for line in lines:
        if line.startswith(key + ":"):
            if new is not None:
                out.append(new)
        else:
            out.append(line)
    return "\n".join(out)


def _cases() -> list[tuple[str, str | bytes]]:
    """≥ 200 generated bad inputs, each must give at least one clear error naming the file."""
    cases: list[tuple[str, str | bytes]] = []
    base = GOOD_META["news"]
    for bad in ["title 没有冒号", ": 空键", "标题: 中文键", "ti tle: 空格键", "-title: x", "title = x", "title：全角冒号",
                "@date: 2026-11-18 09:00", "123: 数字键", "date 2026-11-18"]:
        cases.append((f"malformed line {bad}", base.replace("source:", bad + "\nsource:", 1)))
    for key in ["titel", "dat", "catgory", "tpye", "sorce", "autor", "keyword", "sumary", "slugg", "docnumber",
                "interpret", "source-url", "publish_date", "column", "tags"]:
        cases.append((f"unknown key {key}", base.replace("source:", f"{key}: 值\nsource:", 1)))
    for key in ["title", "date", "category", "type", "source"]:
        cases.append((f"duplicate {key}", base.replace(f"{key}:", f"{key}: 重复\n{key}:", 1)))
    for empty in ["title:", "title:    ", "title: \t"]:
        cases.append((f"empty title {empty!r}", _replace_line(base, "title", empty)))
    for date in ["2026-02-30 10:00", "2026-13-01 10:00", "2026-11-20 24:00", "2026-11-20 23:60", "2026-11-20T10:00",
                 "2026-11-20 10:00:00", "2026-11-20 10:00+09:00", "2026-11-20 10:00Z", "2026/11/20", "20261120",
                 "2026-11-20", "十一月二十日", "2026-1-2 3:04", "0000-00-00 00:00", "9999-12-31 23:59", "2026-11-31 08:00",
                 "2025-02-29 08:00", "2026-11-20 -1:00", "yesterday", "2026.11.20 10:00", "2026-11-20 10.00",
                 "２０２６-１１-２０ １０:００", "2026-11-20 25:00", "2026-00-10 10:00", "2026-11-00 10:00"]:
        cases.append((f"date {date}", _replace_line(base, "date", f"date: {date}")))
    for value in ["2026/11/16", "16-11-2026", "2026-02-30", "昨天"]:
        cases.append((f"signed_date {value}", _replace_line(GOOD_META["policy"], "signed_date", f"signed_date: {value}")))
    for value in ["2026/11/18 08:00", "2026-11-18", "2026-11-18 8am"]:
        cases.append((f"source_published {value}",
                      _replace_line(GOOD_META["reprint"], "source_published", f"source_published: {value}")))
    from govsite.contract import REQUIRED

    for dtype, text in GOOD_META.items():
        for key in REQUIRED[dtype]:
            cases.append((f"{dtype} without {key}", _replace_line(text, key, None)))
            cases.append((f"{dtype} with empty {key}", _replace_line(text, key, f"{key}:")))
    for value in ["blog", "article", "News", "政策", ""]:
        cases.append((f"type {value!r}", _replace_line(base, "type", f"type: {value}")))
    for value in ["有 效", "valid", "作废"]:
        cases.append((f"validity {value}", _replace_line(GOOD_META["policy"], "validity", f"validity: {value}")))
    for value in ["不存在的栏目", "工作动 态", "互动交流", "Gzdt", "首页"]:
        cases.append((f"column {value}", _replace_line(base, "category", f"category: {value}")))
    cases.append(("gbk bytes", base.encode("gbk")))
    cases.append(("utf-16", base.encode("utf-16")))
    cases.append(("latin-1 mojibake", b"title: caf\xe9\ndate: 2026-11-18 09:00\n\nbody\n"))
    cases.append(("truncated utf-8", base.encode("utf-8")[:-2] + b"\xe4\xb8"))
    cases.append(("zero bytes", b""))
    cases.append(("whitespace only", b"  \n\n \t\n"))
    cases.append(("huge file", ("title: 大文件\n\n" + "示例" * (5 * 1024 * 1024)).encode("utf-8")))
    cases.append(("png with md extension", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4))
    cases.append(("random binary", bytes(random.Random(7).randrange(256) for _ in range(4096)) + b"\x00"))
    cases.append(("no metadata", "这是一篇没有元数据的文章。\n\n第二段。"))
    for payload in ["<script>alert(1)</script>", '<iframe src="https://evil.example"></iframe>',
                    '<object data="x.swf"></object>', '<a href="#" onclick="steal()">点我</a>',
                    '<img src="x.png" alt="图" onerror="x()">', "[点我](javascript:alert(1))",
                    '<a href="data:text/html;base64,PHNjcmlwdD4=">看</a>', "<style>body{display:none}</style>",
                    '<meta http-equiv="refresh" content="0;url=https://evil.example">',
                    '<div style="display:none"><a href="https://casino.example">博彩</a></div>',
                    '<span style="position:absolute;left:-9999px">暗链</span>', "<marquee>公告</marquee>",
                    '<form action="https://evil.example"><input name="id"></form>', "<svg onload=alert(1)>",
                    '<base href="https://evil.example/">', '<embed src="x.swf">', "<SCRIPT SRC=//evil.example/x.js>",
                    '<a href=" JavaScript:alert(1)">x</a>']:
        cases.append((f"hostile {payload[:30]}", base.replace("会议对", payload + "\n\n会议对", 1)))
    cases.append(("html in title", _replace_line(base, "title", "title: <b>加粗标题</b>")))
    return cases


CASES = _cases()


def test_corpus_has_at_least_200_cases():
    assert len(CASES) >= 200, len(CASES)


@pytest.mark.parametrize("name, data", CASES, ids=[c[0] for c in CASES])
def test_bad_input_gives_clear_error(tmp_path, name, data):
    errors = content_errors(tmp_path, data)
    assert errors, f"{name}: no error"
    for f in errors:
        assert f.file and f.file.endswith("case.md"), f
        assert any("\u4e00" <= ch <= "\u9fff" for ch in f.message), f.message
        assert "Traceback" not in f.message and f.fix


@pytest.mark.parametrize("variant", ["bom", "crlf", "bom+crlf", "cr"])
def test_bom_and_line_endings_are_accepted(tmp_path, variant):
    text = GOOD_META["news"]
    data = text.replace("\n", "\r\n" if "crlf" in variant else ("\r" if variant == "cr" else "\n")).encode("utf-8")
    if "bom" in variant:
        data = b"\xef\xbb\xbf" + data
    assert content_errors(tmp_path, data) == []


def test_good_documents_pass_the_content_stage(tmp_path):
    for dtype, text in GOOD_META.items():
        assert content_errors(tmp_path, text) == [], dtype


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_fuzz_parser_never_raises(text):
    doc = parse_text(text)
    assert doc.body is not None


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.binary(max_size=600))
def test_fuzz_reader_never_raises(tmp_path, data):
    path = tmp_path / "fuzz.md"
    path.write_bytes(data)
    doc = read_source(path, tmp_path)
    assert doc.rel == "fuzz.md"


# ---- whole builds: settings and registries -----------------------------------------------------

SETTINGS_CASES = [
    ("missing name", "del GOVSITE_NAME", "CONFIG-002"),
    ("contact wrong type", 'GOVSITE_CONTACT = "0871-60000000"', "CONFIG-002"),
    ("unknown profile", 'GOVSITE_PROFILE = "atlantis"', "CONFIG-001"),
    ("profile wrong type", "GOVSITE_PROFILE = 3", "CONFIG-001"),
    ("rules wrong type", 'GOVSITE_RULES = ["FOOTER-003"]', "CONFIG-001"),
    ("rule severity typo", 'GOVSITE_RULES = {"FOOTER-003": {"severity": "fatal"}}', "CONFIG-001"),
    ("page size wrong type", 'GOVSITE_COLUMN_PAGE_SIZE = "twenty"', "CONFIG-002"),
    ("level unknown", 'GOVSITE_LEVEL = "galaxy"', "CONFIG-002"),
    ("phones wrong type", "GOVSITE_PUBLIC_PHONES = 12345", "CONFIG-002"),
    ("name error", "GOVSITE_NAME = UNDEFINED_NAME", "CONFIG-001"),
]

COLUMN_CASES = [
    ("invalid yaml", "columns: [\n  - name: x\n    slug: : :\n"),
    ("not a list", "columns: 工作动态\n"),
    ("missing keys", "columns:\n  - name: 工作动态\n    slug: gzdt\n"),
    ("duplicate names", "columns:\n" + ("  - {name: 工作动态, slug: a, type: 工作动态, description: 描述描述描述描述描述, keywords: [a], update: dynamic}\n"
                                        "  - {name: 工作动态, slug: b, type: 工作动态, description: 描述描述描述描述描述, keywords: [a], update: dynamic}\n")),
    ("bad slug", "columns:\n  - {name: 工作动态, slug: 工作, type: 工作动态, description: 描述, keywords: [a], update: dynamic}\n"),
    ("unknown update", "columns:\n  - {name: 工作动态, slug: gzdt, type: 工作动态, description: 描述, keywords: [a], update: weekly}\n"),
    ("unknown parent", "columns:\n  - {name: 工作动态, slug: gzdt, type: 工作动态, description: 描述, keywords: [a], update: dynamic, parent: 无}\n"),
    ("parent cycle", "columns:\n  - {name: A, slug: a, type: 工作动态, description: 描述, keywords: [a], update: dynamic, parent: B}\n"
                     "  - {name: B, slug: b, type: 工作动态, description: 描述, keywords: [a], update: dynamic, parent: A}\n"),
    ("empty file", ""),
]


def _assert_failed_cleanly(root: Path, result, rule_id: str) -> None:
    assert result.exit_code == 1
    assert not (root / "output").exists(), "no partial output"
    hits = [f for f in result.findings if f.rule == rule_id and f.severity == "error"]
    assert hits, [(f.rule, f.message) for f in result.findings if f.severity == "error"]
    assert all("Traceback" not in f.message for f in result.findings)


@pytest.mark.parametrize("name, line, rule_id", SETTINGS_CASES, ids=[c[0] for c in SETTINGS_CASES])
def test_bad_settings(tmp_path, name, line, rule_id):
    root = make_project(tmp_path, sample=False, settings=line)
    result = build(root)
    _assert_failed_cleanly(root, result, rule_id)
    hit = next(f for f in result.findings if f.rule == rule_id)
    assert hit.file == "pelicanconf.py"


@pytest.mark.parametrize("name, text", COLUMN_CASES, ids=[c[0] for c in COLUMN_CASES])
def test_bad_column_registry(tmp_path, name, text):
    root = make_project(tmp_path, sample=False, files={"content/columns.yaml": text})
    result = build(root)
    _assert_failed_cleanly(root, result, "COLUMN-001")
    hit = next(f for f in result.findings if f.rule == "COLUMN-001")
    assert hit.file == "content/columns.yaml"


def test_duplicate_slugs(tmp_path):
    extra = "slug: same-slug"
    root = make_project(tmp_path, sample=False, files={
        "content/articles/a.md": article("第一篇", extra=extra), "content/articles/b.md": article("第二篇", extra=extra)})
    result = build(root)
    _assert_failed_cleanly(root, result, "CONTENT-005")


def test_html_allow_lets_a_reviewed_iframe_through(tmp_path):
    body = '<iframe src="/images/map.html" title="地图"></iframe>\n\n正文。'
    text = article(extra="html_allow: iframe 审核人：县政府办 2026-11-01", body=body)
    assert content_errors(tmp_path, text) == []
    assert content_errors(tmp_path, article(body=body))


def test_code_blocks_are_not_hostile(tmp_path):
    body = "示例代码：\n\n```\n<script>alert(1)</script>\n```\n\n行内 `<iframe>` 也只是文字。"
    assert content_errors(tmp_path, article(body=body)) == []


# ---- atomicity, locking ------------------------------------------------------------------------

def _many_docs(root: Path, n: int, tag: str = "") -> None:
    for i in range(n):
        day = 1 + i % 17
        (root / "content" / "articles" / f"bulk-{i:04d}.md").write_text(
            article(f"示例县工作动态第{i}号{tag}", date=f"2026-11-{day:02d} {8 + i % 10:02d}:{i % 60:02d}",
                    body="段落内容。" * 40), encoding="utf-8")


def _subprocess_build(root: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "govsite", "build", "--root", str(root), "--skip-browser"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONHASHSEED": "0"})


def test_sigkill_during_build_leaves_previous_output(tmp_path):
    root = make_project(tmp_path, sample=False)
    _many_docs(root, 300)
    started = time.monotonic()
    assert subprocess.run([sys.executable, "-m", "govsite", "build", "--root", str(root), "--skip-browser"],
                          capture_output=True).returncode == 0
    duration = time.monotonic() - started
    before = snapshot(root / "output")
    _many_docs(root, 300, tag="（修订）")
    rng = random.Random(42)
    killed = 0
    seen: list[dict[str, bytes]] = []
    for _ in range(6):
        proc = _subprocess_build(root)
        time.sleep(rng.uniform(0.1, 0.9) * duration)
        if proc.poll() is not None:
            continue  # finished before the kill: nothing to prove this round
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed += 1
        seen.append(snapshot(root / "output"))
    assert killed >= 3
    done = subprocess.run([sys.executable, "-m", "govsite", "build", "--root", str(root), "--skip-browser"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-2000:]
    after = snapshot(root / "output")
    assert after != before and any("（修订）".encode() in data for data in after.values())
    # A kill leaves either the previous site or — if it landed after the atomic swap, while the process was
    # still writing its reports — the complete new one; never a mixture.
    states = ["previous" if s == before else "new" if s == after else "mixed" for s in seen]
    assert "mixed" not in states, states
    assert "previous" in states, states
    assert not any(p.name.startswith(".govsite-staging") for p in root.iterdir())


def test_two_builds_at_once(tmp_path):
    root = make_project(tmp_path, sample=False)
    _many_docs(root, 150)
    a, b = _subprocess_build(root), _subprocess_build(root)
    out_a, out_b = a.communicate()[0].decode(), b.communicate()[0].decode()
    codes = sorted([a.returncode, b.returncode])
    assert codes == [0, 3], (codes, out_a[-500:], out_b[-500:])
    assert "另一个构建正在进行" in (out_a + out_b)
    assert (root / "output" / "index.html").is_file()
