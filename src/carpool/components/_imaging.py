"""Image decoding and encoding with Pillow, hardened for untrusted uploads."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Literal

import numpy as np
import PIL.Image
import PIL.ImageOps

from carpool.components._decode_limits import DecodeLimits
from carpool.exceptions import InvalidInputError

__all__ = [
    "ImageFormat",
    "array_to_pil",
    "decode_upload",
    "encode_image",
    "encode_image_value",
    "open_image",
]

ImageFormat = Literal["png", "webp", "jpeg"]

# Decoders we trust with untrusted bytes: never EPS (runs Ghostscript) or other rarely audited plugins.
SAFE_FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP", "TIFF", "ICO")
_DECODE_ERRORS = (OSError, ValueError, SyntaxError, EOFError)
_DEFAULT_LIMITS = DecodeLimits()  # for callers without a file store's limits


def open_image(path: Path, *, limits: DecodeLimits | None = None) -> PIL.Image.Image:
    """Decode an uploaded image (EXIF rotation applied); InvalidInputError if it is not a safe image.

    The header's pixel count is checked against ``limits.max_pixels`` before anything is decoded, and
    the decode itself holds one of ``limits``' slots.
    """
    limits = limits or _DEFAULT_LIMITS
    try:
        with PIL.Image.open(path, formats=SAFE_FORMATS) as image:
            _check_pixels(image, limits.max_pixels)
            with limits.decoding():
                image.load()
                # a decoded copy (rotated per EXIF), so the file is closed when we return
                return PIL.ImageOps.exif_transpose(image)
    except (PIL.Image.DecompressionBombError, PIL.Image.DecompressionBombWarning):
        # Pillow's own check at open, over 89.5 Mpx (a warning, an error where warnings are) or 179 Mpx
        limit = limits.max_pixels or PIL.Image.MAX_IMAGE_PIXELS
        raise InvalidInputError(f"the image has more pixels than the limit of {limit}") from None
    except _DECODE_ERRORS:
        raise InvalidInputError(f"not a readable image (accepted: {', '.join(SAFE_FORMATS)})") from None


def _check_pixels(image: PIL.Image.Image, limit: int | None) -> None:
    pixels = image.width * image.height
    if limit is not None and pixels > limit:
        raise InvalidInputError(
            f"the image is {image.width}x{image.height} = {pixels} pixels; the limit is {limit} pixels "
            "(the app's max_image_pixels)"
        )


def decode_upload(
    path: str, limits: DecodeLimits, mode: str | None
) -> tuple[PIL.Image.Image, PIL.Image.Image]:
    """``(decoded, converted to mode)`` -- the same object when no conversion was needed. Runs in a
    conversion worker (all arguments and the images pickle), or inline without one."""
    image = open_image(Path(path), limits=limits)
    return image, convert_mode(image, mode)


def convert_mode(image: PIL.Image.Image, mode: str | None) -> PIL.Image.Image:
    if mode is None or image.mode == mode:
        return image
    try:
        return image.convert(mode)
    except ValueError:
        raise InvalidInputError(f"cannot convert a {image.mode} image to {mode}") from None


def _to_uint8(array: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Pixel values as uint8: bool -> 0/255, floats in [0, 1] scaled, uint16 shifted, others clipped."""
    if array.dtype == np.uint8:
        return array
    if array.dtype == np.bool_:
        return array.astype(np.uint8) * 255
    if np.issubdtype(array.dtype, np.floating):
        if not np.isfinite(array).all():
            raise ValueError("image array contains NaN or infinity")
        if array.size and array.min() >= 0 and array.max() <= 1:
            array = array * 255
        scaled: np.ndarray[Any, Any] = np.clip(np.rint(array), 0, 255)
        return scaled.astype(np.uint8)
    if array.dtype == np.uint16:
        return (array >> 8).astype(np.uint8)
    if np.issubdtype(array.dtype, np.integer):
        clipped: np.ndarray[Any, Any] = np.clip(array, 0, 255)
        return clipped.astype(np.uint8)
    raise TypeError(f"image array must hold numbers, got dtype {array.dtype}")


def array_to_pil(value: Any) -> PIL.Image.Image:
    """(H, W), (H, W, 1), (H, W, 3) or (H, W, 4) array -> L / RGB / RGBA image."""
    array = np.asarray(value)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[:, :, 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)) or 0 in array.shape:
        raise ValueError(f"image array must have shape (H, W), (H, W, 3) or (H, W, 4), got {array.shape}")
    return PIL.Image.fromarray(np.ascontiguousarray(_to_uint8(array)))


def encode_image(image: PIL.Image.Image, image_format: ImageFormat) -> bytes:
    """Encode with Pillow's default settings, as Gradio does (WebP: lossy, quality 80; JPEG: 75), so an
    output's pixels are the ones a Gradio app would serve."""
    buffer = io.BytesIO()
    if image_format == "jpeg":
        image.convert("RGB").save(buffer, format="JPEG")
    elif image_format == "webp":
        image.save(buffer, format="WEBP")
    else:
        if image.mode not in ("1", "L", "LA", "P", "RGB", "RGBA", "I", "I;16"):
            image = image.convert("RGBA")
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def encode_image_value(value: np.ndarray[Any, Any] | PIL.Image.Image, image_format: ImageFormat) -> bytes:
    """An output array or image, encoded (runs in a conversion worker, or inline without one)."""
    return encode_image(array_to_pil(value) if isinstance(value, np.ndarray) else value, image_format)
