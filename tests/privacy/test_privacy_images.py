"""EXIF/GPS stripping (行踪轨迹 is sensitive personal information, PIPL art. 28)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from govsite.privacy import AttachmentError, has_gps, strip_image_metadata

ICC = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def _exif(orientation: int | None = None) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x0131] = "Camera app"
    if orientation:
        exif[0x0112] = orientation
    exif.get_ifd(0x8825).update({1: "N", 2: (25.0, 2.0, 3.0), 3: "E", 4: (102.0, 43.0, 1.0)})
    return exif


def _gradient(size: tuple[int, int] = (64, 48)) -> Image.Image:
    im = Image.new("RGB", size)
    im.putdata([(x * 4, y * 5, (x + y) % 256) for y in range(size[1]) for x in range(size[0])])
    return im


def test_jpeg_gps_removed_pixels_identical(tmp_path: Path) -> None:
    src, dst = tmp_path / "photo.jpg", tmp_path / "clean.jpg"
    _gradient().save(src, exif=_exif(), icc_profile=ICC, comment=b"taken at home")
    assert has_gps(src)
    assert strip_image_metadata(src, dst) is True
    assert not has_gps(dst)
    with Image.open(src) as a, Image.open(dst) as b:
        assert b.size == a.size
        assert a.tobytes() == b.tobytes()  # lossless: only metadata segments removed
        assert not b.getexif() and "comment" not in b.info
        assert b.info.get("icc_profile") == ICC  # colour profile kept
    assert strip_image_metadata(dst, tmp_path / "again.jpg") is False  # nothing left to remove


def test_jpeg_orientation_applied_before_dropping(tmp_path: Path) -> None:
    src, dst = tmp_path / "rot.jpg", tmp_path / "rot_clean.jpg"
    _gradient((64, 48)).save(src, exif=_exif(orientation=6))
    assert strip_image_metadata(src, dst) is True
    with Image.open(dst) as b:
        assert b.size == (48, 64)  # rotated 90° as a viewer would show it
        assert not b.getexif()
    assert not has_gps(dst)


def test_png_text_chunks_and_exif(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.png", tmp_path / "b.png"
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "张三 13800138000")
    info.add_itxt("Comment", "家庭住址")
    _gradient().save(src, pnginfo=info, exif=_exif(), icc_profile=ICC)
    assert has_gps(src)
    assert strip_image_metadata(src, dst) is True
    with Image.open(src) as a, Image.open(dst) as b:
        assert a.tobytes() == b.tobytes()
        assert "Author" not in b.info and "Comment" not in b.info
        assert b.info.get("icc_profile") == ICC
    assert not has_gps(dst)
    assert b"13800138000" not in dst.read_bytes()


def test_webp_exif_and_xmp(tmp_path: Path) -> None:
    src, dst = tmp_path / "a.webp", tmp_path / "b.webp"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><exif:GPSLatitude>25,2N</exif:GPSLatitude></x:xmpmeta>'
    _gradient().save(src, exif=_exif(), xmp=xmp, icc_profile=ICC, lossless=True)
    assert has_gps(src)
    assert strip_image_metadata(src, dst) is True
    assert not has_gps(dst) and b"GPSLatitude" not in dst.read_bytes()
    with Image.open(src) as a, Image.open(dst) as b:
        assert a.tobytes() == b.tobytes()
        assert b.info.get("icc_profile") == ICC


def test_in_place_and_errors(tmp_path: Path) -> None:
    path = tmp_path / "inplace.jpg"
    _gradient().save(path, exif=_exif())
    assert strip_image_metadata(path, path) and not has_gps(path)
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"\xff\xd8\xff\xe0 nope")
    with pytest.raises(AttachmentError, match="bad.jpg"):
        strip_image_metadata(bad, tmp_path / "o.jpg")
    gif = tmp_path / "a.gif"
    _gradient().save(gif)
    with pytest.raises(AttachmentError, match="GIF"):
        strip_image_metadata(gif, tmp_path / "o.gif")
