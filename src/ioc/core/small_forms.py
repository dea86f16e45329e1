"""Small multipart forms without files, split in one pass (core.middleware.SmallFormMiddleware).

Django's MultiPartParser streams every body through a chain of generators built for
uploads of any size; a form of a few text fields (a report sent without photos, about
1 KB) spends a third of a millisecond there. Such a body is split here instead, into the
same QueryDict. Whatever this parser would not take exactly as Django does is left to
Django, which then parses the whole body as ever: a file part (even an empty one), a
header other than Content-Disposition and Content-Type, a name that needs unquoting or
RFC 2231, a preamble, padding after a boundary, a missing closing boundary, more fields
than DATA_UPLOAD_MAX_NUMBER_FIELDS.
"""

import re

from django.conf import settings
from django.http import QueryDict

MAX_BODY_BYTES = 64 * 1024
# RFC 2046's boundary characters, at most 70, not ending with a space.
BOUNDARY = re.compile(r"[0-9A-Za-z'()+_,\-./:=? ]{0,69}[0-9A-Za-z'()+_,\-./:=?]")
_DISPOSITION = re.compile(rb'form-data; name="([^"\\\r\n]*)"', re.IGNORECASE)


def parse(body: bytes, boundary: str, encoding: str) -> QueryDict | None:
    """The fields of a multipart/form-data body (immutable, as Django's parser leaves
    them), or None where Django's parser must decide."""
    if BOUNDARY.fullmatch(boundary) is None:
        return None
    delimiter = b"--" + boundary.encode("ascii")
    if not body.startswith(delimiter + b"\r\n"):
        return None
    parts = body[len(delimiter) :].split(b"\r\n" + delimiter)
    if not parts.pop().startswith(b"--"):  # the closing delimiter
        return None
    limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
    if limit is not None and len(parts) > limit:
        return None
    fields = QueryDict(mutable=True, encoding=encoding)
    for part in parts:
        field = _field(part)
        if field is None:
            return None
        name, value = field
        fields.appendlist(
            name.decode(encoding, errors="replace"),
            value.decode(encoding, errors="replace"),
        )
    fields._mutable = False
    return fields


def _field(part: bytes) -> tuple[bytes, bytes] | None:
    """(name, value) of one part (the bytes between two delimiters), or None. The name
    is stripped of ASCII white space, as Django does."""
    if not part.startswith(b"\r\n"):
        return None
    head, separator, value = part[2:].partition(b"\r\n\r\n")
    if not separator:
        return None
    name = None
    for line in head.split(b"\r\n"):
        header, colon, header_value = line.partition(b":")
        header = header.lower().rstrip(b" ")
        if not colon or (not line.isascii() and not _is_utf8(line)):
            return None  # Django would skip the header
        if header == b"content-disposition" and name is None:
            found = _DISPOSITION.fullmatch(header_value.strip())
            if found is None:
                return None
            name = found[1].strip()
        elif header != b"content-type":
            return None
    return None if name is None else (name, value)


def _is_utf8(line: bytes) -> bool:
    try:
        line.decode()
    except UnicodeDecodeError:
        return False
    return True
