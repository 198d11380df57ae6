"""QR images: render PNG/SVG, decode PNG/JPEG with zxing-cpp, refuse hostile images."""

from __future__ import annotations

import contextlib
import io

import pytest
import segno
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from dyrd.credential.compute import base45, qr

HC1_500 = "HC1:" + base45.encode(bytes(range(256)) + bytes(range(76)))[:496]


def test_png_round_trip() -> None:
    """A rendered PNG decodes to the same text."""
    png = qr.render_qr(HC1_500, "png")
    assert png.startswith(b"\x89PNG")
    assert qr.decode_image(png) == HC1_500


def test_500_characters_fit_at_level_q() -> None:
    """500 characters of HC1 text fit at error correction Q in alphanumeric mode (version 17)."""
    assert len(HC1_500) == 500
    code = segno.make_qr(HC1_500, error=qr.ERROR_LEVEL, mode="alphanumeric", boost_error=False)
    assert code.error == "Q"
    assert code.version == 17


def test_svg_output() -> None:
    """SVG output is an SVG document of the code."""
    svg = qr.render_qr("HC1:ABC", qr.QrFormat.SVG)
    assert svg.startswith(b"<?xml")
    assert b"<svg" in svg
    assert b"<path" in svg
    with pytest.raises(ValueError, match="gif"):
        qr.render_qr("HC1:ABC", "gif")


def test_jpeg_photo_with_transparency_and_noise() -> None:
    """A JPEG (lossy) of the code, and a transparent PNG, still decode."""
    png = qr.render_qr(HC1_500, "png", scale=6)
    image = Image.open(io.BytesIO(png)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=60)
    assert qr.decode_image(out.getvalue()) == HC1_500
    grey = Image.open(io.BytesIO(png)).convert("L")
    # Dark modules opaque black, light ones fully transparent (black underneath).
    rgba = Image.new("RGBA", grey.size, (0, 0, 0, 0))
    rgba.putalpha(grey.point(lambda v: 255 if v < 128 else 0))
    out = io.BytesIO()
    rgba.save(out, format="PNG")
    assert qr.decode_image(out.getvalue()) == HC1_500


def test_hc1_code_preferred_among_several() -> None:
    """With two codes in one image, the HC1 one is returned."""
    left = Image.open(io.BytesIO(qr.render_qr("https://example.org/", "png", scale=4)))
    right = Image.open(io.BytesIO(qr.render_qr("HC1:XYZ", "png", scale=4)))
    both = Image.new("L", (left.width + right.width, max(left.height, right.height)), 255)
    both.paste(left.convert("L"), (0, 0))
    both.paste(right.convert("L"), (left.width, 0))
    out = io.BytesIO()
    both.save(out, format="PNG")
    assert qr.decode_image(out.getvalue()) == "HC1:XYZ"


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "not a PNG or JPEG"),
        (b"GIF89a" + b"\0" * 20, "not a PNG or JPEG"),
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 30, "not a PNG or JPEG"),
        (b"x" * (qr.MAX_IMAGE_BYTES + 1), "at most"),
    ],
)
def test_bad_images(data: bytes, fragment: str) -> None:
    """Non-images, other formats and oversized files are refused with a reason."""
    with pytest.raises(qr.QrError, match=fragment):
        qr.decode_image(data)


def test_blank_truncated_and_huge_images() -> None:
    """No code, a cut-off file and too many pixels each raise QrError."""
    out = io.BytesIO()
    Image.new("L", (200, 200), 255).save(out, format="PNG")
    with pytest.raises(qr.QrError, match="no readable QR"):
        qr.decode_image(out.getvalue())
    png = qr.render_qr("HC1:ABC", "png")
    with pytest.raises(qr.QrError):
        qr.decode_image(png[: len(png) // 2])
    out = io.BytesIO()
    Image.new("1", (8000, 6000), 1).save(out, format="PNG")
    assert len(out.getvalue()) < qr.MAX_IMAGE_BYTES
    with pytest.raises(qr.QrError, match="too large"):
        qr.decode_image(out.getvalue())


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=300))
def test_hostile_bytes_never_raise_anything_else(data: bytes) -> None:
    """Random bytes, also behind a PNG or JPEG signature, raise only QrError."""
    for head in (b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff\xe0"):
        with contextlib.suppress(qr.QrError):
            qr.decode_image(head + data)
