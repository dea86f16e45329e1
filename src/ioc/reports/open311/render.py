"""Rendering of Open311 documents in JSON and XML, and the spec's error format."""

import json
import re
from datetime import datetime, tzinfo
from typing import Any
from xml.sax.saxutils import escape

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("json", "xml")
XML_DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>\n'


class Open311Error(Exception):
    """An error answered in the spec's format: 404 unknown resource, 403 bad api_key,
    400 anything else."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(description)
        self.status = status
        self.description = description


def w3c(moment: datetime | None, zone: tzinfo | None = None) -> str:
    """A W3C datetime with its offset, in the deployment's time zone: 2026-11-25T08:30:00+07:00.
    Pass `zone` when formatting many (looking the current zone up each time is slow)."""
    if moment is None:
        return ""
    zone = zone or timezone.get_current_timezone()
    return moment.astimezone(zone).replace(microsecond=0).isoformat()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return w3c(value)
    return str(value)


# Characters XML 1.0 does not allow, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _write(parts: list[str], name: str, value: Any, item_names: dict[str, str]) -> None:
    if isinstance(value, dict):
        parts.append(f"<{name}>")
        for key, inner in value.items():
            _write(parts, key, inner, item_names)
        parts.append(f"</{name}>")
    elif isinstance(value, list):
        parts.append(f"<{name}>")
        child = item_names.get(name, "item")
        for inner in value:
            _write(parts, child, inner, item_names)
        parts.append(f"</{name}>")
    else:
        text = escape(_NOT_XML.sub("", _text(value)))
        parts.append(f"<{name}>{text}</{name}>")


def to_xml(
    root: str, value: Any, *, item: str | None = None, item_names: dict[str, str] | None = None
) -> bytes:
    """`value` a list (each element an `item` child of `root`) or a dict (children of root).

    Written as text (element names are ours, values escaped): several times faster than
    building an ElementTree for a thousand requests."""
    names = dict(item_names or {})
    if isinstance(value, list):
        names[root] = item or "item"
    parts: list[str] = []
    _write(parts, root, value, names)
    return XML_DECLARATION + "".join(parts).encode()


def _json_ready(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json_ready(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_json_ready(inner) for inner in value]
    if isinstance(value, datetime):
        return w3c(value)
    return value


def respond(
    fmt: str,
    value: Any,
    *,
    root: str,
    item: str | None = None,
    item_names: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    if fmt == "xml":
        body = to_xml(root, value, item=item, item_names=item_names)
        return HttpResponse(body, content_type=XML_TYPE, status=status)
    body = json.dumps(_json_ready(value), ensure_ascii=False).encode()
    return HttpResponse(body, content_type=JSON_TYPE, status=status)


def error_response(fmt: str, error: Open311Error) -> HttpResponse:
    entry = {"code": error.status, "description": error.description}
    return respond(
        fmt if fmt in FORMATS else "json", [entry], root="errors", item="error", status=error.status
    )
