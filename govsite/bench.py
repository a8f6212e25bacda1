"""Benchmark: govsite against vanilla Pelican on the same deterministic synthetic county portal.

Each measurement runs in its own subprocess so that wall time and peak RSS are that build's alone.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
TOPICS = ["秋收冬种", "森林防火", "乡村振兴", "招商引资", "义务教育", "医疗保障", "防汛抗旱", "安全生产", "营商环境", "生态保护",
          "就业创业", "文化旅游", "交通建设", "城乡供水", "民生实事", "高标准农田"]
TOWNS = ["城关镇", "示例镇", "河口乡", "青山镇", "红旗乡", "东坝镇", "西山乡", "南屏镇"]
SENT = ("会议强调，要坚持以人民为中心的发展思想，压实工作责任，确保各项任务落到实处。"
        "各乡（镇）、各部门要加强统筹协调，细化工作措施，按时保质完成目标任务。"
        "下一步，示例县将持续巩固拓展工作成效，推动经济社会高质量发展。")


def _id18(rng: random.Random) -> str:
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    body = f"539999{rng.randint(1950, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + "10X98765432"[sum(int(a) * b for a, b in zip(body, w, strict=True)) % 11]


def generate(n: int, dest: Path, seed: int = 20261120) -> Path:
    """Write a project with ``n`` documents of every type; returns the project root."""
    rng = random.Random(seed)
    if dest.exists():
        shutil.rmtree(dest)
    (dest / "content" / "articles").mkdir(parents=True)
    shutil.copy(REPO / "pelicanconf.py", dest / "pelicanconf.py")
    shutil.copy(REPO / "content" / "columns.yaml", dest / "content" / "columns.yaml")
    shutil.copytree(REPO / "content" / "pages", dest / "content" / "pages")
    for name in ("theme", "plugins"):
        (dest / name).symlink_to(REPO / name)
    (dest / "content" / "images").mkdir()
    (dest / "content" / "attachments").mkdir()
    from PIL import Image

    for i in range(4):
        Image.new("RGB", (320, 200), (180 - i * 30, 40 + i * 20, 40)).save(dest / "content" / "images" / f"chart{i}.png")
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["序号", "项目", "金额（万元）"])
    for i in range(20):
        ws.append([i + 1, f"{rng.choice(TOPICS)}项目", rng.randint(10, 900)])
    wb.save(dest / "content" / "attachments" / "stats.xlsx")
    upstream: list[str] = ["items:"]
    now_day = 320  # 2026-11-16 as day-of-year
    counts = {"policy": 0}
    # Every policy is followed by its interpretation (written in the same step), so "policy" counts twice.
    weights = [("news", 52), ("notice", 14), ("policy", 8), ("reprint", 6), ("guide", 3), ("public-notice", 9)]
    kinds = [k for k, w in weights for _ in range(w)]
    columns = {"news": ["工作动态", "走进示例"], "notice": ["通知公告", "人事信息", "规划计划", "政府信息公开制度", "法定主动公开内容", "机构职能",
                                                       "政府信息公开指南"],
               "policy": ["政策文件"], "interpretation": ["政策解读"], "reprint": ["国务院及省政府信息"], "guide": ["办事服务"],
               "public-notice": ["通知公告"]}
    import datetime as dt

    base = dt.date(2026, 1, 1)

    def day_str(day: int, hour: int, minute: int) -> str:
        d = base + dt.timedelta(days=day)
        return f"{d:%Y-%m-%d} {hour:02d}:{minute:02d}"

    for i in range(n):
        kind = kinds[i % len(kinds)] if i >= 20 else ["news", "policy", "reprint", "guide", "notice",
                                                       "public-notice"][i % 6]
        day = now_day - (i * 317 // max(n, 1)) % 300
        hour, minute = 8 + i % 9, (i * 7) % 60
        topic = TOPICS[i % len(TOPICS)]
        col = columns[kind][i % len(columns[kind])]
        title = f"示例县{rng.choice(TOWNS)}{topic}工作情况通报（第{i}期）"
        extra = ""
        body = "\n\n".join(SENT for _ in range(3 + i % 4))
        if kind == "policy":
            col = "政策文件"
            counts["policy"] += 1
            number = f"示政发〔2026〕{counts['policy']}号"
            signed = base + dt.timedelta(days=day - 1)
            extra = (f"doc_number: {number}\nissuer: 示例县人民政府\nsigned_date: {signed:%Y-%m-%d}\n"
                     f"index_number: 11539999MB0000000X/2026-{counts['policy']:05d}\nvalidity: 有效")
            title = f"示例县人民政府关于加强{topic}工作的通知（{number}）"
            interp = (f"title: 图解：{number}要点\ndate: {day_str(day, 18, 0)}\ncategory: 政策解读\ntype: interpretation\n"
                      f"source: 示例县人民政府办公室\ninterprets: {number}\nform: 图解\n\n"
                      f"![{topic}工作图解](/images/chart{i % 4}.png)\n\n{SENT}\n")
            sub = dest / "content" / "articles" / f"{i // 500:02d}"
            sub.mkdir(exist_ok=True)
            (sub / f"interp-{i:05d}.md").write_text(interp, encoding="utf-8")
        elif kind == "reprint":
            url = f"https://www.gov.cn/zhengce/content/2026/content_{7000000 + i}.htm"
            src_time = day_str(day, hour - 1 if hour > 8 else 8, 0)
            extra = f"source_url: {url}\nsource_published: {src_time}"
            title = f"国务院办公厅关于做好{topic}工作的通知（{i}）"
            upstream += [f"  - title: {title}", f"    url: {url}", "    publisher: 中国政府网", f"    published: {src_time}",
                         "    level: 国务院"]
        elif kind == "guide":
            extra = "\n".join(f"{k}: {v}" for k, v in [
                ("item_name", f"{topic}事项办理"), ("legal_basis", "《示例条例》"), ("conditions", "符合条件的申请人"),
                ("materials", "申请书、身份证明"), ("place", "示例县政务服务中心"), ("agency", "示例县相关部门"),
                ("fee", "不收费"), ("hours", "工作日 9:00—17:00"), ("phone", "0871-60000000"), ("process", "申请、受理、审核、办结")])
            body += "\n\n[下载统计表](/attachments/stats.xlsx)"
        elif kind == "public-notice":
            rows = "\n".join(f"| {j + 1} | 张某{j} | {TOWNS[j % 8]}红旗村 | {_id18(rng)} | 1{rng.randint(30, 99)}{rng.randint(0, 99999999):08d} |"
                             for j in range(8))
            body = "| 序号 | 姓名 | 住址 | 身份证号 | 联系电话 |\n|---|---|---|---|---|\n" + rows + "\n\n" + SENT
            title = f"{rng.choice(TOWNS)}2026年度城乡低保拟保对象公示（第{i}期）"
        source = "中国政府网" if kind == "reprint" else "示例县人民政府办公室"
        text = (f"title: {title}\ndate: {day_str(day, hour, minute)}\ncategory: {col}\ntype: {kind}\nsource: {source}\n"
                + (extra + "\n" if extra else "") + "\n" + body + "\n")
        sub = dest / "content" / "articles" / f"{i // 500:02d}"
        sub.mkdir(exist_ok=True)
        (sub / f"doc-{i:05d}.md").write_text(text, encoding="utf-8")
    for kind, year_title in (("信息公开年报", "示例县人民政府2025年政府信息公开工作年度报告"),
                             ("网站年度报表", "示例县人民政府门户网站2025年政府网站工作年度报表")):
        (dest / "content" / "articles" / f"report-{kind}.md").write_text(
            f"title: {year_title}\ndate: 2026-01-2{5 if '报表' in kind else 0} 09:00\ncategory: 政府信息公开年报\ntype: report\n"
            f"source: 示例县人民政府办公室\nreport_kind: {kind}\nreport_year: 2025\n\n"
            "信息发布、专栏专题、解读回应、办事服务、互动交流、安全防护、移动新媒体、创新发展。\n", encoding="utf-8")
    (dest / "content" / "upstream").mkdir()
    (dest / "content" / "upstream" / "bench.yaml").write_text("\n".join(upstream) + "\n", encoding="utf-8")
    return dest


VANILLA_CONF = '''
PATH = "content"
OUTPUT_PATH = "vanilla-output"
SITENAME = "示例县人民政府"
SITEURL = ""
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh"
ARTICLE_PATHS = ["articles"]
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["attachments", "images"]
ARTICLE_URL = "{category}/{date:%Y%m}/t{date:%Y%m%d}_{slug}.html"
ARTICLE_SAVE_AS = ARTICLE_URL
FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
DEFAULT_PAGINATION = 20
IGNORE_FILES = [".#*", "upstream"]
CACHE_CONTENT = {cache}
LOAD_CONTENT_CACHE = {cache}
CACHE_PATH = "vanilla-cache"
'''

_MEASURE = r'''
import json, os, resource, subprocess, sys, time

def tree(root):
    kids = {}
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                with open(f"/proc/{name}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            kids.setdefault(ppid, []).append(int(name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += kids.get(pid, [])
    return out

def pss_kb(pid):
    try:
        with open(f"/proc/{pid}/smaps_rollup") as fh:
            for line in fh:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0

t = time.perf_counter()
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
peak = 0
import threading
err = []
reader = threading.Thread(target=lambda: err.append(p.stderr.read()))
reader.start()
while p.poll() is None:
    peak = max(peak, sum(pss_kb(pid) for pid in tree(p.pid)))
    time.sleep(0.05)
reader.join()
wall = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": wall, "rss_mb": peak / 1024, "max_process_rss_mb": rss, "code": p.returncode,
                  "stderr": "".join(err)[-1500:]}))
'''


def _measure(cmd: list[str], cwd: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", _MEASURE, *cmd], cwd=cwd, capture_output=True, text=True,
                         env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


def _vanilla(root: Path, cache: bool) -> dict[str, Any]:
    (root / "vanilla.py").write_text(VANILLA_CONF.replace("{cache}", str(cache)), encoding="utf-8")
    return _measure([sys.executable, "-m", "pelican", "-s", "vanilla.py", "-q"], root)


def _govsite(root: Path, browser: bool) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "govsite", "build", "--root", str(root)]
    if not browser:
        cmd.append("--skip-browser")
    res = _measure(cmd, root)
    report = root / "reports" / "findings.json"
    if report.is_file():
        data = json.loads(report.read_text(encoding="utf-8"))
        res["stages"] = data.get("timing", {}).get("stages", {})
        res["browser_seconds"] = data.get("timing", {}).get("browser_seconds")
        res["page_workers"] = data.get("timing", {}).get("page_workers")
        res["errors"] = data.get("summary", {}).get("error")
    return res


def _edit_one(root: Path) -> None:
    path = sorted((root / "content" / "articles").rglob("doc-*.md"))[0]
    path.write_text(path.read_text(encoding="utf-8") + "\n（补充说明）\n", encoding="utf-8")


def run_bench(n: int = 5000, runs: int = 3, workdir: Path | None = None, browser: bool = False) -> dict[str, Any]:
    workdir = workdir or REPO / "bench-results"
    root = generate(n, workdir / f"site-{n}")
    env_now = {"GOVSITE_NOW": "2026-11-20T18:00:00+08:00"}
    os.environ.update(env_now)
    samples: dict[str, list[dict[str, Any]]] = {k: [] for k in (
        "vanilla_cold", "vanilla_warm", "vanilla_edit", "govsite_cold", "govsite_warm", "govsite_edit")}
    browser_runs: dict[str, list[dict[str, Any]]] = {"cold": [], "edit": []}
    for _ in range(runs):
        shutil.rmtree(root / "vanilla-cache", ignore_errors=True)
        shutil.rmtree(root / "vanilla-output", ignore_errors=True)
        samples["vanilla_cold"].append(_vanilla(root, cache=True))
        samples["vanilla_warm"].append(_vanilla(root, cache=True))
        _edit_one(root)
        samples["vanilla_edit"].append(_vanilla(root, cache=True))
        for d in ("output", ".govsite-cache", "reports"):
            shutil.rmtree(root / d, ignore_errors=True)
        # The targets compare the build with every non-browser gate; the browser gate is measured on its own.
        samples["govsite_cold"].append(_govsite(root, browser=False))
        samples["govsite_warm"].append(_govsite(root, browser=False))
        _edit_one(root)
        samples["govsite_edit"].append(_govsite(root, browser=False))
        if browser:
            shutil.rmtree(root / ".govsite-cache", ignore_errors=True)
            browser_runs["cold"].append(_govsite(root, browser=True))
            _edit_one(root)
            browser_runs["edit"].append(_govsite(root, browser=True))
    med = {k: {"seconds": statistics.median(s["seconds"] for s in v), "rss_mb": statistics.median(s["rss_mb"] for s in v),
               "max_process_rss_mb": statistics.median(s.get("max_process_rss_mb", 0) for s in v)}
           for k, v in samples.items()}
    page_stage = statistics.median(s.get("stages", {}).get("page", 0.0) for s in samples["govsite_cold"])
    page_stage_edit = statistics.median(s.get("stages", {}).get("page", 0.0) for s in samples["govsite_edit"])
    browser_cold = (statistics.median(s.get("browser_seconds") or 0.0 for s in browser_runs["cold"])
                    if browser_runs["cold"] else 0.0)
    browser_edit = (statistics.median(s.get("browser_seconds") or 0.0 for s in browser_runs["edit"])
                    if browser_runs["edit"] else 0.0)
    one = sorted((root / "content" / "articles").rglob("doc-*.md"))[1]
    checkfile = statistics.median(
        _measure([sys.executable, "-m", "govsite", "check-file", str(one)], root)["seconds"] for _ in range(3))
    try:
        from govsite.privacy.detect import bench_throughput

        pii = bench_throughput(20)
    except Exception as exc:  # the table still prints; the JSON says why
        pii = f"unavailable: {exc}"
    result = {
        "documents": n, "runs": runs, "medians": med,
        "ratios": {
            "cold": med["govsite_cold"]["seconds"] / med["vanilla_cold"]["seconds"],
            "warm": med["govsite_warm"]["seconds"] / med["vanilla_warm"]["seconds"],
            "edit_vs_vanilla_cold": med["govsite_edit"]["seconds"] / med["vanilla_cold"]["seconds"],
            "rss": med["govsite_cold"]["rss_mb"] / med["vanilla_cold"]["rss_mb"],
        },
        "page_stage_seconds": page_stage, "page_stage_edit_seconds": page_stage_edit,
        "page_workers": [s.get("page_workers") for s in samples["govsite_cold"]],
        "samples": {k: [{"seconds": round(x["seconds"], 2), "rss_mb": round(x["rss_mb"], 1)} for x in v]
                    for k, v in samples.items()},
        "browser_cold_seconds": browser_cold, "browser_edit_seconds": browser_edit,
        "pii_mb_per_s": pii,
        "check_file_seconds": checkfile,
        "govsite_exit_codes": [s["code"] for k in ("govsite_cold", "govsite_warm", "govsite_edit") for s in samples[k]],
        "govsite_errors": [s.get("errors") for s in samples["govsite_cold"]],
        "targets": {},
    }
    r = result["ratios"]
    result["targets"] = {
        "cold ≤ 1.25× vanilla": r["cold"] <= 1.25,
        "edit ≤ 0.6× vanilla cold": r["edit_vs_vanilla_cold"] <= 0.6,
        "peak RSS ≤ 1.5× vanilla": r["rss"] <= 1.5,
        "PII ≥ 50 MB/s": isinstance(pii, float) and pii >= 50,
        "check-file one document < 1 s": checkfile < 1.0,
    }
    if browser:
        result["targets"]["browser cold ≤ 60 s"] = browser_cold <= 60
        result["targets"]["browser edit ≤ 15 s"] = browser_edit <= 15
    out = workdir / f"bench-{n}.json"
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n", encoding="utf-8")
    result["json"] = str(out)
    return result


def print_table(result: dict[str, Any]) -> None:
    med = result["medians"]
    print(f"\n{result['documents']} documents, median of {result['runs']} runs")
    print(f"{'':24}{'vanilla s':>11}{'govsite s':>11}{'ratio':>8}{'vanilla MB':>12}{'govsite MB':>12}")
    for label, key in (("cold", "cold"), ("warm cache", "warm"), ("after 1 edit", "edit")):
        v, g = med[f"vanilla_{key}"], med[f"govsite_{key}"]
        print(f"{label:24}{v['seconds']:>11.2f}{g['seconds']:>11.2f}{g['seconds'] / v['seconds']:>8.2f}"
              f"{v['rss_mb']:>12.0f}{g['rss_mb']:>12.0f}")
    print("memory: peak PSS summed over the build's processes (page-stage workers included)")
    print(f"page stage (govsite cold): {result['page_stage_seconds']:.2f} s in {result['page_workers']} processes; "
          f"after 1 edit: {result['page_stage_edit_seconds']:.2f} s")
    print(f"edit rebuild / vanilla cold: {result['ratios']['edit_vs_vanilla_cold']:.2f}")
    pii = result["pii_mb_per_s"]
    print(f"check-file, one document: {result['check_file_seconds']:.2f} s")
    print(f"PII scan throughput: {pii:.1f} MB/s" if isinstance(pii, float) else f"PII scan: {pii}")
    if result.get("browser_cold_seconds"):
        print(f"browser gate: cold {result['browser_cold_seconds']:.1f} s, after one edit {result['browser_edit_seconds']:.1f} s")
    for name, ok in result["targets"].items():
        print(f"  [{'达标' if ok else '未达标'}] {name}")
    print(f"JSON: {result.get('json')}")


if __name__ == "__main__":
    t = time.time()
    res = run_bench(int(sys.argv[1]) if len(sys.argv) > 1 else 500, runs=1)
    print_table(res)
    print(f"({time.time() - t:.0f} s)")
