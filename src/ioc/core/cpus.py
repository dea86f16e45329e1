"""Which CPU each process of `ioc serve` runs on.

A web process runs Python on one core at a time (the GIL), with a thread per request.
Left free to move, its threads hand the GIL from one core to another, and each hand-over
waits for the other core to wake up: on the 2-core benchmark machine a web process pinned
to one core answered the bare view 33 % faster, and report intake 12 % faster
(docs/performance.md, session 10). So `ioc serve` pins each web process to a CPU of its
own, in turn, and its helpers (the intake's writer process, the task worker) to the CPUs
left, where their work no longer takes turns with the web process's. When the web
processes take every CPU, the intake's writer would only take turns with them: it does not
run (docs/performance.md, session 11).
"""

import contextlib
import os
from dataclasses import dataclass


class CpuListError(ValueError):
    """A CPU list that cannot be read or names CPUs this process may not use."""


@dataclass(frozen=True)
class CpuPlan:
    web: list[int | None]  # the CPU of each web process (None: not pinned)
    helpers: set[int] | None  # the CPUs of the other processes (None: not pinned)
    # Whether a CPU is left beside the web processes: the intake's writer process gains
    # only then (with no pinning asked, "none", it is assumed so).
    cpu_left: bool = True


def cpu_plan(spec: str, workers: int) -> CpuPlan:
    """The plan for `workers` web processes. `spec`: "auto" (the CPUs this process may use,
    when there are two or more), "none", or a list like "0,2" or "0-3"."""
    unpinned = CpuPlan(web=[None] * workers, helpers=None)
    if spec == "none" or not hasattr(os, "sched_setaffinity"):
        return unpinned
    allowed = os.sched_getaffinity(0)
    if spec == "auto":
        if len(allowed) < 2:
            return CpuPlan(web=unpinned.web, helpers=None, cpu_left=False)
        cpus = sorted(allowed)
    else:
        cpus = parse_cpus(spec)
        if not set(cpus) <= allowed:
            raise CpuListError(
                f"--cpus {spec}: this process may use CPUs {_listed(sorted(allowed))} only."
            )
    web: list[int | None] = [cpus[index % len(cpus)] for index in range(workers)]
    left = allowed - set(web)
    return CpuPlan(web=web, helpers=left or None, cpu_left=bool(left))


def parse_cpus(spec: str) -> list[int]:
    """ "0,2-3" → [0, 2, 3]."""
    cpus: list[int] = []
    try:
        for part in spec.split(","):
            first, dash, last = part.strip().partition("-")
            cpus += range(int(first), int(last if dash else first) + 1)
    except ValueError:
        raise CpuListError(
            f"--cpus {spec}: give CPU numbers like 0,1 or 0-3, or auto, or none."
        ) from None
    if not cpus or min(cpus) < 0:
        raise CpuListError(f"--cpus {spec}: give CPU numbers like 0,1 or 0-3, or auto, or none.")
    return sorted(set(cpus))


def pin(pid: int, cpus: set[int] | None) -> None:
    """Run process `pid` (0: the calling thread, whose later threads inherit it) on
    `cpus`; nothing when None or when the process has ended."""
    if cpus is None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.sched_setaffinity(pid, cpus)


def _listed(cpus: list[int]) -> str:
    return ",".join(str(cpu) for cpu in cpus)
