"""Photo checks by content (never by name) and re-encoding as JPEG without EXIF."""

import io
import warnings
from dataclasses import dataclass
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


def photo_clean(upload: IO[bytes] | bytes, *, field: str = "photos", index: int = 0) -> CleanPhoto:
    """Check one upload and re-encode it; a ValidationError names the field and the photo."""
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
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                if image.format not in ACCEPTED_FORMATS:
                    raise UnidentifiedImageError(image.format)
                width, height = image.size
                if width * height > MAX_PHOTO_PIXELS:
                    raise Image.DecompressionBombError(f"{width}x{height}")
                if image.format == "JPEG" and max(width, height) > 2 * MAX_STORED_SIDE:
                    # Decode at a reduced scale (DCT scaling): much faster for big photos.
                    image.draft("RGB", (MAX_STORED_SIDE, MAX_STORED_SIDE))
                image.load()
                image = ImageOps.exif_transpose(image)  # keep the orientation EXIF carried
                if image.mode != "RGB":
                    image = image.convert("RGB")
                image.thumbnail((MAX_STORED_SIDE, MAX_STORED_SIDE))
                output = io.BytesIO()
                # No exif= argument: Pillow writes no EXIF, XMP or ICC metadata then.
                image.save(output, format="JPEG", quality=JPEG_QUALITY)
                return CleanPhoto(content=output.getvalue(), width=image.width, height=image.height)
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
