"""Draw the theme's small self-hosted images (no third-party assets). Run once; outputs are committed."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "theme" / "static" / "images"
RED = (168, 0, 0, 255)
WHITE = (255, 255, 255, 255)


def star(draw: ImageDraw.ImageDraw, cx: float, cy: float, r: float, fill) -> None:
    import math

    pts = []
    for i in range(10):
        rr = r if i % 2 == 0 else r * 0.4
        a = -math.pi / 2 + i * math.pi / 5
        pts.append((cx + rr * math.cos(a), cy + rr * math.sin(a)))
    draw.polygon(pts, fill=fill)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "conac").mkdir(exist_ok=True)
    img = Image.new("RGBA", (56, 56), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.ellipse((2, 2, 54, 54), fill=(255, 214, 0, 255))
    d.ellipse((6, 6, 50, 50), fill=RED)
    star(d, 28, 28, 16, (255, 214, 0, 255))
    img.save(OUT / "emblem.png", optimize=True)
    img = Image.new("RGBA", (48, 58), RED)
    d = ImageDraw.Draw(img)
    star(d, 24, 22, 14, WHITE)
    d.rectangle((6, 42, 42, 52), fill=WHITE)
    img.save(OUT / "conac" / "red.png", optimize=True)
    img = Image.new("RGBA", (110, 55), WHITE)
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, 109, 54), outline=RED, width=3)
    d.ellipse((8, 10, 42, 44), outline=RED, width=4)
    d.line((36, 38, 50, 50), fill=RED, width=5)
    d.rectangle((55, 16, 100, 22), fill=RED)
    d.rectangle((55, 30, 90, 36), fill=RED)
    img.save(OUT / "jiucuo.png", optimize=True)
    img = Image.new("RGBA", (20, 20), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.polygon([(10, 1), (18, 5), (17, 13), (10, 19), (3, 13), (2, 5)], fill=(0, 64, 160, 255))
    star(d, 10, 10, 5, WHITE)
    img.save(OUT / "psb.png", optimize=True)
    img = Image.new("RGBA", (48, 48), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.polygon([(4, 4), (4, 40), (14, 31), (22, 46), (29, 43), (21, 28), (34, 28)], fill=(0, 0, 0, 255),
              outline=WHITE, width=2)
    img.save(OUT / "cursor-large.png", optimize=True)


if __name__ == "__main__":
    main()
