"""The demo loader's registry: each app adds its demo data as a step of `ioc demo`.

Steps run in order and must be idempotent: running `ioc demo` twice leaves the same data.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DemoStep:
    name: str
    order: int
    run: Callable[[], list[str]]  # returns lines to print (what it created or found)


_steps: dict[str, DemoStep] = {}


def register_demo_step(*, name: str, order: int, run: Callable[[], list[str]]) -> None:
    _steps[name] = DemoStep(name=name, order=order, run=run)


def demo_steps() -> list[DemoStep]:
    return sorted(_steps.values(), key=lambda step: (step.order, step.name))
