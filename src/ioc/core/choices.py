"""ChoiceSet: choices that carry their label and their colour in one place (one palette)."""

from collections.abc import Iterator
from typing import ClassVar

from django.utils.translation import gettext_lazy as _

# The product's status palette: Bootstrap contextual names, so a badge is `text-bg-<colour>`.
COLOURS = ("primary", "secondary", "success", "danger", "warning", "info", "light", "dark")


class ChoiceSetMeta(type):
    def __iter__(cls) -> Iterator[tuple[str, str]]:
        return iter(cls.choices())


class ChoiceSet(metaclass=ChoiceSetMeta):
    """Subclass with CHOICES = [(value, label, colour), ...]; pass the class as `choices=`."""

    CHOICES: ClassVar[list[tuple[str, str, str]]] = []

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(value, label) for value, label, _colour in cls.CHOICES]

    @classmethod
    def values(cls) -> list[str]:
        return [value for value, _label, _colour in cls.CHOICES]

    @classmethod
    def label(cls, value: str) -> str:
        for choice_value, label, _colour in cls.CHOICES:
            if choice_value == value:
                return str(label)
        raise KeyError(value)

    @classmethod
    def colour(cls, value: str) -> str:
        for choice_value, _label, colour in cls.CHOICES:
            if choice_value == value:
                return colour
        raise KeyError(value)


class HolidayKind(ChoiceSet):
    """What a dated entry of the working calendar does to that day."""

    HOLIDAY = "holiday"
    DAY_OFF = "day_off"
    WORKING_DAY = "working_day"

    CHOICES = [
        (HOLIDAY, _("Public holiday"), "danger"),
        (DAY_OFF, _("Day off (compensatory or swapped)"), "warning"),
        (WORKING_DAY, _("Working day (make-up)"), "info"),
    ]
