"""The CPUs of `ioc serve`'s processes (core/cpus.py)."""

import os

import pytest

from ioc.core.cpus import CpuListError, CpuPlan, cpu_plan, parse_cpus


@pytest.fixture
def four_cpus(monkeypatch):
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0, 1, 2, 3})


def test_a_cpu_list_reads_numbers_and_ranges():
    assert parse_cpus("0,2-3") == [0, 2, 3]
    assert parse_cpus(" 1 , 1 ") == [1]


@pytest.mark.parametrize("spec", ["", "a", "1-", "0,,1", "-1", "2-x"])
def test_a_malformed_cpu_list_is_refused_with_the_option_named(spec):
    with pytest.raises(CpuListError, match=r"--cpus .*: give CPU numbers like 0,1 or 0-3"):
        parse_cpus(spec)


def test_one_web_process_gets_the_first_cpu_and_the_helpers_the_others(four_cpus):
    assert cpu_plan("auto", 1) == CpuPlan(web=[0], helpers={1, 2, 3}, cpu_left=True)


def test_web_processes_take_the_cpus_in_turn(four_cpus):
    assert cpu_plan("auto", 2) == CpuPlan(web=[0, 1], helpers={2, 3})
    # Every CPU has a web process: the helpers are not pinned, and none is left.
    assert cpu_plan("auto", 5) == CpuPlan(web=[0, 1, 2, 3, 0], helpers=None, cpu_left=False)
    assert cpu_plan("auto", 4).cpu_left is False


def test_a_given_list_places_the_web_processes(four_cpus):
    assert cpu_plan("2-3", 2) == CpuPlan(web=[2, 3], helpers={0, 1})


def test_a_cpu_out_of_reach_is_refused(four_cpus):
    with pytest.raises(CpuListError, match=r"--cpus 7: this process may use CPUs 0,1,2,3 only"):
        cpu_plan("7", 1)


def test_none_and_a_single_cpu_pin_nothing(monkeypatch):
    assert cpu_plan("none", 2) == CpuPlan(web=[None, None], helpers=None, cpu_left=True)
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {3})
    assert cpu_plan("auto", 1) == CpuPlan(web=[None], helpers=None, cpu_left=False)
