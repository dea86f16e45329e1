"""Random numbers from a pool of the system's random bytes (core/random_pool.py): one read
for many draws, unbiased, and not shared with a forked child."""

import pytest

from ioc.core import random_pool


@pytest.fixture
def reads(monkeypatch):
    """The reads of the system's source, each answered by the next given byte string
    (random bytes when none is left)."""
    answers: list[bytes] = []
    sizes: list[int] = []

    def urandom(size: int) -> bytes:
        sizes.append(size)
        answer = answers.pop(0) if answers else bytes(range(256)) * (size // 256 + 1)
        return answer[:size].ljust(size, b"\0")

    monkeypatch.setattr(random_pool.os, "urandom", urandom)
    monkeypatch.setattr(random_pool, "_pool", bytearray())
    return answers, sizes


def test_one_read_of_the_source_serves_512_draws(reads):
    _answers, sizes = reads

    values = [random_pool.randbelow(31**6) for _draw in range(1000)]

    assert sizes == [4096, 4096]  # 8 bytes a draw: 512 draws a read
    assert all(0 <= value < 31**6 for value in values)


def test_a_number_that_would_bias_the_draw_is_drawn_again(reads):
    answers, _sizes = reads
    # 2**64 - 1 lies in the last, incomplete run of 31**6 numbers: taken, it would make
    # the low values more likely. The next number, 31**6 + 5, gives 5.
    answers.append(b"\xff" * 8 + (31**6 + 5).to_bytes(8))

    assert random_pool.randbelow(31**6) == 5


def test_a_forked_child_reads_its_own_bytes(reads, monkeypatch):
    answers, sizes = reads
    answers.extend([(7).to_bytes(8), (9).to_bytes(8)])
    parent = random_pool.randbelow(100)
    monkeypatch.setattr(random_pool.os, "getpid", lambda: -1)  # as in a forked child

    child = random_pool.randbelow(100)

    assert (parent, child) == (7, 9)  # not the parent's next bytes (zeros)
    assert sizes == [4096, 4096]


@pytest.mark.parametrize("limit", [0, -3, 2**64 + 1])
def test_a_limit_out_of_range_is_refused(limit):
    with pytest.raises(ValueError, match=f"not {limit}"):
        random_pool.randbelow(limit)
