"""Export the app icon into the package: ``python assets/export_icons.py`` (dev time, Pillow).

Pillow can not read SVG, so this draws ``icon.svg``'s shapes again from the same numbers (a 64x64
view box), four times oversampled, and writes what the platforms want into
``webio_desktop/desktop/icons/``: PNGs (16-512 px, window icons and Linux), ``icon.ico``
(Windows) and ``icon.icns`` (macOS). Built apps and windows use those files; change the artwork
here and in ``icon.svg`` together, then run this again and commit the results.

It also writes ``webio_desktop/static/image/``: the file names PyWebIO programs expect under
``STATIC_PATH + '/image'`` (favicons, and a greyed "closed" variant, and the touch icon), drawn
from our icon.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "webio_desktop" / "desktop" / "icons"
STATIC_IMAGES = ROOT / "webio_desktop" / "static" / "image"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)
OVERSAMPLE = 4


def draw(size: int) -> Image.Image:
    """The icon at ``size`` px: icon.svg's shapes, scaled from its 64-unit view box."""
    big = size * OVERSAMPLE
    k = big / 64

    def box(x: float, y: float, w: float, h: float) -> tuple[float, float, float, float]:
        return (x * k, y * k, (x + w) * k - 1, (y + h) * k - 1)

    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    d = ImageDraw.Draw(image)
    d.rounded_rectangle(box(2, 6, 60, 52), radius=10 * k, fill="#1f4fd1")  # the window
    d.rounded_rectangle(box(2, 6, 60, 12), radius=10 * k, fill="#163b9e")  # its title bar
    d.rectangle(box(2, 12, 60, 6), fill="#163b9e")
    for cx, alpha in ((11, 0.85), (19, 0.6)):  # two title-bar dots
        r = 2.4
        dot = Image.new("RGBA", image.size, (0, 0, 0, 0))
        ImageDraw.Draw(dot).ellipse(((cx - r) * k, (12 - r) * k, (cx + r) * k, (12 + r) * k),
                                    fill=(255, 255, 255, round(255 * alpha)))
        image = Image.alpha_composite(image, dot)
        d = ImageDraw.Draw(image)
    # The prompt ">": a round-capped polyline 13,29 -> 22,36 -> 13,43, stroke 4.5.
    points = [(13 * k, 29 * k), (22 * k, 36 * k), (13 * k, 43 * k)]
    width = 4.5 * k
    d.line(points, fill="#ffffff", width=round(width), joint="curve")
    for x, y in (points[0], points[2]):
        d.ellipse((x - width / 2, y - width / 2, x + width / 2, y + width / 2), fill="#ffffff")
    d.rounded_rectangle(box(27, 40, 22, 4.5), radius=2.2 * k, fill="#9fc1ff")  # the cursor
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    for size, image in images.items():
        image.save(OUT / f"icon-{size}.png", optimize=True)
    images[256].save(OUT / "icon.ico", sizes=[(s, s) for s in (16, 24, 32, 48, 64, 128, 256)])
    images[512].save(OUT / "icon.icns")
    print(f"wrote {len(SIZES)} PNGs, icon.ico and icon.icns to {OUT.relative_to(ROOT)}")
    export_static_images()


def export_static_images() -> None:
    """PyWebIO's image names in STATIC_PATH/image, with our artwork (closed = greyed)."""
    STATIC_IMAGES.mkdir(parents=True, exist_ok=True)
    for size in (16, 32):
        image = draw(size)
        image.save(STATIC_IMAGES / f"favicon_open_{size}.png", optimize=True)
        grey = image.convert("LA").convert("RGBA")
        grey.putalpha(image.getchannel("A").point(lambda a: a * 6 // 10))
        grey.save(STATIC_IMAGES / f"favicon_closed_{size}.png", optimize=True)
    touch = Image.new("RGBA", (180, 180), "#ffffff")  # iOS shows no transparency
    touch.alpha_composite(draw(160), (10, 10))
    touch.convert("RGB").save(STATIC_IMAGES / "apple-touch-icon.png", optimize=True)
    print(f"wrote 5 PNGs to {STATIC_IMAGES.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
