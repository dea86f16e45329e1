import shutil

import pytest

from ioc.geo.testing import SHIPPED_AREA_DIR, load_test_geography, loaded_geo  # noqa: F401


@pytest.fixture
def geo(db):
    """The shipped Bình Thuận area, loaded into the test database."""
    return load_test_geography()


@pytest.fixture
def area_copy(tmp_path):
    """A writable copy of the shipped area folder, for tests that break or change a file."""
    directory = tmp_path / "area"
    shutil.copytree(SHIPPED_AREA_DIR, directory)
    for path in directory.iterdir():
        path.chmod(0o644)
    return directory
