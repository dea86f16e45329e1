"""Vietnamese first, English complete: every catalogue entry is translated and keeps its
placeholders, so no page falls back to English or crashes on a missing %(name)s."""

import re

import polib
import pytest

from ioc.core.management.commands.core_compile_translations import catalogues

PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")
CATALOGUES = [path for path in catalogues() if "/vi/" in str(path)]


def test_every_app_with_text_has_a_vietnamese_catalogue():
    assert {path.parts[-5] for path in CATALOGUES} >= {"ioc", "core", "accounts", "geo"}


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_catalogue_is_complete_and_not_fuzzy(path):
    catalogue = polib.pofile(str(path))

    untranslated = [entry.msgid for entry in catalogue.untranslated_entries()]
    fuzzy = [entry.msgid for entry in catalogue.fuzzy_entries()]

    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("path", CATALOGUES, ids=lambda path: path.parts[-5])
def test_translations_keep_their_placeholders(path):
    catalogue = polib.pofile(str(path))
    broken = []
    for entry in catalogue.translated_entries():
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = entry.msgstr_plural.values() if entry.msgid_plural else [entry.msgstr]
        broken += [
            entry.msgid for text in translations if sorted(PLACEHOLDER.findall(text)) != expected
        ]

    assert broken == []
