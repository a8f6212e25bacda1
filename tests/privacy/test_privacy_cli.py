"""CLI helpers: mask_stream and scan_paths (never print raw values)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import Image

from govsite.privacy import mask_markdown, mask_stream, scan_paths

ID = "11010519491231002X"
MOBILE = "13800138000"


def test_mask_stream_is_the_markdown_masking() -> None:
    text = f"| 姓名 | 住址 |\n|---|---|\n| 张三 | 红旗村3组15号 |\n\n身份证{ID}，手机{MOBILE}\n"
    out = io.StringIO()
    assert mask_stream(io.StringIO(text), out) == 3
    assert out.getvalue() == mask_markdown(text)[0]
    assert ID not in out.getvalue() and MOBILE not in out.getvalue()


def test_scan_paths_lines_and_no_raw_values(tmp_path: Path, capsys) -> None:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(f"Title: 公示\n\n身份证号：{ID}\n\n手机：{MOBILE}\n", "utf-8")
    (tmp_path / "content" / "b.html").write_text(f"<p>\n{MOBILE}</p>", "utf-8")
    (tmp_path / "content" / "c.csv").write_text(f"姓名,身份证号\n张三,{ID}\n", "utf-8")
    (tmp_path / "content" / "bad.xlsx").write_bytes(b"garbage")
    (tmp_path / "content" / ".hidden").mkdir()
    (tmp_path / "content" / ".hidden" / "x.md").write_text(ID, "utf-8")
    exif = Image.Exif()
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 3.0)})
    Image.new("RGB", (8, 8)).save(tmp_path / "content" / "p.jpg", exif=exif)
    lines = scan_paths([tmp_path / "content"])
    base = str(tmp_path / "content")
    assert lines == [
        f"{base}/a.md:3: PRIV-002 身份证号 110105********002X",
        f"{base}/a.md:5: PRIV-003 手机号码 138****8000",
        f"{base}/b.html:2: PRIV-003 手机号码 138****8000",
        lines[3],
        f"{base}/c.csv:第2行第2列: PRIV-002 身份证号 110105********002X",
        f"{base}/p.jpg:EXIF: PRIV-001 图片含GPS位置信息（行踪轨迹），发布前须清除",
    ]
    assert lines[3].startswith(f"{base}/bad.xlsx: 错误 无法读取附件 bad.xlsx")
    printed = capsys.readouterr().out
    assert printed.splitlines() == lines
    assert ID not in printed and MOBILE not in printed
