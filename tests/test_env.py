"""The environment report of lesson 00: its advice for each situation, and its command line."""

import dataclasses
import json
import os

import pytest

from course_utils import env
from course_utils.versions import TESTED_RANGES, VersionCheck, check_versions, major_minor


def report(**changes):
    """A healthy GPU machine; each test changes what it is about."""
    healthy = env.EnvironmentReport(
        python_version="3.12.0", operating_system="Linux", keras_version="3.13.2",
        keras_backend="tensorflow", tensorflow_version="2.20.0",
        backend_gpus=["/physical_device:GPU:0"], gpus=[env.GpuInfo("Tesla T4", 15360)],
        tpu_runtime=False, in_colab=True, cpu_model="Intel(R) Xeon(R) CPU @ 2.20GHz",
        cpu_cores=2, ram_total_gib=12.7, ram_available_gib=11.0, nvidia_smi="...",
        versions=[VersionCheck("tensorflow", "2.20.0", "2.20", "2.21")])
    return dataclasses.replace(healthy, **changes)


def test_healthy_machine_gets_no_advice():
    assert env.advice_for(report()) == []


def test_colab_without_gpu_is_told_to_change_runtime():
    advice = env.advice_for(report(gpus=[], backend_gpus=[]))
    assert len(advice) == 1 and "Runtime > Change runtime type" in advice[0]


def test_local_machine_without_gpu_is_told_about_fast_mode():
    advice = env.advice_for(report(gpus=[], backend_gpus=[], in_colab=False))
    assert "CNN_COURSE_FAST=1" in advice[0]


def test_tpu_runtime_without_tensorflow():
    advice = env.advice_for(report(gpus=[], backend_gpus=[], tpu_runtime=True,
                                   tensorflow_version=None, keras_backend="jax"))
    assert len(advice) == 1
    assert "TPU runtime" in advice[0] and "without TensorFlow" in advice[0]
    assert "KERAS_BACKEND=jax" in advice[0]


def test_gpu_present_but_invisible_to_keras():
    advice = env.advice_for(report(backend_gpus=[]))
    assert "cannot see it" in advice[0] and "Tesla T4" in advice[0]


@pytest.mark.parametrize("installed, status", [("2.19.1", "older"), ("2.22.0", "newer"),
                                               ("2.20.3", "ok"), ("2.21.0rc1", "ok"), (None, "missing")])
def test_version_outside_tested_range(installed, status):
    check = VersionCheck("tensorflow", installed, "2.20", "2.21")
    assert check.status == status
    advice = env.advice_for(report(versions=[check]))
    if status in ("older", "newer"):
        assert advice == [f"tensorflow {installed} is {status} than the tested range 2.20–2.21: it "
                          f"may work; if a lesson fails, install a tested version, e.g. "
                          f"`pip install 'tensorflow>=2.20,<=2.21.*'` (in Colab, prefer a fresh "
                          f"runtime to reinstalling)."]
    else:
        assert advice == []


def test_major_minor_reads_release_candidates():
    assert major_minor("2.20.0rc1") == (2, 20)
    assert major_minor("3") == (3, 0)


def test_colab_constraints_lie_inside_the_tested_ranges():
    """The low end of each range is Colab's version: the pins and the ranges must agree."""
    from notebook_files import REPOSITORY_ROOT

    pins = {}
    for line in (REPOSITORY_ROOT / "constraints" / "colab.txt").read_text().splitlines():
        if "==" in line and not line.startswith("#"):
            name, version = line.split("==")
            pins[name.strip()] = version.strip()
    checks = {check.package: check for check in check_versions(pins)}
    for name in pins:
        assert name in TESTED_RANGES, f"{name} is pinned for Colab but has no tested range"
        assert checks[name].status == "ok", f"Colab's {name} {pins[name]} is outside {TESTED_RANGES[name]}"


def test_collect_report_on_this_machine():
    collected = env.collect_report()
    assert collected.python_version.count(".") == 2
    assert collected.cpu_cores and collected.cpu_cores >= 1
    assert collected.keras_backend in ("tensorflow", "jax", "torch")
    assert {check.package for check in collected.versions} == set(TESTED_RANGES)
    text = env.format_report(collected)
    assert "Keras" in text and "tested" in text


def test_command_line_json(capsys):
    assert env.main(["--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["keras_backend"] in ("tensorflow", "jax", "torch")
    assert all("status" in check for check in printed["versions"])


def test_gpu_memory_growth_is_safe_without_a_gpu_and_twice(monkeypatch):
    monkeypatch.delenv("XLA_PYTHON_CLIENT_PREALLOCATE", raising=False)
    monkeypatch.delenv("TF_FORCE_GPU_ALLOW_GROWTH", raising=False)
    first = env.enable_gpu_memory_growth()
    second = env.enable_gpu_memory_growth()
    assert isinstance(first, list) and isinstance(second, list)
    assert os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "false"
    assert os.environ["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"


def test_gpu_memory_growth_keeps_a_users_own_setting(monkeypatch):
    monkeypatch.setenv("XLA_PYTHON_CLIENT_PREALLOCATE", "true")
    env.enable_gpu_memory_growth()
    assert os.environ["XLA_PYTHON_CLIENT_PREALLOCATE"] == "true"


# The GPU arms of course_utils.env, run on a CPU with stand-ins for the GPU: CI has none,
# so without these the code a Colab GPU runtime takes would never execute before a student.

class FakeGpu:
    def __init__(self, name):
        self.name = name


def test_memory_growth_switches_every_gpu_it_can():
    calls = []

    def set_memory_growth(gpu, enabled):
        calls.append((gpu.name, enabled))
        if gpu.name.endswith(":1"):
            raise RuntimeError("Physical devices cannot be modified after being initialized")

    gpus = [FakeGpu("/physical_device:GPU:0"), FakeGpu("/physical_device:GPU:1")]
    assert env.switch_memory_growth(gpus, set_memory_growth) == ["/physical_device:GPU:0"]
    assert calls == [("/physical_device:GPU:0", True), ("/physical_device:GPU:1", True)]


def test_memory_growth_without_gpus_switches_nothing():
    def never_called(gpu, enabled):
        raise AssertionError("no GPU, so nothing to switch")

    assert env.switch_memory_growth([], never_called) == []


FAKE_NVIDIA_SMI = """#!/bin/sh
if [ "$1" = "--query-gpu=name,memory.total" ]; then
  echo "Tesla T4, 15360"
else
  echo "| NVIDIA-SMI 550.54.15   Driver Version: 550.54.15   CUDA Version: 12.4 |"
fi
"""


@pytest.fixture
def fake_nvidia_smi(tmp_path):
    script = tmp_path / "nvidia-smi"
    script.write_text(FAKE_NVIDIA_SMI)
    script.chmod(0o755)
    return str(script)


def test_nvidia_smi_names_the_gpu_and_its_memory(fake_nvidia_smi):
    gpus, printout = env._nvidia_smi_gpus(fake_nvidia_smi)
    assert gpus == [env.GpuInfo("Tesla T4", 15360)]
    assert "CUDA Version: 12.4" in printout
    assert env.nvidia_smi_printout(fake_nvidia_smi) == printout


def test_without_nvidia_smi_the_printout_says_so(monkeypatch):
    monkeypatch.setattr(env.shutil, "which", lambda name: None)
    assert env._nvidia_smi_gpus() == ([], None)
    assert env.nvidia_smi_printout() == env.NO_NVIDIA_SMI


def test_tensorflow_names_the_gpu_when_nvidia_smi_is_missing():
    details = {"/physical_device:GPU:0": {"device_name": "Tesla T4"}, "/physical_device:GPU:1": {}}
    gpus = [FakeGpu(name) for name in details]
    found = env._tensorflow_gpu_details(gpus, lambda gpu: details[gpu.name])
    assert found == [env.GpuInfo("Tesla T4", None), env.GpuInfo("/physical_device:GPU:1", None)]


def test_report_of_a_gpu_machine_names_the_gpu():
    text = env.format_report(report())
    assert "GPU               Tesla T4, 15.0 GiB" in text
    assert "GPU for Keras     /physical_device:GPU:0" in text
    assert "All good" in text
    assert "none found" in env.format_report(report(gpus=[], backend_gpus=[]))
    unknown_memory = env.format_report(report(gpus=[env.GpuInfo("Tesla T4", None)]))
    assert "GPU               Tesla T4, memory unknown" in unknown_memory


def test_command_line_prints_nvidia_smi_when_asked(monkeypatch, capsys):
    monkeypatch.setattr(env, "collect_report", lambda: report(nvidia_smi="| NVIDIA-SMI 550.54.15 |"))
    assert env.main(["--nvidia-smi"]) == 0
    assert capsys.readouterr().out.endswith("\n\n| NVIDIA-SMI 550.54.15 |\n")
    assert env.main([]) == 0
    assert "NVIDIA-SMI" not in capsys.readouterr().out


def test_tensorflow_gpu_details_on_this_machine():
    """TensorFlow's own device list (what runs when no stand-ins are given): CI has no GPU."""
    pytest.importorskip("tensorflow")
    found = env._tensorflow_gpu_details()
    assert isinstance(found, list) and all(isinstance(gpu, env.GpuInfo) for gpu in found)
