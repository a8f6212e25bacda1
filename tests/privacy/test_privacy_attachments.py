"""Attachments: real .xlsx/.docx/.pdf/.csv/.txt files written to tmp_path."""

from __future__ import annotations

from pathlib import Path

import pytest

from govsite.privacy import DEFAULT_POLICY, AttachmentError, scan_attachment, write_masked_copy

from .helpers import make_card, make_id, make_pdf

ID = "11010519491231002X"
ID_DIGIT = make_id("530102", "19800101", "123")  # numeric check char, storable as a number
MOBILE = "13800138000"


def locs(hits) -> list[tuple[str, str]]:
    return [(h.location, h.match.kind) for h in hits]


# -- xlsx -------------------------------------------------------------------------------


def _xlsx(path: Path) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "低保名单"
    ws["A1"] = "2026年示例镇救助对象名单"  # title row that itself names a person field
    ws.merge_cells("A1:F1")
    ws.append(["序号", "户主", "身份证号", "家庭住址", "联系电话", "备注"])
    ws.append([1, "张三", ID, "红旗村3组15号", MOBILE, "依据示政发〔2026〕3号"])
    ws.append([2, "李四", int(ID_DIGIT), "向阳村2组8号", 13900139000, None])
    ws.append([3, "王五", 1.1010519491231e17, "金色海岸15-2-301", "0871-65125678", "2026-11-20"])
    office = wb.create_sheet("说明")
    office.append(["单位", "咨询电话"])
    office.append(["县民政局", "0871-65123456"])
    office.append(["统一社会信用代码", "11530000MB1234567X"])
    wb.save(path)
    return path


def test_xlsx_scan_locations(tmp_path: Path) -> None:
    hits = scan_attachment(_xlsx(tmp_path / "名单.xlsx"))
    assert locs(hits) == [
        ("低保名单!C3", "id18"),
        ("低保名单!D3", "address"),
        ("低保名单!E3", "mobile"),
        ("低保名单!C4", "numeric_id"),  # ID typed as a number: Excel keeps 15–17 significant digits
        ("低保名单!D4", "address"),
        ("低保名单!E4", "mobile"),  # mobile typed as a number
        ("低保名单!C5", "numeric_id"),  # precision lost → 疑似身份证号（数字格式）
        ("低保名单!D5", "address"),  # found because the column header is 家庭住址
        ("低保名单!E5", "landline"),  # person list → landline is personal
    ]
    assert hits[6].match.label == "疑似身份证号（数字格式）"
    assert hits[3].match.masked.startswith("530102********")
    assert all(h.path.endswith("名单.xlsx") for h in hits)


def test_xlsx_masked_copy_scans_clean(tmp_path: Path) -> None:
    import openpyxl

    src = _xlsx(tmp_path / "a.xlsx")
    dst = tmp_path / "b.xlsx"
    assert write_masked_copy(src, dst) == 9
    assert scan_attachment(dst) == []
    ws = openpyxl.load_workbook(dst)["低保名单"]
    assert ws["C3"].value == "110105********002X"
    assert ws["D3"].value == "红旗村" and ws["D5"].value == "金色海岸"
    assert ws["C4"].value.startswith("530102********") and ws["C4"].number_format == "@"
    assert ws["F3"].value == "依据示政发〔2026〕3号"
    assert openpyxl.load_workbook(dst)["说明"]["B2"].value == "0871-65123456"


def test_numeric_cells() -> None:
    from govsite.privacy.attachments import _cell_matches

    # An exact integer that is a valid ID is an ID; a mobile stored as a number is a mobile.
    assert [m.kind for m in _cell_matches(int(ID_DIGIT), DEFAULT_POLICY, False, "")] == ["id18"]
    assert [m.kind for m in _cell_matches(13900139000, DEFAULT_POLICY, False, "")] == ["mobile"]
    assert [m.kind for m in _cell_matches(6.222021234567891e18, DEFAULT_POLICY, False, "")] == ["numeric_card"]
    assert _cell_matches(1234567.5, DEFAULT_POLICY, True, "") == []
    assert _cell_matches(20261120, DEFAULT_POLICY, True, "") == []


# -- csv / txt --------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_and_masked_copy(tmp_path: Path, encoding: str) -> None:
    src = tmp_path / "list.csv"
    card = make_card()
    text = f"姓名,身份证号,银行卡号,住址\r\n张三,{ID},{card},红旗村3组15号\r\n"
    src.write_bytes(text.encode(encoding))
    assert locs(scan_attachment(src)) == [("第2行第2列", "id18"), ("第2行第3列", "bankcard"), ("第2行第4列", "address")]
    dst = tmp_path / "masked.csv"
    assert write_masked_copy(src, dst) == 3
    out = dst.read_bytes().decode(encoding)
    assert out == f"姓名,身份证号,银行卡号,住址\r\n张三,110105********002X,{'*' * 15}{card[-4:]},红旗村\r\n"
    assert scan_attachment(dst) == []


def test_txt_lines(tmp_path: Path) -> None:
    src = tmp_path / "公示.txt"
    src.write_text(
        f"关于补贴发放的公示\n\n申请人张三，身份证号{ID}，\n手机{MOBILE}。\n咨询电话：0871-65123456\n", "utf-8"
    )
    assert locs(scan_attachment(src)) == [("第3行", "id18"), ("第4行", "mobile")]
    dst = tmp_path / "m.txt"
    assert write_masked_copy(src, dst) == 2
    assert "咨询电话：0871-65123456" in dst.read_text("utf-8")
    assert scan_attachment(dst) == []


# -- docx -------------------------------------------------------------------------------


def _docx(path: Path) -> Path:
    import docx

    doc = docx.Document()
    doc.add_paragraph("关于2026年危房改造补助对象的公示")
    p = doc.add_paragraph("申请人张三，身份证号110105")
    p.add_run("19491231").bold = True  # split across runs, as Word often does
    p.add_run(f"002X，联系电话{MOBILE}。")
    doc.add_paragraph("咨询电话：0871-65123456")
    table = doc.add_table(rows=3, cols=3)
    for c, h in enumerate(["姓名", "家庭住址", "联系电话"]):
        table.cell(0, c).text = h
    for c, v in enumerate(["李四", "向阳村2组8号", "0874-3125678"]):
        table.cell(1, c).text = v
    for c, v in enumerate(["王五", "东风村5组21号", ID_DIGIT]):
        table.cell(2, c).text = v
    doc.sections[0].footer.paragraphs[0].text = f"经办人手机 {MOBILE}"
    doc.save(path)
    return path


def test_docx_scan_and_masked_copy(tmp_path: Path) -> None:
    import docx

    src = _docx(tmp_path / "公示.docx")
    assert locs(scan_attachment(src)) == [
        ("第2段", "id18"),
        ("第2段", "mobile"),
        ("表1 第2行第2列", "address"),
        ("表1 第2行第3列", "landline"),
        ("表1 第3行第2列", "address"),
        ("表1 第3行第3列", "id18"),
        ("页脚第1段", "mobile"),
    ]
    dst = tmp_path / "out.docx"
    assert write_masked_copy(src, dst) == 7
    assert scan_attachment(dst) == []
    doc = docx.Document(str(dst))
    runs = doc.paragraphs[1].runs
    assert [r.text for r in runs] == ["申请人张三，身份证号110105", "********", "002X，联系电话138****8000。"]
    assert runs[1].bold  # formatting kept
    assert doc.paragraphs[2].text == "咨询电话：0871-65123456"
    assert doc.tables[0].cell(1, 1).text == "向阳村" and doc.tables[0].cell(1, 2).text == "0874-***5678"
    assert doc.sections[0].footer.paragraphs[0].text == "经办人手机 138****8000"


# -- pdf --------------------------------------------------------------------------------


def test_pdf_text_layer_pages(tmp_path: Path) -> None:
    src = tmp_path / "list.pdf"
    make_pdf(src, [["Notice 2026-11-20", "Hotline 12345"], ["Zhang San", f"ID {ID}", f"Mobile {MOBILE}"]])
    hits = scan_attachment(src)
    assert locs(hits) == [("第2页", "id18"), ("第2页", "mobile")]
    with pytest.raises(AttachmentError, match="list.pdf"):
        write_masked_copy(src, tmp_path / "x.pdf")  # PDFs cannot be rewritten safely


def test_encrypted_pdf(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = tmp_path / "plain.pdf"
    make_pdf(plain, [[f"ID {ID}"]])
    writer = PdfWriter()
    for page in PdfReader(str(plain)).pages:
        writer.add_page(page)
    writer.encrypt(user_password="secret", algorithm="RC4-128")
    enc = tmp_path / "enc.pdf"
    with enc.open("wb") as fh:
        writer.write(fh)
    with pytest.raises(AttachmentError, match="enc.pdf.*加密"):
        scan_attachment(enc)


# -- errors -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bad.xlsx", "bad.docx", "bad.pdf"])
def test_corrupt_files_raise_attachment_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"PK\x03\x04 not really a zip" + bytes(range(256)))
    with pytest.raises(AttachmentError, match=name):
        scan_attachment(path)
    if not name.endswith(".pdf"):
        with pytest.raises(AttachmentError, match=name):
            write_masked_copy(path, tmp_path / ("out" + path.suffix))


def test_unsupported_and_missing(tmp_path: Path) -> None:
    old = tmp_path / "名单.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(AttachmentError, match="暂不支持 .xls"):
        scan_attachment(old)
    with pytest.raises(AttachmentError, match="不存在"):
        scan_attachment(tmp_path / "nope.csv")


def test_undecodable_text(tmp_path: Path) -> None:
    path = tmp_path / "x.txt"
    path.write_bytes(b"\xff\xfe\x00\x81\x30\x81\x30\xff")
    with pytest.raises(AttachmentError, match="编码"):
        scan_attachment(path)
