"""nvidia-smi's CSV output read into MiB figures."""

from __future__ import annotations

from daemon.doctor.gpu import parse_gpu_line, parse_process_mib


def test_gpu_line_gives_used_and_total_of_the_first_gpu() -> None:
    assert parse_gpu_line("1234, 81559\n20, 81559\n") == (1234, 81559)


def test_process_memory_is_summed_over_gpus_and_none_when_absent() -> None:
    apps = "4242, 900\n777, 10\n4242, 100\n"
    assert parse_process_mib(apps, 4242) == 1000
    assert parse_process_mib(apps, 5) is None
    assert parse_process_mib("", 4242) is None
