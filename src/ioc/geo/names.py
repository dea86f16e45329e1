"""Vietnamese unit names: diacritic folding, the division type in a name, English names.

Pure functions (no database), used by the loader and by the selectors' sort keys.
"""

import unicodedata

# Division types a full name starts with (longest first), their lower-case form as stored
# in AdminUnit.division_type, and the English word the sources use ("Mui Ne Ward").
DIVISION_TYPES: tuple[tuple[str, str, str], ...] = (
    ("Thành phố", "thành phố", "City"),
    ("Thị trấn", "thị trấn", "Township"),
    ("Thị xã", "thị xã", "Town"),
    ("Đặc khu", "đặc khu", "Special administrative region"),
    ("Huyện", "huyện", "District"),
    ("Quận", "quận", "Urban district"),
    ("Phường", "phường", "Ward"),
    ("Tỉnh", "tỉnh", "Province"),
    ("Xã", "xã", "Commune"),
)


def fold(text: str) -> str:
    """Lower-case `text` without diacritics: "Đức Linh" -> "duc linh" (search and sort keys)."""
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
    return " ".join(stripped.casefold().split())


def split_division(name: str) -> tuple[str, str]:
    """("phường", "Mũi Né") for "Phường Mũi Né"; ("", name) when no known type leads."""
    normalised = unicodedata.normalize("NFC", name.strip())
    for prefix, division_type, _english in DIVISION_TYPES:
        if normalised.casefold().startswith(prefix.casefold() + " "):
            return division_type, normalised[len(prefix) + 1 :].strip()
    return "", normalised


def bare_name(name: str) -> str:
    """The name without its division type: "Phan Thiết" for "Phường Phan Thiết"."""
    return split_division(name)[1]


def english_name(name: str) -> str:
    """A name in the sources' English style: "Huyện Tuy Phong" -> "Tuy Phong District"."""
    division_type, rest = split_division(name)
    plain = _ascii(rest)
    for _prefix, known_type, english in DIVISION_TYPES:
        if known_type == division_type:
            return f"{plain} {english}"
    return plain


def sort_key(name: str) -> tuple[str, str, str]:
    """Vietnamese-aware order: by the bare name without diacritics, then the full name."""
    return fold(bare_name(name)), fold(name), name


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return "".join(char for char in decomposed if unicodedata.category(char) != "Mn")
