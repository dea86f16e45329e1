"""Parsers and writers of DHIS2 `dataValueSets` in JSON and CSV, and of spreadsheets laid
out as the CSV (docs/indicators.md).

CSV is read by column position (dataelement, period, orgunit, categoryoptioncombo,
attributeoptioncombo, value, storedby, lastupdated, comment, followup), the header row
skipped; JSON is `{period?, orgUnit?, dataValues: [{dataElement, period, orgUnit, value...}]}`
with the top-level period and orgUnit applying to every value.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from ioc.indicators.models import readable_decimal
from ioc.indicators.services import ImportRow

CSV_COLUMNS = (
    "dataelement",
    "period",
    "orgunit",
    "categoryoptioncombo",
    "attributeoptioncombo",
    "value",
    "storedby",
    "lastupdated",
    "comment",
    "followup",
)
_CSV_FIELDS = {
    "data_element": "dataelement",
    "period": "period",
    "org_unit": "orgunit",
    "category_option_combo": "categoryoptioncombo",
    "attribute_option_combo": "attributeoptioncombo",
    "value": "value",
}
_JSON_FIELDS = {
    "data_element": "dataElement",
    "period": "period",
    "org_unit": "orgUnit",
    "category_option_combo": "categoryOptionCombo",
    "attribute_option_combo": "attributeOptionCombo",
    "value": "value",
}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


class PayloadError(ValueError):
    """A file that cannot be read at all (size, encoding, shape); the message says why."""


def max_upload_bytes() -> int:
    return int(getattr(settings, "IOC_INDICATORS_MAX_UPLOAD_BYTES", DEFAULT_MAX_BYTES))


def check_size(size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise PayloadError(
            _(
                "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller "
                "files (for example one per year)."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limit)}
        )


def _megabytes(size: int) -> str:
    """12.5 in English, 12,5 in Vietnamese: the message is read by a person."""
    return readable_decimal(Decimal(size) / 1048576, decimal_pos=1)


def _text(content: bytes | str) -> str:
    if isinstance(content, str):
        return content
    check_size(len(content))
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise PayloadError(
            _("The file is not UTF-8 text (byte %(position)d).") % {"position": error.start + 1}
        ) from None


def _flag(value: Any) -> bool:
    return str(value).strip().lower() in ("true", "1", "yes")


def parse_csv(content: bytes | str) -> list[ImportRow]:
    """Rows of a DHIS2 CSV; the first line is a header and is skipped."""
    reader = csv.reader(io.StringIO(_text(content), newline=""))
    rows: list[ImportRow] = []
    try:
        width = len(CSV_COLUMNS)
        for line_number, cells in enumerate(reader, start=1):
            if line_number == 1:
                continue
            if not (cells and cells[0].strip()) and not any(cell.strip() for cell in cells):
                continue
            if len(cells) < width:
                cells += [""] * (width - len(cells))
            rows.append(
                ImportRow(
                    data_element=cells[0].strip(),
                    period=cells[1].strip(),
                    org_unit=cells[2].strip(),
                    category_option_combo=cells[3].strip(),
                    attribute_option_combo=cells[4].strip(),
                    value=cells[5],
                    stored_by=cells[6].strip(),
                    comment=cells[8],
                    followup=_flag(cells[9]),
                    row=line_number,
                    columns=_CSV_FIELDS,
                )
            )
    except csv.Error as error:
        raise PayloadError(
            _("The CSV cannot be read at line %(line)d: %(error)s")
            % {"line": reader.line_num, "error": error}
        ) from None
    return rows


def parse_json(content: bytes | str | dict) -> list[ImportRow]:
    """Rows of a DHIS2 `dataValueSets` JSON document."""
    if isinstance(content, dict):
        document = content
    else:
        try:
            document = json.loads(_text(content))
        except json.JSONDecodeError as error:
            raise PayloadError(
                _("The JSON cannot be read at line %(line)d, column %(column)d: %(error)s")
                % {"line": error.lineno, "column": error.colno, "error": error.msg}
            ) from None
    if not isinstance(document, dict) or not isinstance(document.get("dataValues"), list):
        raise PayloadError(_("The JSON must be an object with a “dataValues” list."))
    default_period = str(document.get("period") or "")
    default_unit = str(document.get("orgUnit") or "")
    default_aoc = str(document.get("attributeOptionCombo") or "")
    rows: list[ImportRow] = []
    for index, item in enumerate(document["dataValues"], start=1):
        if not isinstance(item, dict):
            raise PayloadError(_("dataValues[%(index)d] is not an object.") % {"index": index})
        value = item.get("value")
        rows.append(
            ImportRow(
                data_element=str(item.get("dataElement") or ""),
                period=str(item.get("period") or default_period),
                org_unit=str(item.get("orgUnit") or default_unit),
                category_option_combo=str(item.get("categoryOptionCombo") or ""),
                attribute_option_combo=str(item.get("attributeOptionCombo") or default_aoc),
                value=None if value is None else str(value),
                stored_by=str(item.get("storedBy") or ""),
                comment=str(item.get("comment") or ""),
                followup=_flag(item.get("followup", False)),
                row=index,
                columns=_JSON_FIELDS,
            )
        )
    return rows


def parse(content: bytes, file_format: str) -> list[ImportRow]:
    """The rows of a file in one of the formats the imports take: json, csv or xlsx."""
    parsers = {"json": parse_json, "csv": parse_csv, "xlsx": parse_xlsx}
    return parsers[file_format](content)


def write_csv(values: Iterable[dict[str, Any]]) -> str:
    """A DHIS2 CSV (with its header) of exported values (selectors.data_values_export)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for item in values:
        writer.writerow(
            [
                item["dataElement"],
                item["period"],
                item["orgUnit"],
                "",
                "",
                item["value"],
                item["storedBy"],
                item["lastUpdated"],
                item["comment"],
                "true" if item["followup"] else "false",
            ]
        )
    return out.getvalue()


def write_template(indicator_codes: list[str], periods: list[str], unit_codes: list[str]) -> str:
    """A DHIS2 CSV to fill in: one row per indicator, period and unit, the value empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for code in indicator_codes:
        for period in periods:
            for unit in unit_codes:
                writer.writerow([code, period, unit, "", "", "", "", "", "", "false"])
    return out.getvalue()


# -- spreadsheets: the DHIS2 CSV columns in the first sheet, plus names for people ----------

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
XLSX_EXTRA_COLUMNS = ("dataelementname", "orgunitname")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel turns 202401 and 5 into 202401.0 and 5.0
    return str(value).strip()


def parse_xlsx(content: bytes) -> list[ImportRow]:
    """Rows of a spreadsheet laid out as the template: the first sheet, a header row with
    the DHIS2 CSV column names (checked: a changed template is refused), then values."""
    check_size(len(content))
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a file that is not XLSX
        raise PayloadError(
            _("The file is not an XLSX spreadsheet (%(error)s).") % {"error": type(error).__name__}
        ) from None
    sheet = workbook.worksheets[0]
    lines = sheet.iter_rows(values_only=True)
    header = [_cell(value).lower() for value in next(lines, ())]
    for index, expected in enumerate(CSV_COLUMNS[:6]):
        found = header[index] if index < len(header) else ""
        if found != expected:
            raise PayloadError(
                _(
                    "The spreadsheet does not follow the template: column %(column)s of row 1 "
                    "is “%(found)s”, expected “%(expected)s”. Download the template again."
                )
                % {"column": get_column_letter(index + 1), "found": found, "expected": expected}
            )
    columns = {
        name: f"{get_column_letter(CSV_COLUMNS.index(column) + 1)} ({column})"
        for name, column in _CSV_FIELDS.items()
    }
    rows: list[ImportRow] = []
    for line_number, values in enumerate(lines, start=2):
        cells = [_cell(value) for value in values[: len(CSV_COLUMNS)]]
        if not any(cells):
            continue
        cells += [""] * (len(CSV_COLUMNS) - len(cells))
        rows.append(
            ImportRow(
                data_element=cells[0],
                period=cells[1],
                org_unit=cells[2],
                category_option_combo=cells[3],
                attribute_option_combo=cells[4],
                value=cells[5],
                stored_by=cells[6],
                comment=cells[8],
                followup=_flag(cells[9]),
                row=line_number,
                columns=columns,
            )
        )
    workbook.close()
    return rows


def write_xlsx_template(
    indicators: list[tuple[str, str]], periods: list[str], units: list[tuple[str, str]]
) -> bytes:
    """The template as a spreadsheet: (code, name) of indicators and units, one row for each
    indicator, period and unit, the value to fill in; names in two columns after the data."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "dataValues"
    sheet.append([*CSV_COLUMNS, *XLSX_EXTRA_COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for code, name in indicators:
        for period in periods:
            for unit_code, unit_name in units:
                sheet.append(
                    [code, period, unit_code, "", "", None, "", "", "", "false", name, unit_name]
                )
    for letter, width in (("A", 18), ("C", 16), ("F", 14), ("K", 40), ("L", 32)):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
