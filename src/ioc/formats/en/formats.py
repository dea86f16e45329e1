"""English formats: the same dd/mm/yyyy dates and 1.234,5 numbers as Vietnamese, by design."""

from ioc.formats.vi.formats import *  # noqa: F403
