"""Test helpers other apps may use: the shipped geography in the test database.

In a conftest.py:

    from ioc.geo.testing import loaded_geo  # noqa: F401  (the fixture)

or call `load_test_geography()` from a fixture of your own. The files are parsed once per
process, so a load takes a few tens of milliseconds.
"""

from pathlib import Path

import pytest

from ioc.geo.selectors import geo_cache_clear
from ioc.geo.services import LoadResult, geo_load_area

SHIPPED_AREA_DIR = Path(__file__).resolve().parent / "data" / "binh_thuan"


def load_test_geography(directory: Path = SHIPPED_AREA_DIR) -> LoadResult:
    """Load the shipped Bình Thuận area (1+10+121 legacy, 1+45 current units, 122 links)."""
    return geo_load_area(directory=directory)


@pytest.fixture
def loaded_geo(db):
    """The shipped geography, with the geo caches cleared before and after the test."""
    geo_cache_clear()
    result = load_test_geography()
    yield result
    # The test's transaction is rolled back: forget what the caches saw of it.
    geo_cache_clear()
