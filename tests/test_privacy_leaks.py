"""Privacy under failure (issue 10): a 1,000-document site with personal data planted in every field.

Title, summary, keywords, author, source, body tables and paragraphs, image alt text, explicit slugs, file names,
attachments and photos all carry raw values. The first build fails (attachments and file names cannot be masked
at publish): nothing is published and neither the reports nor the terminal show a raw value. After the editor's
fixes (masked copies of the attachments, renamed files) the build passes and the *entire* output — every byte of
every file and every file name — holds none of the planted values, in any spelling.
"""

from __future__ import annotations

import html
import io
import re
import time
from pathlib import Path

import pytest
from PIL import Image
from sitekit import build, make_project

from govsite.privacy import has_gps, write_masked_copy
from govsite.privacy.checks import id18_check_char, luhn_complete
from govsite.privacy.policy import normalize_chars

N = 1000
FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def pid(i: int, salt: int = 0) -> str:
    year = 1950 + (i * 7 + salt) % 55
    body = f"5301{2 + salt:02d}{year}{1 + i % 12:02d}{1 + (i // 12) % 28:02d}{(i * 3 + salt) % 1000:03d}"
    return body + id18_check_char(body)


def mobile(i: int, prefix: str) -> str:
    return f"{prefix}{i:08d}"


def card(i: int) -> str:
    return luhn_complete(f"622202{i:012d}")


def grouped(value: str, sizes: tuple[int, ...], sep: str = " ") -> str:
    out, pos = [], 0
    for n in sizes:
        out.append(value[pos : pos + n])
        pos += n
    return sep.join(out)


class Planted:
    def __init__(self) -> None:
        self.values: set[str] = set()
        self.allowed: set[str] = set()  # IDs an exemption publishes as written

    def __call__(self, value: str) -> str:
        self.values.add(value.upper())
        return value

    def allow(self, value: str) -> str:
        self.allowed.add(value.upper())
        return value


def document(i: int, p: Planted) -> tuple[str, str]:
    """(file name, Markdown) of document ``i``: personal data in every field."""
    day = 1 + i % 19
    month = 10 if i % 2 else 11
    exempt = i % 100 == 7
    ident = p.allow if exempt else p  # an exempt (惩戒公示) page publishes its ID numbers as written
    id_body, id_grouped, id_alt, id_summary = (ident(pid(i, salt)) for salt in range(4))
    m_title, m_kw, m_author, m_source = (p(mobile(i, pre)) for pre in ("135", "136", "137", "138"))
    m_row, m_full, m_split, m_para = (p(mobile(i, pre)) for pre in ("139", "150", "151", "152"))
    c_row = p(card(i))
    slug = f"slug: lianxi-{p(mobile(i, '153'))}\n" if i % 50 == 3 else ""
    extra = (f"summary: 对象 {id_summary} 符合条件\nkeywords: 名单,{m_kw}\nauthor: 经办人 {m_author}\n{slug}"
             + ("privacy_exempt: 惩戒公示\nprivacy_basis: 《最高人民法院关于公布失信被执行人名单信息的若干规定》\n" if exempt else ""))
    body = (
        "| 序号 | 姓名 | 家庭住址 | 身份证号 | 联系电话 | 银行卡号 |\n|---|---|---|---|---|---|\n"
        f"| 1 | 张{i} | 示例镇红旗村{1 + i % 9}组{10 + i % 80}号 | {id_body} | {m_row} | {c_row} |\n"
        f"| 2 | 李{i} | 示例镇新华社区 | {grouped(id_grouped, (6, 8, 4))} | {m_full.translate(FULLWIDTH)} | |\n\n"
        f"联系人：赵{i}，手机 {grouped(m_para, (3, 4, 4), '-')}。\n\n"
        f"<p>备用号码：{m_split[:3]}<span>{m_split[3:7]}</span>{m_split[7:]}</p>\n\n"
        f"![现场照片 身份证 {id_alt}](/images/photo{i % 3}.jpg)\n\n"
        f"附件：[名单](/attachments/list{i % 4}.xlsx)\n"
    )
    name = f"zhang-{p(mobile(i, '157'))}.md" if i % 100 == 11 else f"doc-{i:04d}.md"
    text = (f"title: 第{i}期救助名单公示（联系人 {m_title}）\ndate: 2026-{month:02d}-{day:02d} 09:00\ncategory: 通知公告\n"
            f"type: public-notice\nsource: 示例县民政局（{m_source}）\n{extra}\n{body}")
    return name, text


def gps_jpeg(shade: int) -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "TestPhone"
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 3.0), 3: "E", 4: (102.0, 42.0, 5.0)})
    buf = io.BytesIO()
    Image.new("RGB", (16, 16), (shade, 40, 40)).save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def attachment(path: Path, i: int, p: Planted) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = f"名单{i}"
    ws.append(["姓名", "身份证号", "联系电话", "银行卡号"])
    for k in range(5):
        ws.append([f"孙{k}", p(pid(9000 + i * 10 + k, 4)), p(mobile(9000 + i * 10 + k, "158")),
                   p(card(9000 + i * 10 + k))])
    wb.save(path)


# ---- the search ------------------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_SEP = re.compile(r"[\s\-\u00a0\u3000\u2010\u2011\uff0d]")
_RUN = re.compile(r"[0-9X]{11,}")


def _runs(text: str) -> list[str]:
    text = html.unescape(_TAG.sub("", html.unescape(text)))
    return _RUN.findall(_SEP.sub("", normalize_chars(text)).upper())


def raw_values_in_text(text: str, values: set[str]) -> list[str]:
    sizes = {len(v) for v in values}
    return [run[k : k + 3] + "…" for run in _runs(text) for n in sizes for k in range(len(run) - n + 1)
            if run[k : k + n] in values]


def raw_values_in(directory: Path, values: set[str]) -> list[str]:
    """Planted values found in any file's text (tags, entities, full-width, separators undone) or path."""
    sizes = {len(v) for v in values}
    out = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(directory).as_posix()
        runs = _runs(path.read_bytes().decode("utf-8", errors="replace")) + _runs(rel)
        for run in runs:
            for n in sizes:
                for k in range(len(run) - n + 1):
                    if run[k : k + n] in values:
                        out.append(f"{rel}: {run[k:k + 3]}…")
    return out


@pytest.fixture(scope="module")
def bulk(tmp_path_factory: pytest.TempPathFactory) -> dict:
    p = Planted()
    files: dict[str, str | bytes] = {}
    for i in range(N):
        name, text = document(i, p)
        files[f"content/articles/bulk/{name}"] = text
    for k in range(3):
        files[f"content/images/photo{k}.jpg"] = gps_jpeg(60 * k)
    # A file name that is itself personal data (never linked, still published as a static file).
    files[f"content/attachments/{p(pid(4242, 5))}.txt"] = "名单见附件。\n"
    root = make_project(tmp_path_factory.mktemp("bulk"), sample=False, files=files)
    for k in range(4):
        attachment(root / "content" / "attachments" / f"list{k}.xlsx", k, p)
    return {"root": root, "planted": p}


def test_failing_build_publishes_nothing_and_reports_no_raw_value(bulk: dict, capsys: pytest.CaptureFixture) -> None:
    root, planted = bulk["root"], bulk["planted"]
    started = time.monotonic()
    result = build(root, quiet=False)
    seconds = time.monotonic() - started
    terminal = capsys.readouterr().out
    assert result.exit_code == 1 and not (root / "output").exists()
    errors = [f for f in result.findings if f.severity == "error"]
    assert errors and {f.rule for f in errors} == {"PRIV-010"}, {(f.rule, f.message) for f in errors}
    located = {f.file for f in errors}
    assert {f"content/attachments/list{k}.xlsx" for k in range(4)} <= located
    assert sum(1 for f in errors if "文件名" in f.message) == N // 100 + 1
    assert raw_values_in(root / "reports", planted.values | planted.allowed) == []
    assert raw_values_in_text(terminal, planted.values | planted.allowed) == []
    # Every document was masked and scanned: 1,000 sources at the content stage.
    assert result.run.coverage["PRIV-002"] >= N
    print(f"\n1,000-document failing build: {seconds:.1f} s")


def test_fixed_site_publishes_clean_output(bulk: dict) -> None:
    root, planted = bulk["root"], bulk["planted"]
    content = root / "content"
    # The editor's fixes: masked copies of the attachments, personal data out of every file name.
    for k in range(4):
        src = content / "attachments" / f"list{k}.xlsx"
        tmp = src.with_name(f"masked-{k}.xlsx")
        assert write_masked_copy(src, tmp) == 15
        tmp.replace(src)
    for path in list(content.rglob("*")):
        if path.is_file() and re.search(r"\d{11,}", path.stem):
            path.rename(path.with_name(f"renamed-{abs(hash(path.name)) % 10**6}{path.suffix}"))
    started = time.monotonic()
    result = build(root)
    seconds = time.monotonic() - started
    assert result.exit_code == 0, [(f.rule, f.message) for f in result.findings if f.severity == "error"][:10]
    out = root / "output"
    assert len(list(out.rglob("*.html"))) > N
    assert raw_values_in(out, planted.values) == []
    assert raw_values_in(root / "reports", planted.values | planted.allowed) == []
    # The exemptions were honoured (IDs as written on those pages only), and photos lost their GPS.
    exempt_pages = [p for p in out.rglob("*.html") if any(v in p.read_text("utf-8") for v in planted.allowed)]
    assert len(exempt_pages) >= N // 100
    assert all(not has_gps(out / "images" / f"photo{k}.jpg") and has_gps(content / "images" / f"photo{k}.jpg")
               for k in range(3))
    stats = result.run.data["privacy_gate_stats"]
    assert stats["leaks"] == 0 and stats["pages"] > N
    print(f"\n1,000-document build: {seconds:.1f} s; leak gate {stats['seconds'] * 1000:.0f} ms "
          f"({stats['ms_per_page']:.3f} ms/page, {stats['files']} files, {stats['bytes'] / 1e6:.1f} MB scanned)")
