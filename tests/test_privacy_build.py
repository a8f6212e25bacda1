"""Privacy in real builds (PRIV-001…010): masked everywhere it could appear, and the build proves nothing leaked.

One test site: a person-list article (raw IDs, mobiles, cards, addresses in a 姓名/住址/身份证号/联系电话 table,
plus PII in the title, summary, keywords, author, image alt text and split by inline HTML), an exempt 惩戒公示
page, an .xlsx attachment with raw IDs and a JPEG with GPS EXIF.
"""

from __future__ import annotations

import html
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image
from sitekit import REPO, article, build, findings, make_project, rules_hit

from govsite.checkfile import check_files
from govsite.privacy import has_gps, mask_markdown, write_masked_copy
from govsite.privacy.policy import normalize_chars

# ---- planted values (all valid: ID checksums, Luhn) ------------------------------------------------------
ID_A = "11010519491231002X"
ID_B = "530102198503150018"  # written grouped: 530102 19850315 0018
ID_C = "530999197202280044"
ID_ALT = "530999200101011237"  # image alt text
ID_SUMMARY = "110105198001010120"
ID_XLSX = "530102200508080653"
ID_EXEMPT = "110101199003070011"  # published as written on the exempt page
MOB_A = "13912345678"
MOB_FULLWIDTH = "18611112222"  # written １８６１１１１２２２２
MOB_GROUPED = "13700001111"  # written 137 0000 1111
MOB_PARA = "15887654321"
MOB_SPLIT = "13922223333"  # written 139<span>2222</span>3333
MOB_TITLE = "13566667777"
MOB_AUTHOR = "13344445555"
MOB_XLSX = "15900001234"
MOB_EXEMPT = "13655556666"  # an exemption never covers phones
CARD_A = "6222021234567890128"
CARD_B = "6217000000123456786"
DOOR = "3组15号"

PLANTED = [ID_A, ID_B, ID_C, ID_ALT, ID_SUMMARY, ID_XLSX, MOB_A, MOB_FULLWIDTH, MOB_GROUPED, MOB_PARA, MOB_SPLIT,
           MOB_TITLE, MOB_AUTHOR, MOB_XLSX, MOB_EXEMPT, CARD_A, CARD_B]

FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
LIST_REL = "content/articles/tzgg/2026-11-19-relief-list.md"
EXEMPT_REL = "content/articles/tzgg/2026-11-18-shixin.md"
TABLE_LINE = 14  # the first data row of the table in LIST_REL

PERSON_LIST = article(
    f"示例县临时救助对象名单公示（联系人手机{MOB_TITLE}）", doc_type="public-notice", category="通知公告",
    date="2026-11-19 09:00", source="示例县民政局",
    extra=f"summary: 张三（身份证号{ID_SUMMARY}）等3人符合临时救助条件\nkeywords: 临时救助,名单,{MOB_TITLE}\n"
          f"author: 王小二 {MOB_AUTHOR}",
    body=(
        "经审核，以下人员符合临时救助条件，现予公示：\n\n"
        "| 序号 | 姓名 | 住址 | 身份证号 | 联系电话 | 银行卡号 |\n"
        "|---|---|---|---|---|---|\n"
        f"| 1 | 张三 | 示例镇红旗村{DOOR} | {ID_A} | {MOB_A} | {CARD_A} |\n"
        f"| 2 | 李四 | 示例镇新华社区8栋2单元301室 | 530102 19850315 0018 | {MOB_FULLWIDTH.translate(FULLWIDTH)} | "
        f"{CARD_B[:4]} {CARD_B[4:8]} {CARD_B[8:12]} {CARD_B[12:16]} {CARD_B[16:]} |\n"
        f"| 3 | 王五 | 示例镇团结村2组7号 | {ID_C} | 137 0000 1111 | |\n\n"
        f"联系人：赵六，手机 {MOB_PARA}。\n\n"
        f"<p>备用号码：139<span>2222</span>3333</p>\n\n"
        f"![赵六身份证 {ID_ALT} 现场照片](/images/site.jpg)\n\n"
        "名单下载：[临时救助名单](/attachments/mingdan.xlsx)\n"
    ))
EXEMPT = article(
    "示例县失信被执行人名单公示", doc_type="public-notice", category="通知公告", date="2026-11-18 09:00",
    source="示例县人民法院",
    extra="privacy_exempt: 惩戒公示\nprivacy_basis: 《最高人民法院关于公布失信被执行人名单信息的若干规定》",
    body=(f"| 姓名 | 身份证号 | 住址 | 联系电话 |\n|---|---|---|---|\n"
          f"| 钱七 | {ID_EXEMPT} | 示例镇和平路8号 | {MOB_EXEMPT} |\n"))


def gps_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x0110] = "TestPhone"
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 3.0), 3: "E", 4: (102.0, 42.0, 5.0)})
    buf = io.BytesIO()
    Image.new("RGB", (32, 24), (200, 40, 40)).save(buf, format="JPEG", exif=exif)
    return buf.getvalue()


def person_xlsx(path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(["姓名", "身份证号", "联系电话", "救助金额（元）"])
    ws.append(["孙八", ID_XLSX, MOB_XLSX, 2000])
    wb.save(path)


# ---- the leak search: every byte of every file, and every file name -------------------------------------

_TAG = re.compile(r"<[^>]*>")
_SEP = re.compile(r"[\s\-\u00a0\u3000\u2010\u2011\uff0d]")


def _norm(text: str) -> str:
    """Tags removed (values split by inline tags), entities decoded (feeds), full-width → ASCII, no separators."""
    text = html.unescape(_TAG.sub("", html.unescape(text)))
    return _SEP.sub("", normalize_chars(text)).upper()


def leaks_in(directory: Path, values: list[str]) -> list[str]:
    """Every (file, value) where a raw value appears in a file's text or in a file's path."""
    wanted = [v.upper() for v in values]
    out = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(directory).as_posix()
        name = _norm(rel)
        text = _norm(path.read_bytes().decode("utf-8", errors="replace"))
        out += [f"{rel}: {v[:3]}…" for v in wanted if v in text or v in name]
    return out


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = make_project(tmp_path_factory.mktemp("privacy"), sample=False, files={
        LIST_REL: PERSON_LIST,
        EXEMPT_REL: EXEMPT,
        "content/images/site.jpg": gps_jpeg(),
    })
    (root / "content" / "attachments").mkdir(exist_ok=True)
    person_xlsx(root / "content" / "attachments" / "mingdan.xlsx")
    first = build(root)
    first_reports = {p.name: p.read_text(encoding="utf-8") for p in (root / "reports").iterdir() if p.is_file()}
    published_after_first = (root / "output").exists()
    # The editor's fix: replace the attachment by its masked copy (invoke mask-file) and build again.
    src = root / "content" / "attachments" / "mingdan.xlsx"
    masked = root / "mingdan-masked.xlsx"
    assert write_masked_copy(src, masked) == 2
    masked.replace(src)
    second = build(root)
    return {"root": root, "first": first, "first_reports": first_reports, "published_after_first": published_after_first,
            "second": second}


def test_raw_attachment_fails_the_build_naming_file_and_cell(site: dict) -> None:
    first = site["first"]
    assert first.exit_code == 1 and not site["published_after_first"]
    errors = [f for f in first.findings if f.severity == "error"]
    assert {f.rule for f in errors} == {"PRIV-010"}, [(f.rule, f.message) for f in errors]
    xlsx = [f for f in errors if f.file == "content/attachments/mingdan.xlsx"]
    assert {f.selector for f in xlsx} == {"名单!B2", "名单!C2"}
    assert any("530102********0653" in f.message for f in xlsx)
    assert all("invoke mask-file" in f.fix for f in xlsx)
    for name, text in site["first_reports"].items():  # the failing build's reports show masked values only
        assert not [v for v in PLANTED if v in _norm(text)], name


def test_masked_copy_passes_and_nothing_leaks_anywhere(site: dict) -> None:
    root, second = site["root"], site["second"]
    assert second.exit_code == 0, [(f.rule, f.message) for f in second.findings if f.severity == "error"]
    out = root / "output"
    for must in ("feeds/all.atom.xml", "search-index.json", "sitemap.xml", "manifest.sha256", "images/site.jpg",
                 "attachments/mingdan.xlsx"):
        assert (out / must).is_file(), must
    assert leaks_in(out, PLANTED) == []
    assert leaks_in(root / "reports", PLANTED) == []
    everything = "\n".join(_norm(p.read_bytes().decode("utf-8", "replace")) for p in out.rglob("*") if p.is_file())
    assert DOOR not in everything  # door-level address truncated to the village
    # The leak gate really ran over every output file and found nothing.
    stats = second.run.data["privacy_gate_stats"]
    assert stats["leaks"] == 0 and stats["files"] == len([p for p in out.rglob("*") if p.is_file()])  # manifest too
    assert second.run.coverage["PRIV-008"] > 0 and second.run.coverage["PRIV-009"] >= 1


def test_masked_forms_are_published_where_the_values_were(site: dict) -> None:
    out = site["root"] / "output"
    page = next(out.glob("tzgg/*/t20261119_*.html")).read_text(encoding="utf-8")
    for masked in ("110105********002X", "139****5678", "***************0128", "530999********1237", "135****7777"):
        assert masked in page, masked
    assert "示例镇红旗村" in page
    index = json.loads((out / "search-index.json").read_text(encoding="utf-8"))
    entry = next(e for e in index if "临时救助对象" in e["t"])
    assert "135****7777" in entry["t"] and "110105********0120" in entry["s"]
    feed = (out / "feeds" / "all.atom.xml").read_text(encoding="utf-8")
    assert "135****7777" in feed and "133****5555" in feed  # title and author


def test_exempt_page_keeps_ids_but_never_phones(site: dict) -> None:
    second = site["second"]
    out = site["root"] / "output"
    page = next(out.glob("tzgg/*/t20261118_*.html")).read_text(encoding="utf-8")
    assert ID_EXEMPT in page and "和平路8号" in page  # 惩戒公示: published as written
    assert MOB_EXEMPT not in page and "136****6666" in page
    listed = [f for f in second.findings if f.rule == "PRIV-001" and f.file == EXEMPT_REL]
    assert len(listed) == 1 and listed[0].severity == "info" and "惩戒公示" in listed[0].message
    assert not [f for f in second.findings if f.rule == "PRIV-002" and f.file == EXEMPT_REL]
    assert [f for f in second.findings if f.rule == "PRIV-003" and f.file == EXEMPT_REL]


def test_source_warnings_name_file_line_and_field_with_masked_values(site: dict) -> None:
    second = site["second"]
    priv = [f for f in second.findings if f.rule in ("PRIV-002", "PRIV-003", "PRIV-004", "PRIV-005")
            and f.file == LIST_REL]
    assert priv and {f.severity for f in priv} == {"warning"}
    body_ids = next(f for f in priv if f.rule == "PRIV-002" and f.field is None)
    assert body_ids.line == TABLE_LINE and "已在发布时自动遮盖，请在源文件中遮盖" in body_ids.message
    assert "110105********002X" in body_ids.message
    assert {f.field for f in priv if f.field} >= {"title", "summary", "keywords", "author"}
    assert {"PRIV-002", "PRIV-003", "PRIV-004", "PRIV-005"} <= {f.rule for f in priv}
    dumped = json.dumps(findings(site["root"]), ensure_ascii=False)
    assert not [v for v in PLANTED if v in dumped]


def test_published_image_has_no_gps_but_the_original_keeps_it(site: dict) -> None:
    root = site["root"]
    assert has_gps(root / "content" / "images" / "site.jpg")
    published = root / "output" / "images" / "site.jpg"
    assert not has_gps(published)
    with Image.open(published) as im:
        assert len(im.getexif()) == 0 and im.size == (32, 24)


def test_gps_left_in_a_published_image_fails_the_gate(tmp_path: Path) -> None:
    """PRIV-009 checks the output independently of the stripper: an image that slipped through fails."""
    from checks.privacy import image_metadata

    path = tmp_path / "x.jpg"
    path.write_bytes(gps_jpeg())
    assert image_metadata(path) == ["EXIF", "GPS 位置"]
    png = tmp_path / "x.png"
    exif = Image.Exif()
    exif[0x0110] = "TestPhone"
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 3.0)})
    Image.new("RGB", (8, 8)).save(png, exif=exif)
    assert "EXIF" in image_metadata(png)
    Image.new("RGB", (8, 8)).save(png)
    assert image_metadata(png) == []


def test_removing_the_privacy_plugin_fails_the_gate(tmp_path: Path) -> None:
    root = make_project(tmp_path, sample=False, files={LIST_REL: PERSON_LIST},
                        settings='PLUGINS = [p for p in PLUGINS if p != "govsite_privacy"]')
    result = build(root)
    assert result.exit_code == 1 and "GATE-001" in rules_hit(result)
    gate = " ".join(f.message for f in result.findings if f.rule == "GATE-001")
    assert "PRIV-008" in gate or "govsite_privacy" in gate
    assert not (root / "output").exists()
    assert leaks_in(root / "reports", PLANTED) == []


def test_strict_mode_turns_source_warnings_into_errors(site: dict) -> None:
    root = site["root"]
    relaxed, code = check_files([root / LIST_REL], root=root)
    assert code == 0 and {f.severity for f in relaxed if f.rule == "PRIV-002"} == {"warning"}
    strict, code = check_files([root / LIST_REL], root=root, strict_privacy=True)
    assert code == 1 and {f.severity for f in strict if f.rule == "PRIV-002"} == {"error"}
    assert not [v for v in PLANTED if v in json.dumps([f.to_dict() for f in strict], ensure_ascii=False)]


def test_cli_mask_is_the_build_masking_and_scan_exits_1_on_a_leak(site: dict, tmp_path: Path) -> None:
    root = site["root"]
    text = (root / LIST_REL).read_text(encoding="utf-8").replace("\n", "\r\n", 3)
    (tmp_path / "in.md").write_bytes(text.encode("utf-8"))
    with (tmp_path / "in.md").open("rb") as stdin:
        proc = subprocess.run([sys.executable, "-m", "govsite", "mask", "--root", str(root)], stdin=stdin,
                              capture_output=True, timeout=60, cwd=REPO)
    assert proc.returncode == 0, proc.stderr.decode()
    assert proc.stdout.decode("utf-8") == mask_markdown(text)[0]
    scan = subprocess.run([sys.executable, "-m", "govsite", "scan", "--root", str(root), str(root / LIST_REL)],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert scan.returncode == 1
    assert "PRIV-002" in scan.stdout and "110105********002X" in scan.stdout
    assert not [v for v in PLANTED if v in _norm(scan.stdout + scan.stderr)]
    clean = subprocess.run([sys.executable, "-m", "govsite", "scan", "--root", str(root),
                            str(root / "content" / "attachments")], capture_output=True, text=True, timeout=60,
                           cwd=REPO)
    assert clean.returncode == 0, clean.stdout


def test_leak_gate_catches_what_bypasses_masking(tmp_path: Path) -> None:
    """Masking covers sources; the gate proves the rest: a raw ID in the column registry reaches the column
    page, its meta tags and the home page. The build fails naming the output URLs, and publishes nothing."""
    columns = (REPO / "tests" / "fixtures" / "minimal" / "columns.yaml").read_text(encoding="utf-8")
    leaky = columns.replace("发布示例县人民政府及各部门、各乡镇的重要政务活动和工作进展。",
                            f"发布重要政务活动（联系人身份证号 {ID_A}）。", 1)
    assert leaky != columns
    root = make_project(tmp_path, sample=False, files={"content/columns.yaml": leaky})
    result = build(root)
    assert result.exit_code == 1 and not (root / "output").exists()
    gate = [f for f in result.findings if f.rule == "PRIV-008" and f.severity == "error"]
    assert any(f.url == "/gzdt/index.html" for f in gate), [(f.url, f.message) for f in gate]
    assert all("110105********002X" in f.message for f in gate)
    assert leaks_in(root / "reports", [ID_A]) == []

