"""Badge images: an uploaded one redrawn as a square PNG, one drawn from the name when none is
given, and the baked image of an award (its Open Badges assertion in an iTXt chunk)."""

from __future__ import annotations

import hashlib
import io

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin, UnidentifiedImageError

from tierslieu.errors import N_, Invalid

SIZE = 256
BAKING_KEYWORD = "openbadges"  # Open Badges 2.0, "Baking": the iTXt chunk's keyword
# readable colours under white text (contrast above 4.5:1)
PALETTE = ("#1d4a8a", "#6b2d8f", "#0f6b4f", "#8a3b12", "#7a1f3d", "#2f4f6f")


def _invalid() -> Invalid:
    return Invalid(
        "invalid", N_("Some fields are missing or invalid."), fields={"image": N_("This is not a PNG or JPEG image.")}
    )


def normalise(raw: bytes) -> bytes:
    """A PNG or JPEG image redrawn as a 256 × 256 PNG (centred, transparent margins): only
    the pixels are kept, no metadata."""
    try:
        with Image.open(io.BytesIO(raw)) as source:
            if source.format not in ("PNG", "JPEG"):
                raise _invalid()
            if source.width * source.height > 40_000_000:
                raise _invalid()
            picture = source.convert("RGBA")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise _invalid() from None
    picture.thumbnail((SIZE, SIZE))
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    canvas.paste(picture, ((SIZE - picture.width) // 2, (SIZE - picture.height) // 2))
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def _initials(name: str) -> str:
    words = [word for word in name.replace("-", " ").split() if word[:1].isalnum()]
    return "".join(word[0] for word in words[:2]).upper() or "★"


def generate(name: str) -> bytes:
    """A round badge in a colour chosen from the name, with its initials."""
    colour = PALETTE[hashlib.sha256(name.encode()).digest()[0] % len(PALETTE)]
    canvas = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=colour, outline="#ffffff", width=6)
    draw.ellipse((26, 26, SIZE - 26, SIZE - 26), outline="#ffffff", width=2)
    font = ImageFont.load_default(size=92)
    draw.text((SIZE / 2, SIZE / 2), _initials(name), fill="#ffffff", font=font, anchor="mm")
    out = io.BytesIO()
    canvas.save(out, "PNG", optimize=True)
    return out.getvalue()


def bake(image: bytes, assertion_json: str) -> bytes:
    """The image with the assertion in an uncompressed iTXt chunk keyed ``openbadges``."""
    info = PngImagePlugin.PngInfo()
    info.add_itxt(BAKING_KEYWORD, assertion_json, lang="", tkey="", zip=False)
    with Image.open(io.BytesIO(image)) as picture:
        out = io.BytesIO()
        picture.save(out, "PNG", pnginfo=info)
    return out.getvalue()
