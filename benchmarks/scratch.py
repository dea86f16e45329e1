"""Django on a scratch SQLite database, for the benchmarks that set up their own."""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_django(folder: str | Path) -> dict[str, str]:
    """Point the IOC at a SQLite database and a media folder inside `folder`, with only
    warnings logged, and set Django up. Returns the variables set, for a server that the
    benchmark starts in another process."""
    variables = scratch_variables(folder)
    os.environ.update(variables)
    for path in (ROOT / "benchmarks", ROOT / "src"):
        if str(path) not in sys.path:
            sys.path.insert(0, str(path))
    import django

    django.setup()
    return variables


def scratch_variables(folder: str | Path) -> dict[str, str]:
    """The environment of an IOC on a SQLite database and a media folder inside `folder`,
    with only warnings logged."""
    folder = Path(folder)
    return {
        "IOC_VAR_DIR": str(folder),
        "DATABASE_URL": f"sqlite:///{folder / 'bench.sqlite3'}",
        "IOC_MEDIA_ROOT": str(folder / "media"),
        "DJANGO_SETTINGS_MODULE": "ioc.settings",
        "IOC_LOG_LEVEL": "WARNING",
    }
