"""Write the sample portal's attachments and images (content/attachments, content/images).

Everything here is fictional sample data for 示例县人民政府. Person data in the 公示名单 is already masked
(身份证号 first 6 + 8 stars + last 4, 手机 middle four hidden, 住址 only to 村/社区). Images are drawn with
Pillow and saved without any EXIF/metadata. Run once after changing it; the outputs are committed:

    .venv/bin/python scripts/make_sample_media.py
"""

from __future__ import annotations

import zlib
from pathlib import Path

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent / "content"
ATT = ROOT / "attachments"
IMG = ROOT / "images"

RED = (168, 0, 0)
BLUE = (0, 82, 155)
GREEN = (46, 125, 50)
ORANGE = (230, 126, 34)
GREY = (90, 90, 90)
LIGHT = (245, 247, 250)
WHITE = (255, 255, 255)


# ---- fonts (only digits/Latin are drawn: no CJK font is assumed on build machines) ------------------------
def font(size: int) -> ImageFont.ImageFont:
    for cand in ("DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
                 "LiberationSans-Bold.ttf", "/usr/share/fonts/truetype/liberation/LiberationSans-Bold.ttf"):
        try:
            return ImageFont.truetype(cand, size)
        except OSError:
            continue
    return ImageFont.load_default(size)


def save_png(img: Image.Image, name: str) -> None:
    # A fresh RGB image carries no EXIF; never pass exif=/pnginfo= so no metadata is written.
    img.convert("RGB").save(IMG / name, format="PNG", optimize=True)


def save_jpeg(img: Image.Image, name: str) -> None:
    img.convert("RGB").save(IMG / name, format="JPEG", quality=85, optimize=True)


def frame(w: int, h: int, band: tuple[int, int, int]) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    img = Image.new("RGB", (w, h), WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w - 1, 56), fill=band)
    d.rectangle((0, h - 14, w - 1, h - 1), fill=band)
    return img, d


def bar_chart(name: str, title: str, labels: list[str], values: list[float], unit: str, color,
              w: int = 800, h: int = 480) -> None:
    img, d = frame(w, h, color)
    d.text((24, 14), title, fill=WHITE, font=font(26))
    left, right, top, bottom = 80, w - 40, 100, h - 70
    vmax = max(values) * 1.2
    d.line((left, bottom, right, bottom), fill=GREY, width=2)
    d.line((left, top, left, bottom), fill=GREY, width=2)
    slot = (right - left) / len(values)
    for i, (lab, v) in enumerate(zip(labels, values, strict=False)):
        x0 = left + slot * i + slot * 0.2
        x1 = left + slot * (i + 1) - slot * 0.2
        y0 = bottom - (bottom - top) * v / vmax
        d.rectangle((x0, y0, x1, bottom), fill=color if i < len(values) - 1 else RED)
        txt = f"{v:g}"
        d.text(((x0 + x1) / 2, y0 - 8), txt, fill=(30, 30, 30), font=font(20), anchor="ms")
        d.text(((x0 + x1) / 2, bottom + 12), lab, fill=GREY, font=font(18), anchor="mt")
    d.text((right, top - 30), unit, fill=GREY, font=font(16), anchor="rt")
    save_png(img, name)


def number_cards(name: str, title: str, cards: list[tuple[str, str]], color, w: int = 800, h: int = 460) -> None:
    """Infographic: big numbers in rounded cards (the Chinese captions are in the article's alt text)."""
    img, d = frame(w, h, color)
    d.text((24, 14), title, fill=WHITE, font=font(26))
    cols = 3 if len(cards) > 4 else 2
    rows = (len(cards) + cols - 1) // cols
    cw, ch = (w - 40 * (cols + 1)) / cols, (h - 110 - 30 * (rows + 1)) / rows
    for i, (big, small) in enumerate(cards):
        r, c = divmod(i, cols)
        x0 = 40 + c * (cw + 40)
        y0 = 86 + 30 + r * (ch + 30)
        d.rounded_rectangle((x0, y0, x0 + cw, y0 + ch), radius=16, fill=LIGHT, outline=color, width=3)
        d.text((x0 + cw / 2, y0 + ch * 0.45), big, fill=color, font=font(44), anchor="mm")
        d.text((x0 + cw / 2, y0 + ch * 0.8), small, fill=GREY, font=font(18), anchor="mm")
    save_png(img, name)


def flow_chart(name: str, title: str, steps: int, color, w: int = 800, h: int = 300) -> None:
    """Numbered process steps 1 → 2 → … (captions in the alt text)."""
    img, d = frame(w, h, color)
    d.text((24, 14), title, fill=WHITE, font=font(26))
    gap = (w - 80) / steps
    for i in range(steps):
        cx = 40 + gap * i + gap / 2
        d.ellipse((cx - 46, 120, cx + 46, 212), fill=color)
        d.text((cx, 166), str(i + 1), fill=WHITE, font=font(40), anchor="mm")
        if i < steps - 1:
            x = cx + 52
            d.line((x, 166, x + gap - 104, 166), fill=GREY, width=4)
            d.polygon([(x + gap - 104, 156), (x + gap - 92, 166), (x + gap - 104, 176)], fill=GREY)
    save_png(img, name)


def video_poster(name: str, color) -> None:
    img, d = frame(800, 450, color)
    d.text((24, 14), "VIDEO 2026-06", fill=WHITE, font=font(26))
    d.ellipse((330, 155, 470, 295), fill=color)
    d.polygon([(378, 185), (378, 265), (445, 225)], fill=WHITE)
    d.text((400, 340), "05:32", fill=GREY, font=font(28), anchor="mm")
    save_png(img, name)


def harvest_photo(name: str) -> None:
    """A simple drawn 'photo' of terraced fields at harvest time, saved as JPEG without EXIF."""
    w, h = 960, 540
    img = Image.new("RGB", (w, h), (150, 200, 240))
    d = ImageDraw.Draw(img)
    d.ellipse((760, 50, 860, 150), fill=(255, 220, 90))
    d.polygon([(0, 260), (200, 150), (420, 240), (640, 130), (960, 250), (960, 540), (0, 540)], fill=(70, 120, 70))
    for i, y in enumerate(range(300, 540, 40)):
        shade = (200 - i * 6, 170 - i * 5, 40)
        d.polygon([(0, y), (w, y - 30), (w, y + 10), (0, y + 40)], fill=shade)
    for x in range(60, 900, 120):
        d.polygon([(x, 420), (x + 20, 380), (x + 40, 420)], fill=(230, 190, 60))
    save_jpeg(img, name)


def images() -> None:
    IMG.mkdir(parents=True, exist_ok=True)
    number_cards("2026-minying-jingji-tujie.png", "2026  No.5", [
        ("20%", "price deduction"), ("40%", "SME share"), ("5000", "10k CNY fund"),
        ("1%", "guarantee fee"), ("1", "working day"), ("30", "working days"),
    ], BLUE)
    number_cards("2026-fangxun-tujie.png", "2026  No.9", [
        ("47", "reservoirs"), ("156", "river sections"), ("132", "hazard sites"),
        ("30", "minutes"), ("100000", "sandbags"), ("3000", "life jackets"),
    ], BLUE)
    video_poster("2026-yibao-shipin.png", GREEN)
    flow_chart("2026-qiudong-nongye-tujie.png", "2026  No.18", 5, ORANGE)
    number_cards("2026-xueqian-jiaoyu-tuwen.png", "2026  No.15", [
        ("90", "%"), ("800", "CNY / year"), ("36", "kindergartens"), ("2027", "year"),
    ], GREEN)
    bar_chart("2026-gongshui-tujie.png", "2022-2026", ["2022", "2023", "2024", "2025", "2026"],
              [88.5, 90.2, 92.0, 93.6, 95.1], "%", BLUE)
    flow_chart("2026-zhaoshang-tujie.png", "2026  No.12", 4, RED)
    bar_chart("2025-nianbao-tongji.png", "2025", ["A", "B", "C", "D", "E"], [1862, 412, 96, 38, 27], "n", RED)
    harvest_photo("2026-qiushou.jpg")


# ---- attachments -------------------------------------------------------------------------------
def form_docx(path: Path, title: str, rows: list[tuple[str, str, str, str]], note: str, agency: str) -> None:
    doc = Document()
    doc.core_properties.author = "示例县人民政府"
    doc.core_properties.title = title
    style = doc.styles["Normal"]
    style.font.size = Pt(12)
    h = doc.add_paragraph()
    run = h.add_run(title)
    run.bold = True
    run.font.size = Pt(18)
    h.alignment = 1
    doc.add_paragraph("填表日期：　　年　　月　　日")
    table = doc.add_table(rows=len(rows), cols=4)
    table.style = "Table Grid"
    for r, cells in enumerate(rows):
        for c, text in enumerate(cells):
            table.cell(r, c).text = text
    doc.add_paragraph("")
    doc.add_paragraph("申请人承诺：以上所填信息真实、准确，如有虚假，愿承担相应责任。")
    doc.add_paragraph("申请人（签字或按指印）：　　　　　　　　　　　年　　月　　日")
    doc.add_paragraph(note)
    doc.add_paragraph(f"受理机构：{agency}")
    doc.save(path)


def forms() -> None:
    out = ATT / "forms"
    out.mkdir(parents=True, exist_ok=True)
    form_docx(out / "dibao-shenqingbiao.docx", "示例县最低生活保障申请表", [
        ("申请人姓名", "", "性别", ""),
        ("公民身份号码", "", "民族", ""),
        ("户籍所在地", "", "现居住地", ""),
        ("联系电话", "", "家庭人口", ""),
        ("家庭成员及收入情况", "", "", ""),
        ("申请理由", "", "", ""),
        ("村（居）民委员会意见", "", "乡（镇）人民政府意见", ""),
    ], "说明：本表一式两份，由申请人如实填写，报户籍所在地乡（镇）人民政府或村（居）民委员会。", "示例县民政局")
    form_docx(out / "linshi-jiuzhu-shenqingbiao.docx", "示例县临时救助申请表", [
        ("申请人姓名", "", "性别", ""),
        ("公民身份号码", "", "联系电话", ""),
        ("家庭住址", "", "家庭人口", ""),
        ("遭遇困难类型", "□急难型　□支出型", "申请救助金额（元）", ""),
        ("困难情况说明", "", "", ""),
        ("乡（镇）审核意见", "", "县民政局审批意见", ""),
    ], "说明：急难型救助可先行救助、后补手续；支出型救助须附医疗、教育等支出凭证。", "示例县民政局")
    form_docx(out / "zhaijidi-shenqingbiao.docx", "示例县农村宅基地和建房（规划许可）申请表", [
        ("申请户主姓名", "", "性别", ""),
        ("公民身份号码", "", "联系电话", ""),
        ("户籍所在村（社区）", "", "家庭人口", ""),
        ("拟用地面积（平方米）", "", "拟建房层数", ""),
        ("建房类型", "□原址翻建　□改扩建　□异址新建", "地类", "□建设用地　□未利用地　□农用地"),
        ("村集体经济组织意见", "", "乡（镇）审核意见", ""),
    ], "说明：本表一式三份，申请户、村集体经济组织、乡（镇）人民政府各存一份。", "示例县各乡（镇）人民政府")


def stats_xlsx() -> None:
    out = ATT / "tongji"
    out.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "主要经济指标"
    ws["A1"] = "示例县2026年1—9月主要经济指标"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:D1")
    ws.append(["指标名称", "单位", "1—9月", "同比增长（%）"])
    rows = [
        ("地区生产总值", "亿元", 98.62, 5.3),
        ("  第一产业增加值", "亿元", 21.47, 4.1),
        ("  第二产业增加值", "亿元", 31.85, 6.2),
        ("  第三产业增加值", "亿元", 45.30, 5.2),
        ("规模以上工业增加值", "—", None, 6.8),
        ("固定资产投资", "—", None, 7.5),
        ("社会消费品零售总额", "亿元", 36.18, 4.9),
        ("一般公共预算收入", "亿元", 5.72, 3.6),
        ("城镇常住居民人均可支配收入", "元", 33215, 4.2),
        ("农村常住居民人均可支配收入", "元", 13986, 6.4),
        ("粮食总产量（全年预计）", "万吨", 15.6, 1.8),
    ]
    for r in rows:
        ws.append(list(r))
    ws.append([])
    ws.append(["注：数据来源于示例县统计局，为初步核算数；固定资产投资和规模以上工业只公布增速。"])
    for col, width in zip("ABCD", (30, 8, 12, 16), strict=False):
        ws.column_dimensions[col].width = width
    wb.properties.creator = "示例县统计局"
    wb.save(out / "2026-q3-zhuyao-jingji-zhibiao.xlsx")


def roster_xlsx() -> None:
    """公示名单: every personal value is already masked before publication."""
    out = ATT / "gongshi"
    out.mkdir(parents=True, exist_ok=True)
    wb = Workbook()
    ws = wb.active
    ws.title = "公示名单"
    ws["A1"] = "示例县2026年耕地地力保护补贴发放名单（示例镇）"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells("A1:G1")
    ws.append(["序号", "姓名", "住址", "身份证号", "联系电话", "补贴面积（亩）", "补贴金额（元）"])
    people = [
        ("张某某", "示例镇红旗村", "530999********1218", "139****5678", 6.2),
        ("李某某", "示例镇红旗村", "530999********0426", "158****3306", 4.8),
        ("王某某", "示例镇新华社区", "530999********262X", "137****9012", 3.5),
        ("赵某某", "示例镇团结村", "530999********3111", "182****4470", 7.1),
        ("陈某某", "示例镇团结村", "530999********0025", "151****2289", 5.0),
        ("刘某某", "示例镇向阳村", "530999********1543", "135****8861", 2.6),
        ("杨某某", "示例镇向阳村", "530999********4418", "187****0537", 8.3),
        ("黄某某", "示例镇和平村", "530999********2260", "139****7714", 3.9),
    ]
    rate = 105.0  # 元/亩（虚构标准）
    for i, (name, addr, idno, phone, area) in enumerate(people, 1):
        ws.append([i, name, addr, idno, phone, area, round(area * rate, 2)])
    ws.append([])
    ws.append(["注：本名单中的身份证号、联系电话已按规定作去标识化处理；公示期内如有异议，请向示例镇人民政府反映。"])
    for col, width in zip("ABCDEFG", (6, 10, 16, 22, 14, 14, 14), strict=False):
        ws.column_dimensions[col].width = width
    for row in ws.iter_rows(min_row=2, max_row=2):
        for cell in row:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center")
    wb.properties.creator = "示例县农业农村局"
    wb.save(out / "2026-gengdi-butie-mingdan.xlsx")


def pdf_report() -> None:
    """A tiny valid PDF (print version of the 2025 annual report summary).

    Chinese text uses the standard Adobe CJK font STSong-Light with the predefined UniGB-UCS2-H CMap,
    which PDF readers provide themselves, so no font file is embedded.
    """
    out = ATT / "reports"
    out.mkdir(parents=True, exist_ok=True)
    lines = [
        (20, "示例县人民政府2025年政府信息公开工作年度报告"),
        (12, "（打印版摘要，全文见本网站政府信息公开年报栏目）"),
        (12, "一、总体情况：2025年主动公开政府信息1862条。"),
        (12, "二、收到政府信息公开申请96件，按期办结96件。"),
        (12, "三、政府信息公开行政复议1件、行政诉讼0件。"),
        (12, "四、存在的主要问题及改进情况：政策解读形式有待丰富。"),
        (12, "示例县人民政府办公室　2026年1月20日"),
    ]
    parts = ["BT"]
    y = 780
    for size, text in lines:
        hexstr = text.encode("utf-16-be").hex().upper()
        parts.append(f"/F1 {size} Tf 1 0 0 1 56 {y} Tm <{hexstr}> Tj")
        y -= size + 18
    parts.append("ET")
    stream = zlib.compress("\n".join(parts).encode("ascii"))
    objs = [
        b"<< /Type /Catalog /Pages 2 0 R /Lang (zh-CN) >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 6 0 R >>",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H "
        b"/DescendantFonts [5 0 R] >>",
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light "
        b"/CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> "
        b"/FontDescriptor 7 0 R /DW 1000 >>",
        b"<< /Length " + str(len(stream)).encode() + b" /Filter /FlateDecode >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    ]
    data = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objs, 1):
        offsets.append(len(data))
        data += f"{i} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(data)
    data += f"xref\n0 {len(objs) + 1}\n0000000000 65535 f \n".encode()
    for off in offsets:
        data += f"{off:010d} 00000 n \n".encode()
    data += f"trailer\n<< /Size {len(objs) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    (out / "2025-xxgk-nianbao.pdf").write_bytes(bytes(data))


def main() -> None:
    images()
    forms()
    stats_xlsx()
    roster_xlsx()
    pdf_report()
    for p in sorted(list(ATT.rglob("*.*")) + list(IMG.glob("*.*"))):
        print(p.relative_to(ROOT.parent), p.stat().st_size)


if __name__ == "__main__":
    main()
