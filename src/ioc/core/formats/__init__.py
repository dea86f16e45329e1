"""Formats by language (settings.FORMAT_MODULE_PATH): dates dd/mm/yyyy in both
languages; numbers 1.234,5 in Vietnamese and 1,234.5 in English.

Only what people read follows the language: APIs, CSV, DHIS2, Open311 and the data in
chart attributes write plain 1234.5 (templates: the `unlocalize` filter of `l10n`).
"""
