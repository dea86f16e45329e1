"""Photo checks by content (never by name) and re-encoding as JPEG without EXIF.

A citizen's upload is checked while the request waits (`photo_check`: size, format and
pixel count from the header, no pixel decoded), kept in a private folder
(`pending_save`) and re-encoded by the worker (`photo_reencode`), which publishes it.
Only re-encoded photos are ever in MEDIA_ROOT, the public folder.
"""

import io
import uuid
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 10 * 1024 * 1024
# Larger than any phone camera (a 200 MP sensor is 16,320 x 12,240): anything bigger is a
# decompression bomb, refused before its pixels are decoded.
MAX_PHOTO_PIXELS = 50_000_000
# Stored photos are scaled down to this longest side: enough to see a pothole.
MAX_STORED_SIDE = 2560
JPEG_QUALITY = 85
ACCEPTED_FORMATS = frozenset({"JPEG", "PNG", "WEBP", "GIF", "BMP", "MPO"})


@dataclass(frozen=True)
class CleanPhoto:
    content: bytes  # a JPEG with no metadata
    width: int
    height: int


@dataclass(frozen=True)
class CheckedPhoto:
    content: bytes  # the upload as sent: an image by its header, not yet re-encoded
    width: int
    height: int


def photo_clean(upload: IO[bytes] | bytes, *, field: str = "photos", index: int = 0) -> CleanPhoto:
    """Check one upload and re-encode it; a ValidationError names the field and the photo."""
    return photo_reencode(photo_check(upload, field=field, index=index).content, field, index)


def photo_check(
    upload: IO[bytes] | bytes, *, field: str = "photos", index: int = 0
) -> CheckedPhoto:
    """Size, format and pixel count from the file's header, without decoding the pixels
    (a fraction of a millisecond); a ValidationError names the field and the photo."""
    label = f"{field}[{index}]"
    max_bytes = getattr(settings, "IOC_REPORTS_MAX_PHOTO_BYTES", MAX_PHOTO_BYTES)
    data = upload if isinstance(upload, bytes) else upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise ValidationError(
            {
                field: _("%(label)s: the file is larger than %(limit)s MB.")
                % {"label": label, "limit": max_bytes // (1024 * 1024)}
            }
        )
    if not data:
        raise ValidationError({field: _("%(label)s: the file is empty.") % {"label": label}})
    with _refusals(field, label), Image.open(io.BytesIO(data)) as image:
        width, height = _checked_size(image)
    return CheckedPhoto(content=data, width=width, height=height)


def photo_reencode(data: bytes, field: str = "photos", index: int = 0) -> CleanPhoto:
    """Decode the checked upload and write it again as a JPEG with no metadata, at most
    MAX_STORED_SIDE wide; a ValidationError if its pixels turn out to be damaged."""
    with _refusals(field, f"{field}[{index}]"), Image.open(io.BytesIO(data)) as image:
        width, height = _checked_size(image)
        if image.format == "JPEG" and max(width, height) > 2 * MAX_STORED_SIDE:
            # Decode at a reduced scale (DCT scaling): much faster for big photos.
            image.draft("RGB", (MAX_STORED_SIDE, MAX_STORED_SIDE))
        image.load()
        upright: Image.Image = ImageOps.exif_transpose(image)  # the orientation EXIF carried
        if upright.mode != "RGB":
            upright = upright.convert("RGB")
        upright.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
        output = io.BytesIO()
        # No exif= argument: Pillow writes no EXIF, XMP or ICC metadata then.
        upright.save(output, format="JPEG", quality=JPEG_QUALITY)
        return CleanPhoto(content=output.getvalue(), width=upright.width, height=upright.height)


def _checked_size(image: Image.Image) -> tuple[int, int]:
    if image.format not in ACCEPTED_FORMATS:
        raise UnidentifiedImageError(image.format)
    width, height = image.size
    if width * height > MAX_PHOTO_PIXELS:
        raise Image.DecompressionBombError(f"{width}x{height}")
    return width, height


@contextmanager
def _refusals(field: str, label: str) -> Iterator[None]:
    """Pillow's errors as a ValidationError that names the field and the photo."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            yield
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            {
                field: _("%(label)s: the image has too many pixels (at most %(limit)s million).")
                % {"label": label, "limit": MAX_PHOTO_PIXELS // 1_000_000}
            }
        ) from None
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        raise ValidationError(
            {
                field: _("%(label)s: not a photo (JPEG, PNG, WebP, GIF or BMP) or damaged.")
                % {"label": label}
            }
        ) from None


# -- uploads waiting for the worker ------------------------------------------------------


def pending_folder() -> Path:
    """Beside MEDIA_ROOT, never inside it: what is there is not re-encoded yet."""
    return Path(settings.MEDIA_ROOT).parent / "pending-photos"


def pending_save(content: bytes) -> str:
    """Keep an upload for the worker; returns its name (random: the original file name
    may hold personal data)."""
    folder = pending_folder()
    folder.mkdir(parents=True, exist_ok=True)
    name = uuid.uuid4().hex
    (folder / name).write_bytes(content)
    return name


def pending_read(name: str) -> bytes | None:
    path = pending_folder() / Path(name).name
    return path.read_bytes() if path.exists() else None


def pending_delete(name: str) -> None:
    (pending_folder() / Path(name).name).unlink(missing_ok=True)
