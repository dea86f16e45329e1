"""Random numbers from the system's source, read a few kilobytes at a time.

`secrets.randbelow` reads the source (the getrandom system call) on every draw, and each
read releases the GIL: under load that hands the interpreter to another thread, at a cost
far above the read's (docs/performance.md, session 11). The numbers are the same kind:
the kernel's random bytes, unbiased (rejection sampling), never shared between a parent
and a forked child.
"""

import os
import threading

READ_BYTES = 4096
_DRAW_BYTES = 8  # up to 2**64, enough for any limit drawn here

_lock = threading.Lock()
_pool = bytearray()
_pool_pid = os.getpid()


def randbelow(limit: int) -> int:
    """A uniformly random integer in [0, limit), 0 < limit <= 2**64."""
    if not 0 < limit <= 1 << (8 * _DRAW_BYTES):
        raise ValueError(f"limit must be in 1..2**{8 * _DRAW_BYTES}, not {limit}")
    space = 1 << (8 * _DRAW_BYTES)
    accepted_below = space - space % limit  # the largest multiple of limit in the space
    while True:
        number = int.from_bytes(_take(_DRAW_BYTES))
        if number < accepted_below:
            return number % limit


def _take(size: int) -> bytes:
    global _pool_pid
    with _lock:
        if _pool_pid != os.getpid():  # a forked child must not repeat its parent's numbers
            _pool.clear()
            _pool_pid = os.getpid()
        if len(_pool) < size:
            _pool.extend(os.urandom(READ_BYTES))
        taken = bytes(_pool[:size])
        del _pool[:size]
    return taken
