"""What am I running on? The environment check of lesson 00, as a report and a command.

    python -m course_utils.env          # readable printout
    python -m course_utils.env --json   # the same report as JSON

The first lecture asks these questions one shell command at a time (``!pip show
tensorflow``, ``tf.test.gpu_device_name()``, ``!nvidia-smi``, ``!cat /proc/meminfo``,
``!cat /proc/cpuinfo``); here they are answered in one structured report, with advice.
Nothing here imports TensorFlow unless Keras runs on it, so it works on the JAX
backend and on a Colab TPU runtime, where TensorFlow is not installed.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass, field

from course_utils.versions import VersionCheck, check_versions


@dataclass
class GpuInfo:
    name: str
    memory_mib: int | None  # total memory; None when no tool reports it


@dataclass
class EnvironmentReport:
    python_version: str
    operating_system: str
    keras_version: str | None
    keras_backend: str | None
    tensorflow_version: str | None
    backend_gpus: list[str]          # GPU devices the Keras backend can use
    gpus: list[GpuInfo]              # GPUs with names and memory (nvidia-smi or backend)
    tpu_runtime: bool
    in_colab: bool
    cpu_model: str | None
    cpu_cores: int | None
    ram_total_gib: float | None
    ram_available_gib: float | None
    nvidia_smi: str | None           # the full nvidia-smi printout, when the tool exists
    versions: list[VersionCheck] = field(default_factory=list)
    advice: list[str] = field(default_factory=list)


def enable_gpu_memory_growth() -> list[str]:
    """Let the Keras backend take GPU memory as it needs it instead of all of it at once.

    One line at the top of every lesson that trains, before its first model:
    ``from course_utils.env import enable_gpu_memory_growth; enable_gpu_memory_growth()``.
    TensorFlow grabs the whole GPU by default and JAX 75 % of it, which starves a second
    notebook on the same Colab runtime. Safe everywhere: without a GPU, on the JAX or
    PyTorch backend, and when called twice. Returns the GPUs it switched (empty without
    a GPU, or when TensorFlow had already started on the GPU, where growth can no longer
    be set: restart the runtime and call this first).
    """
    # Both frameworks read these when they first start a GPU; set before that happens.
    os.environ.setdefault("XLA_PYTHON_CLIENT_PREALLOCATE", "false")  # JAX
    os.environ.setdefault("TF_FORCE_GPU_ALLOW_GROWTH", "true")       # TensorFlow
    if _keras_backend_name() != "tensorflow":
        return []  # JAX reads the variable above; PyTorch allocates lazily already
    import tensorflow as tf

    return switch_memory_growth(tf.config.list_physical_devices("GPU"),
                                tf.config.experimental.set_memory_growth)


def switch_memory_growth(physical_gpus, set_memory_growth) -> list[str]:
    """Turn on memory growth for each GPU in ``physical_gpus``; return the names switched.

    The GPUs and TensorFlow's setter are arguments, so that the GPU path runs in the
    tests on a CPU with stand-ins (``tests/test_env.py``); on a CPU the list is empty.
    """
    switched = []
    for gpu in physical_gpus:
        try:
            set_memory_growth(gpu, True)
            switched.append(gpu.name)
        except (RuntimeError, ValueError):
            # The GPU was already initialised by an earlier cell; the environment variable
            # above still covers a restarted kernel.
            pass
    return switched


def _keras_backend_name() -> str | None:
    try:
        import keras
    except ImportError:
        return None
    return keras.backend.backend()


def _keras_version() -> str | None:
    try:
        import keras
    except ImportError:
        return None
    return keras.__version__


def _backend_gpu_devices(backend: str | None) -> list[str]:
    """Names of the GPU devices the Keras backend itself sees."""
    try:
        if backend == "tensorflow":
            import tensorflow as tf

            return [gpu.name for gpu in tf.config.list_physical_devices("GPU")]
        if backend == "jax":
            import jax

            return [str(device) for device in jax.devices() if device.platform == "gpu"]
        if backend == "torch":
            import torch

            return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    except Exception:  # a broken driver must not stop the report
        return []
    return []


def _nvidia_smi_gpus(executable: str | None = None) -> tuple[list[GpuInfo], str | None]:
    """GPU names and memory from nvidia-smi, plus its full printout.

    ``executable`` is the path of nvidia-smi (by default looked up on PATH); the tests pass
    a stand-in script, so that the GPU path runs on a machine without one.
    """
    executable = executable or shutil.which("nvidia-smi")
    if executable is None:
        return [], None
    try:
        query = subprocess.run(
            [executable, "--query-gpu=name,memory.total", "--format=csv,noheader,nounits"],
            capture_output=True, text=True, timeout=20, check=True)
        full = subprocess.run([executable], capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return [], None
    gpus = []
    for line in query.stdout.strip().splitlines():
        name, _, memory = line.rpartition(",")
        gpus.append(GpuInfo(name.strip(), int(memory) if memory.strip().isdigit() else None))
    return gpus, full.stdout or None


NO_NVIDIA_SMI = "nvidia-smi is not installed here: there is no NVIDIA GPU driver on this machine."


def nvidia_smi_printout(executable: str | None = None) -> str:
    """What ``!nvidia-smi`` prints (lesson 00), or a sentence saying there is no driver."""
    _, printout = _nvidia_smi_gpus(executable)
    return printout if printout else NO_NVIDIA_SMI


def _tensorflow_gpu_details(physical_gpus=None, device_details=None) -> list[GpuInfo]:
    """GPU names from TensorFlow when nvidia-smi is absent (e.g. some containers).

    Both arguments default to TensorFlow's; the tests pass stand-ins for a GPU."""
    if physical_gpus is None or device_details is None:
        import tensorflow as tf

        physical_gpus = tf.config.list_physical_devices("GPU")
        device_details = tf.config.experimental.get_device_details
    return [GpuInfo(device_details(gpu).get("device_name", gpu.name), None) for gpu in physical_gpus]


def _cpu_model() -> str | None:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for line in cpuinfo:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gib() -> tuple[float | None, float | None]:
    try:
        import psutil
    except ImportError:
        return None, None
    memory = psutil.virtual_memory()
    return round(memory.total / 2**30, 1), round(memory.available / 2**30, 1)


def _is_tpu_runtime() -> bool:
    # TPU VMs expose /dev/accel0 and name their accelerator in the environment. Not any
    # TPU_* variable: importing TensorFlow sets TPU_ML_PLATFORM even on a laptop.
    tpu_variables = ("COLAB_TPU_ADDR", "TPU_NAME", "TPU_ACCELERATOR_TYPE")
    return any(name in os.environ for name in tpu_variables) or os.path.exists("/dev/accel0")


def advice_for(report: EnvironmentReport) -> list[str]:
    """Specific next steps for what the report shows; empty when all is well."""
    advice = []
    if not report.gpus and not report.backend_gpus:
        if report.tpu_runtime:
            pass  # handled by the TPU advice below
        elif report.in_colab:
            advice.append("No GPU is attached. In Colab choose Runtime > Change runtime type > "
                          "Hardware accelerator: T4 GPU, save, and run the notebook again.")
        else:
            advice.append("No GPU found: the lessons still run on the CPU, only slower. Set "
                          "CNN_COURSE_FAST=1 for quick runs, or open the lessons in Colab with "
                          "a GPU runtime for the full ones.")
    elif report.gpus and not report.backend_gpus and report.keras_backend is not None:
        advice.append(f"A GPU is installed ({report.gpus[0].name}) but Keras's "
                      f"{report.keras_backend} backend cannot see it: check that the "
                      f"{report.keras_backend} build matches the CUDA driver (nvidia-smi shows "
                      f"the driver's CUDA version), then restart the kernel.")
    if report.tpu_runtime and report.tensorflow_version is None:
        advice.append("This is a TPU runtime, which ships without TensorFlow. The course "
                      "expects a GPU: choose Runtime > Change runtime type > T4 GPU. To stay "
                      "on the TPU, set KERAS_BACKEND=jax before importing keras.")
    elif report.tensorflow_version is None and report.keras_backend in (None, "tensorflow"):
        advice.append("TensorFlow is not installed. Install the course with "
                      "`pip install -r requirements.txt`, or set KERAS_BACKEND=jax if JAX is "
                      "installed.")
    for check in report.versions:
        if check.status in ("older", "newer"):
            advice.append(f"{check.package} {check.installed} is {check.status} than the tested "
                          f"range {check.tested_low}–{check.tested_high}: it may work; if a lesson "
                          f"fails, install a tested version, e.g. "
                          f"`pip install '{check.package}>={check.tested_low},<={check.tested_high}.*'`"
                          + (" (in Colab, prefer a fresh runtime to reinstalling)." if report.in_colab else "."))
    return advice


def collect_report() -> EnvironmentReport:
    """Look at the machine and the installed packages, and return the report."""
    backend = _keras_backend_name()
    backend_gpus = _backend_gpu_devices(backend)
    gpus, nvidia_smi = _nvidia_smi_gpus()
    versions = check_versions()
    tensorflow_version = next((c.installed for c in versions if c.package == "tensorflow"), None)
    if not gpus and backend_gpus and backend == "tensorflow":
        gpus = _tensorflow_gpu_details()
    ram_total, ram_available = _memory_gib()
    report = EnvironmentReport(
        python_version=platform.python_version(),
        operating_system=f"{platform.system()} {platform.release()}",
        keras_version=_keras_version(),
        keras_backend=backend,
        tensorflow_version=tensorflow_version,
        backend_gpus=backend_gpus,
        gpus=gpus,
        tpu_runtime=_is_tpu_runtime(),
        in_colab="google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ,
        cpu_model=_cpu_model(),
        cpu_cores=os.cpu_count(),
        ram_total_gib=ram_total,
        ram_available_gib=ram_available,
        nvidia_smi=nvidia_smi,
        versions=versions,
    )
    report.advice = advice_for(report)
    return report


def format_report(report: EnvironmentReport) -> str:
    """The report as the lines lesson 00 prints."""
    def value(text):
        return "not installed" if text is None else text

    lines = [
        f"Python            {report.python_version} on {report.operating_system}",
        f"Keras             {value(report.keras_version)} (backend: {value(report.keras_backend)})",
        f"TensorFlow        {value(report.tensorflow_version)}",
        f"Colab             {'yes' if report.in_colab else 'no'}"
        + ("  (TPU runtime)" if report.tpu_runtime else ""),
    ]
    if report.gpus:
        for gpu in report.gpus:
            memory = f"{gpu.memory_mib / 1024:.1f} GiB" if gpu.memory_mib else "memory unknown"
            lines.append(f"GPU               {gpu.name}, {memory}")
    else:
        lines.append("GPU               none found")
    lines.append(f"GPU for Keras     {', '.join(report.backend_gpus) or 'none: Keras runs on the CPU'}")
    lines.append(f"CPU               {value(report.cpu_model)}, {value(report.cpu_cores)} logical cores")
    if report.ram_total_gib is not None:
        lines.append(f"RAM               {report.ram_total_gib} GiB total, "
                     f"{report.ram_available_gib} GiB available")
    lines.append("")
    lines.append("Package versions against the tested ranges:")
    for check in report.versions:
        lines.append(f"  {check.package:<14} {value(check.installed):<12} "
                     f"tested {check.tested_low}–{check.tested_high}  {check.status}")
    lines.append("")
    if report.advice:
        lines.append("Advice:")
        lines.extend(f"  - {line}" for line in report.advice)
    else:
        lines.append("All good: nothing to change.")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.env",
                                     description="Report Python, Keras, GPU, CPU and RAM, with advice.")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--nvidia-smi", action="store_true", help="also print nvidia-smi's output")
    arguments = parser.parse_args(argv)
    report = collect_report()
    if arguments.json:
        print(json.dumps(dataclasses.asdict(report) | {"versions": [
            dataclasses.asdict(c) | {"status": c.status} for c in report.versions]}, indent=2))
        return 0
    print(format_report(report))
    if arguments.nvidia_smi and report.nvidia_smi:
        print("\n" + report.nvidia_smi)
    return 0


if __name__ == "__main__":
    sys.exit(main())
