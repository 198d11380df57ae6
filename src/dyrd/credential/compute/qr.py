"""QR codes in and out: decode PNG/JPEG images with zxing-cpp, render PNG/SVG with segno.

hcert_spec v1.0.8 §4.5: QR (ISO/IEC 18004:2015) in alphanumeric mode with error correction 'Q'
(about 25%) recommended. At 'Q' an HC1 text of 500 characters fits in version 17 (85 x 85
modules).
"""

from __future__ import annotations

import io
import warnings
from enum import StrEnum

import numpy as np
import segno
import zxingcpp
from PIL import Image, UnidentifiedImageError

MAX_IMAGE_BYTES = 8 * 1024 * 1024
"""Largest image file a verifier reads (a phone photo of a QR code is a few MB)."""

MAX_IMAGE_PIXELS = 40_000_000
"""Largest image a verifier decodes (about 7,700 x 5,200): guards against decompression bombs."""

IMAGE_FORMATS = ("PNG", "JPEG")

ERROR_LEVEL = "Q"

_QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)

_ALPHANUMERIC = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:")


class QrError(ValueError):
    """An image that cannot be read or holds no QR code."""


class QrFormat(StrEnum):
    """Image formats ``render_qr`` writes."""

    PNG = "png"
    SVG = "svg"


def decode_image(data: bytes) -> str:
    """The text of the first QR code in a PNG or JPEG image (an HC1 one first, if several).

    Raises QrError when the data is too large, not a PNG/JPEG, damaged, or has no readable QR code.
    """
    if len(data) > MAX_IMAGE_BYTES:
        raise QrError(f"the image is {len(data)} bytes; at most {MAX_IMAGE_BYTES} are read")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=IMAGE_FORMATS) as image:
                pixels = _pixels(image)
    except QrError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise QrError("not a PNG or JPEG image of a size a verifier reads") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise QrError(f"the image is damaged: {exc}") from None
    found = zxingcpp.read_barcodes(pixels, formats=_QR_ONLY)
    texts = [b.text for b in found if b.valid]
    if not texts:
        raise QrError("no readable QR code in the image")
    return next((t for t in texts if t.startswith("HC1:")), texts[0])


def _pixels(image: Image.Image) -> np.ndarray:
    width, height = image.size
    if width * height > MAX_IMAGE_PIXELS:
        raise QrError(f"the image is {width} x {height} pixels; too large to decode")
    image.load()
    return _grey(image)


def _grey(image: Image.Image) -> np.ndarray:
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        # Transparent pixels become white, as on a screen, not black.
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, image.convert("RGBA"))
    return np.asarray(image.convert("L"))


def render_qr(text: str, fmt: QrFormat | str = QrFormat.PNG, *, scale: int = 4) -> bytes:
    """A QR code of ``text`` as PNG or SVG bytes, error correction 'Q', 4-module quiet zone.

    HC1 text (base45, all QR-alphanumeric) is encoded in alphanumeric mode as the HCERT
    specification requires; other text in whatever mode segno picks.
    """
    kind = QrFormat(fmt)
    mode = "alphanumeric" if text and set(text) <= _ALPHANUMERIC else None
    code = segno.make_qr(text, error=ERROR_LEVEL, mode=mode, boost_error=False)
    out = io.BytesIO()
    if kind is QrFormat.PNG:
        code.save(out, kind="png", scale=scale, border=4)
    else:
        code.save(out, kind="svg", scale=scale, border=4, xmldecl=True, svgns=True)
    return out.getvalue()
