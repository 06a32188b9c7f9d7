"""Every place a lesson or helper branches on the device or on the mode, and how CI runs it.

Students run the lessons in Colab on a GPU in full mode; CI runs them on a CPU in fast
mode. Code that runs only on a GPU or only in full mode therefore never runs in CI
unless something makes it: a helper that takes the decision as an argument and is
unit-tested both ways, or a full-mode path reachable with small sizes. This test scans
``notebooks/*.py`` and ``course_utils`` (with ``ast``, so comments and text do not count)
for

* ``mode value``: a ``by_mode(fast=..., full=...)`` call, or an ``is_fast_mode()`` call
  outside a branch's test (a flag kept for later);
* ``mode branch``: an ``if``/``while``/conditional expression whose test calls
  ``is_fast_mode()`` or ``by_mode(...)``;
* ``device branch``: a test or a loop over something that names a GPU, CUDA, mixed
  precision, memory growth, nvidia-smi or a device;
* ``device call``: a call that sets or lists devices, memory growth or mixed precision,

and compares what it finds with ``INVENTORY``, which says for each how CI executes it.
A note that starts with ``GAP:`` names an arm that CI never executes. A new branch that
the inventory does not list fails the test, and so does a listed one that is gone;
``python tests/test_mode_and_device_branches.py`` prints the entries to add and the gaps.

Not followed: a value derived from a decision and tested later under another name
(``pets = None`` in full mode, then ``if pets is None:``). Such a follow-on branch is
named in the note of the decision it comes from.
"""

from __future__ import annotations

import ast
import functools
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

REPOSITORY_ROOT = Path(__file__).resolve().parents[1]
SOURCE_PATTERNS = ("notebooks/*.py", "course_utils/*.py", "course_utils/*/*.py")

# What makes a test, a loop or a call about the device. Loops use a narrower pattern: a
# loop over "devices" runs on a CPU too, a loop over GPUs only with one.
DEVICE_TEST = re.compile(r"gpu|cuda|mixed|precision|memory_growth|nvidia|device|default_backend", re.IGNORECASE)
DEVICE_LOOP = re.compile(r"gpu|cuda|mixed|precision|nvidia", re.IGNORECASE)
DEVICE_CALL = re.compile(r"mixed_precision|dtype_policy|memory_growth|nvidia|devices_to_compare|"
                         r"(^|\.)(device|default_device|devices|list_physical_devices)$", re.IGNORECASE)
MODE_FUNCTIONS = {"by_mode", "is_fast_mode"}


@dataclass(frozen=True, order=True)
class Branch:
    path: str   # relative to the repository root
    kind: str   # "mode value", "mode branch", "device branch" or "device call"
    key: str    # "function: source" (source alone at module level), "#2" for a repeat

    def __str__(self):
        return f"{self.path}: {self.kind}: {self.key}"


def _dotted_name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted_name(node.value)
        return f"{base}.{node.attr}" if base else node.attr
    return ""


def _calls_mode(node: ast.AST) -> bool:
    return any(isinstance(inner, ast.Call) and _dotted_name(inner.func).split(".")[-1] in MODE_FUNCTIONS
               for inner in ast.walk(node))


def _is_number_or_numbers(node: ast.AST) -> bool:
    if isinstance(node, ast.Constant):
        return isinstance(node.value, (int, float)) and not isinstance(node.value, bool)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return _is_number_or_numbers(node.operand)
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_is_number_or_numbers(element) for element in node.elts)
    return False


def selects_only_numbers(call: ast.Call) -> bool:
    """True for ``by_mode(fast=<numbers>, full=<numbers>)``: a size or a threshold, the same code."""
    return bool(call.keywords) and all(_is_number_or_numbers(keyword.value) for keyword in call.keywords)


def _with_parents(tree: ast.AST) -> ast.AST:
    for parent in ast.walk(tree):
        for child in ast.iter_child_nodes(parent):
            child.parent = parent
    return tree


def _enclosing_function(node: ast.AST) -> str | None:
    while (node := getattr(node, "parent", None)) is not None:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return node.name
    return None


def _tests_of(node: ast.AST) -> list[tuple[str, ast.AST]]:
    """The expressions a node decides on: ("if", test) or ("for", what it loops over)."""
    if isinstance(node, (ast.If, ast.IfExp, ast.While)):
        return [("if", node.test)]
    if isinstance(node, ast.comprehension):
        return [("if", test) for test in node.ifs] + [("for", node.iter)]
    if isinstance(node, (ast.For, ast.AsyncFor)):
        return [("for", node.iter)]
    return []


def _in_context(call: ast.Call, text_of) -> str:
    """A mode value with what it sets: ``epochs = by_mode(...)``, ``verbose=by_mode(...)``."""
    text = text_of(call)
    parent = getattr(call, "parent", None)
    if isinstance(parent, ast.keyword) and parent.arg:
        return f"{parent.arg}={text}"
    if isinstance(parent, ast.Assign) and parent.value is call:
        return " = ".join(ast.unparse(target) for target in parent.targets) + f" = {text}"
    if isinstance(parent, ast.Compare) and isinstance(getattr(parent, "parent", None), ast.Assert):
        return f"assert {text_of(parent)}"
    if isinstance(parent, ast.UnaryOp) and isinstance(getattr(parent, "parent", None), ast.Assign):
        return " = ".join(ast.unparse(target) for target in parent.parent.targets) + f" = {text_of(parent)}"
    return text


def find_branches(source: str, path: str) -> list[Branch]:
    """Every mode or device branch in one Python source, in the order of the file."""
    tree = _with_parents(ast.parse(source))
    found: list[tuple[int, int, str, ast.AST, str]] = []  # line, column, kind, node, text
    inside_mode_tests: set[int] = set()  # by_mode calls that a mode branch already lists

    lines = source.splitlines(keepends=True)

    def text_of(node):
        """The node's source on one line (ast.get_source_segment re-splits the file per call)."""
        if node.lineno == node.end_lineno:
            text = lines[node.lineno - 1].encode()[node.col_offset:node.end_col_offset].decode()
        else:
            text = (lines[node.lineno - 1].encode()[node.col_offset:].decode()
                    + "".join(lines[node.lineno:node.end_lineno - 1])
                    + lines[node.end_lineno - 1].encode()[:node.end_col_offset].decode())
        return " ".join(text.split())

    for node in ast.walk(tree):
        for word, test in _tests_of(node):
            if _calls_mode(test):
                found.append((test.lineno, test.col_offset, "mode branch", test, f"{word} {text_of(test)}"))
                inside_mode_tests.update(id(inner) for inner in ast.walk(test))
            elif (DEVICE_TEST if word == "if" else DEVICE_LOOP).search(text_of(test)):
                found.append((test.lineno, test.col_offset, "device branch", test, f"{word} {text_of(test)}"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = _dotted_name(node.func)
        if name.split(".")[-1] in MODE_FUNCTIONS:
            if id(node) not in inside_mode_tests:
                found.append((node.lineno, node.col_offset, "mode value", node, _in_context(node, text_of)))
        elif DEVICE_CALL.search(name):
            found.append((node.lineno, node.col_offset, "device call", node, text_of(node)))
    branches, seen = [], Counter()
    for _, _, kind, node, text in sorted(found, key=lambda item: item[:2]):
        function = _enclosing_function(node)
        key = f"{function}: {text}" if function else text
        seen[(kind, key)] += 1
        if seen[(kind, key)] > 1:
            key = f"{key} #{seen[(kind, key)]}"
        branches.append(Branch(path, kind, key))
    return branches


def source_files() -> list[Path]:
    return sorted({path for pattern in SOURCE_PATTERNS for path in REPOSITORY_ROOT.glob(pattern)})


@functools.cache
def all_branches() -> tuple[Branch, ...]:
    return tuple(branch for path in source_files()
            for branch in find_branches(path.read_text(encoding="utf-8"),
                                        path.relative_to(REPOSITORY_ROOT).as_posix()))


# How CI executes each kind of branch. A note names the test that runs an arm CI's CPU and
# fast mode would not reach (tests/FILE.py::TEST, checked to exist below), or says GAP.
NBVAL = "nbval executes it in fast mode on TensorFlow and on JAX"
SIZE = ("a number the code uses (a size, a count, a rate): nbval runs this line with the fast "
        "value on TensorFlow and JAX; the full value goes through the same code")
THRESHOLD = ("a threshold: nbval asserts the fast value on TensorFlow and JAX; the full value is "
             "asserted only by a full-mode run (README's table of full-mode times)")
MEMORY_GROWTH = ("nbval runs it on a CPU (no GPU to switch); the GPU arm runs with stand-in GPUs in "
                 "tests/test_env.py::test_memory_growth_switches_every_gpu_it_can")
MODE_DECISION = ("both arms run in tests/test_mode_and_seed.py::test_fast_mode_words and "
                 "tests/test_mode_and_seed.py::test_full_mode_words")
VERBOSITY = ("Keras's verbosity: nbval runs fit with the fast value (0, silent); full mode's one line "
             "per epoch is Keras's own printing of the same fit")
PROGRESS = ("a progress flag: nbval runs the loops with the bars off; the bars (tqdm.auto) draw only "
            "in full mode, and tests/test_adversarial.py::test_progress_bars_only_when_asked runs "
            "the course's loops with them on")
SIZE_OF_ALL = ("a size (full: all the training images): nbval runs this line with the fast value on "
               "TensorFlow and JAX; the full value goes through the same code")
LIST_DEVICES = ("runs on a CPU in CI and returns no GPU; what a GPU adds is only a longer list "
                "(its uses are listed here)")

PRECISION_BOTH_WAYS = ("both ways on the CPU (Keras runs mixed precision there too): "
                       "tests/test_device_timing.py::test_precision_policy_both_ways_on_the_cpu")

# Lesson 04 is edited by its own owner; its GPU-only cell is listed as it stands.
LESSON_04_GPU = ("GAP: lesson 04's GPU timing cell (the recipe for two epochs in float32 and in "
                 "mixed_float16) runs only with a GPU; CI runs the `else` arm, which prints that it "
                 "skipped. What the cell runs, on 64 digits: the fast CNN with the warm-up + cosine recipe "
                 "on logits and the lesson's two callbacks, in float32 and in mixed_float16, on the CPU in "
                 "tests/test_device_timing.py::test_lesson04_gpu_cell_recipe_trains_under_both_policies_on_the_cpu; "
                 "the lesson's own train_and_time and time_per_epoch run in nbval's fast run of the lesson; "
                 "only the loop's print line runs nowhere but on a GPU")

INVENTORY: dict[str, dict[tuple[str, str], str]] = {
    "course_utils/device_timing.py": {
        ("device branch", "precision_policy: if use_mixed_precision"): PRECISION_BOTH_WAYS,
        ("device call", "precision_policy: keras.config.dtype_policy()"): PRECISION_BOTH_WAYS,
        ("device call", "precision_policy: keras.config.dtype_policy() #2"): PRECISION_BOTH_WAYS,
        ("device call", "precision_policy: keras.config.set_dtype_policy(\"mixed_float16\" if "
                        "use_mixed_precision else \"float32\")"): PRECISION_BOTH_WAYS,
        ("device call", "precision_policy: keras.config.set_dtype_policy(previous)"):
            "tests/test_device_timing.py::test_precision_policy_is_restored_after_an_error",
        ("device branch", "time_one_epoch_per_device: if not devices"):
            "tests/test_device_timing.py::test_no_devices_is_refused",
        ("device branch", "devices_to_compare: if has_gpu"):
            "both arms: tests/test_device_timing.py::test_devices_to_compare_both_ways",
        ("device call", "time_one_epoch: keras.device(device)"):
            "on the CPU in tests/test_device_timing.py::test_two_devices_give_two_timings_and_a_ratio "
            "and in lesson 00 (nbval); keras.device('gpu:0') is tf.device / jax.default_device",
    },
    "course_utils/env.py": {
        ("device call", "enable_gpu_memory_growth: tf.config.list_physical_devices(\"GPU\")"): LIST_DEVICES,
        ("device call", "enable_gpu_memory_growth: switch_memory_growth(tf.config.list_physical_devices(\"GPU\"), "
                        "tf.config.experimental.set_memory_growth)"): MEMORY_GROWTH,
        ("device branch", "switch_memory_growth: for physical_gpus"):
            "with GPUs, one refusing: tests/test_env.py::test_memory_growth_switches_every_gpu_it_can; "
            "without: tests/test_env.py::test_memory_growth_without_gpus_switches_nothing",
        ("device call", "switch_memory_growth: set_memory_growth(gpu, True)"):
            "with a stand-in setter: tests/test_env.py::test_memory_growth_switches_every_gpu_it_can",
        ("device call", "_backend_gpu_devices: tf.config.list_physical_devices(\"GPU\")"): LIST_DEVICES,
        ("device branch", "_backend_gpu_devices: if device.platform == \"gpu\""):
            "evaluated for every JAX device in CI's JAX pass (false on its CPU); "
            "tests/test_env.py::test_collect_report_on_this_machine",
        ("device call", "_backend_gpu_devices: jax.devices()"): LIST_DEVICES,
        ("device branch", "_backend_gpu_devices: for range(torch.cuda.device_count())"):
            "GAP: the PyTorch backend is not one the course runs on (CI: TensorFlow and JAX)",
        ("device call", "nvidia_smi_printout: _nvidia_smi_gpus(executable)"):
            "both ways: tests/test_env.py::test_nvidia_smi_names_the_gpu_and_its_memory and "
            "tests/test_env.py::test_without_nvidia_smi_the_printout_says_so",
        ("device branch", "_tensorflow_gpu_details: if physical_gpus is None or device_details is None"):
            "TensorFlow's own list: tests/test_env.py::test_tensorflow_gpu_details_on_this_machine; "
            "stand-ins: tests/test_env.py::test_tensorflow_names_the_gpu_when_nvidia_smi_is_missing",
        ("device call", "_tensorflow_gpu_details: tf.config.list_physical_devices(\"GPU\")"): LIST_DEVICES,
        ("device branch", "_tensorflow_gpu_details: for physical_gpus"):
            "with stand-in GPUs: tests/test_env.py::test_tensorflow_names_the_gpu_when_nvidia_smi_is_missing",
        ("device branch", "advice_for: if not report.gpus and not report.backend_gpus"):
            "both arms on made-up reports: tests/test_env.py::test_healthy_machine_gets_no_advice, "
            "tests/test_env.py::test_colab_without_gpu_is_told_to_change_runtime",
        ("device branch", "advice_for: if report.gpus and not report.backend_gpus and "
                          "report.keras_backend is not None"):
            "tests/test_env.py::test_gpu_present_but_invisible_to_keras",
        ("device call", "collect_report: _nvidia_smi_gpus()"):
            "tests/test_env.py::test_collect_report_on_this_machine (no nvidia-smi in CI); "
            "the GPU arm with a stand-in: tests/test_env.py::test_nvidia_smi_names_the_gpu_and_its_memory",
        ("device branch", "collect_report: if not gpus and backend_gpus and backend == \"tensorflow\""):
            "the condition runs in tests/test_env.py::test_collect_report_on_this_machine (false on a CPU); "
            "its body, with stand-ins: tests/test_env.py::test_tensorflow_names_the_gpu_when_nvidia_smi_is_missing",
        ("device branch", "format_report: if report.gpus"):
            "both arms: tests/test_env.py::test_report_of_a_gpu_machine_names_the_gpu",
        ("device branch", "format_report: for report.gpus"):
            "tests/test_env.py::test_report_of_a_gpu_machine_names_the_gpu",
        ("device branch", "format_report: if gpu.memory_mib"):
            "both arms: tests/test_env.py::test_report_of_a_gpu_machine_names_the_gpu",
        ("device branch", "main: if arguments.nvidia_smi and report.nvidia_smi"):
            "with a GPU's report: tests/test_env.py::test_command_line_prints_nvidia_smi_when_asked; "
            "without: tests/test_env.py::test_command_line_json",
        ("device branch", "_backend_gpu_devices: for tf.config.list_physical_devices(\"GPU\")"):
            "runs over CI's empty list on TensorFlow; GAP: the names of real GPUs (one comprehension, "
            "`gpu.name`), read only on a GPU runtime",
    },
    "course_utils/jax_max_pool.py": {
        ("device branch", "speed_up_max_pool_gradient: if (platform or jax.default_backend()) != \"cpu\""):
            "both arms: tests/test_jax_max_pool.py::test_installed_keras_layer_trains_with_the_same_gradient "
            "(cpu) and ::test_not_installed_off_jax_or_off_the_cpu (gpu), in CI's JAX pass; the CPU arm also "
            "in lessons 03-07 under nbval on JAX",
    },
    "course_utils/exercises/lesson04.py": {
        ("mode value", "min_accuracy: by_mode(fast=0.95, full=0.985)"): THRESHOLD,
    },
    "course_utils/mode.py": {
        ("mode branch", "by_mode: if is_fast_mode()"): MODE_DECISION,
        ("mode branch", "describe_mode: if is_fast_mode()"): MODE_DECISION,
    },
    "notebooks/00_environment_check.py": {
        ("device call", "env.enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("device call", 'tf.config.list_physical_devices("GPU")'):
            NBVAL + " (the TensorFlow arm); " + LIST_DEVICES,
        ("device call", "jax.devices()"):
            NBVAL + " (the JAX arm); " + LIST_DEVICES,
        ("device call", "env.nvidia_smi_printout()"):
            NBVAL + " (no driver); with a stand-in nvidia-smi: "
            "tests/test_env.py::test_nvidia_smi_names_the_gpu_and_its_memory",
        ("mode value", "size = by_mode(fast=512, full=2048)"):
            SIZE,
        ("device call", "device_timing.devices_to_compare(has_gpu=has_gpu)"):
            NBVAL + " with has_gpu=False (the CPU timed, the lecture quoted); the GPU arm (two devices, "
            "the ratio) runs on the CPU in tests/test_device_timing.py::test_two_devices_give_two_timings_and_a_ratio",
        ("mode value", "timed_count = by_mode(fast=1_024, full=60_000 if has_gpu else 6_400)"):
            NBVAL + " with 1,024 images; the full-mode sizes go through the same code",
        ("device branch", "if has_gpu"):
            "a size: the full-mode images timed with a GPU (60,000) or without (6,400); neither runs "
            "in CI (fast mode), and both are the same code with another number",
        ("mode value", "samples = by_mode(fast=1000, full=4000)"):
            SIZE,
        ("mode value", "epochs = by_mode(fast=5, full=20)"):
            SIZE,
        ("mode value", "assert accuracy >= by_mode(fast=0.93, full=0.96)"):
            THRESHOLD,
    },
    "notebooks/01_mlp_review.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "n_samples = by_mode(fast=400, full=1000)"):
            SIZE,
        ("mode value", "epochs = by_mode(fast=100, full=300)"):
            SIZE,
        ("mode value", "circle_count = by_mode(fast=400, full=1000)"):
            SIZE,
        ("mode value", "circle_epochs = by_mode(fast=100, full=300)"):
            SIZE,
        ("mode value", "assert test_accuracy >= by_mode(fast=0.90, full=0.93)"):
            THRESHOLD,
        ("mode value", "assert sk_mlp_accuracy >= by_mode(fast=0.90, full=0.93)"):
            THRESHOLD,
        ("mode value", "playground_epochs = by_mode(fast=60, full=200)"):
            SIZE,
        ("mode value", "assert keras_accuracy >= by_mode(fast=0.90, full=0.93)"):
            THRESHOLD,
    },
    "notebooks/02_convolution_by_hand.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "steps = by_mode(fast=120, full=400)"):
            SIZE,
        ("mode value", "assert map_error <= by_mode(fast=1e-2, full=1e-5)"):
            THRESHOLD,
    },
    "notebooks/03_activations_and_pooling.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "n_train = by_mode(fast=2000, full=20000)"):
            SIZE,
        ("mode value", "bn_epochs = by_mode(fast=2, full=5)"):
            SIZE,
    },
    "notebooks/04_keras_cnn_mnist.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("device branch", "if on_gpu"):
            'nbval runs the CPU arm; GAP: the GPU arm only puts report.backend_gpus[0] into the printout',
        ("mode value", "fit_verbosity = by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "show_progress = not is_fast_mode()"):
            PROGRESS,
        ("mode value", "n_train = by_mode(fast=8_192, full=55_000)"):
            SIZE,
        ("mode value", "training_count = by_mode(fast=8_192, full=55_000)"):
            SIZE,
        ("mode value", "verbose=by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "n_validation = by_mode(fast=2_000, full=5_000)"):
            SIZE,
        ("mode value", "n_test = by_mode(fast=2_000, full=10_000)"):
            SIZE,
        ("mode value", "comparison_epochs = by_mode(fast=2, full=3)"):
            SIZE,
        ("mode value", "evaluations_per_epoch = by_mode(fast=2, full=4)"):
            SIZE,
        ("mode value", "target = by_mode(fast=0.97, full=0.99)"):
            THRESHOLD,
        ("mode value", "epochs=by_mode(fast=comparison_epochs, full=12)"):
            "an epoch count (fast: the comparison's epochs, a number): nbval runs this line; the full value goes through the same code",
        ("mode value", "assert accuracy_after(plain_clock, comparison_epochs) >= by_mode(fast=0.90, full=0.985)"):
            THRESHOLD,
        ("mode value", "assert recipe_accuracy >= by_mode(fast=0.95, full=0.99)"):
            THRESHOLD,
        ("device branch", "if on_gpu #2"):
            LESSON_04_GPU,
        ("mode value", "n_keras2017 = by_mode(fast=640, full=len(x_train))"):
            SIZE_OF_ALL,
        ("mode value", "evaluate_every=by_mode(fast=None, full=mnist_cnn.steps_for(n_keras2017, 128, 1) // 4)"):
            'fast: None (evaluate at epoch ends), run by nbval; full: every quarter epoch, the mid-epoch arm of TimeToAccuracy that tests/test_time_to_accuracy.py::test_evaluates_every_n_batches_and_at_each_epoch_end runs',
        ("mode value", "epochs=by_mode(fast=1, full=12)"):
            SIZE,
        ("mode value", "small_epochs = by_mode(fast=6, full=40)"):
            SIZE,
        ("mode value", "long_epochs = by_mode(fast=3, full=15)"):
            SIZE,
        ("mode value", "long_widths = by_mode(fast=(8, 16, 32), full=(16, 32, 64))"):
            SIZE,
        ("mode value", "assert test_accuracy >= by_mode(fast=0.95, full=0.994)"):
            THRESHOLD,
    },
    "notebooks/05_classic_architectures.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "train_size=by_mode(fast=1024, full=20480)"):
            SIZE,
        ("mode value", "test_size=by_mode(fast=500, full=5000)"):
            SIZE,
        ("mode value", "by_mode(fast=64, full=128)"):
            SIZE,
        ("mode value", "degradation_runs = by_mode(fast=((False, 8), (False, 32), (True, 32)), full=tuple((residual, depth) for residual in (False, True) for depth in (8, 20, 56)))"):
            "nbval trains three networks (plain 8, plain 32, residual 32) through the same loop; the "
            "full-mode depths 20 and 56 are built and counted in "
            "tests/test_architectures.py::test_cifar_resnets_match_the_paper_and_their_plain_twins; "
            "GAP: training the full-mode set (8, 20, 56, plain and residual) runs only in full mode",
        ("mode value", "degradation_epochs = by_mode(fast=6, full=10)"):
            SIZE,
        ("mode value", "degradation_images = by_mode(fast=384, full=20480)"):
            SIZE,
        ("mode value", "degradation_width = by_mode(fast=8, full=16)"):
            SIZE,
        ("mode value", "degradation_batch = by_mode(fast=64, full=128)"):
            SIZE,
        ("mode value", "shrink = by_mode(fast=2, full=1)"):
            SIZE,
        ("mode branch", 'for tqdm(degradation_runs, desc="degradation networks", disable=is_fast_mode())'):
            PROGRESS,
        ("mode value", "verbose=by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "margin = by_mode(fast=0.1, full=0.03)"):
            THRESHOLD,
        ("mode value", "comparison_epochs = by_mode(fast=2, full=10)"):
            SIZE,
        ("mode value", 'families = by_mode(fast=("LeNet-5", "AlexNet", "VGG"), full=tuple(small_models))'):
            'nbval trains three families through the loop; the other four (GoogLeNet, Xception, ResNet-20, DenseNet) are built, compiled as the loop compiles them and take a training step on 8 images in tests/test_architectures.py::test_the_full_mode_only_families_train_as_lesson_05_trains_them, on both backends; GAP: only their ten epochs on the full data',
        ("mode branch", 'for tqdm(families, desc="families", disable=is_fast_mode())'):
            PROGRESS,
        ("mode value", "verbose=by_mode(fast=0, full=2) #2"):
            VERBOSITY,
        ("mode value", "by_mode(fast=(0.2, 0.6), full=(0.8, 0.88))"):
            THRESHOLD,
        ("mode value", "by_mode(fast=(0.15, 0.25), full=(0.35, 0.55))"):
            THRESHOLD,
    },
    "notebooks/06_adversarial_examples.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "fit_verbosity = by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "show_progress = by_mode(fast=False, full=True)"):
            PROGRESS,
        ("mode value", "train_count = by_mode(fast=10_000, full=60_000)"):
            SIZE,
        ("mode value", "attack_count = by_mode(fast=500, full=10_000)"):
            SIZE,
        ("mode value", "cnn_epochs = by_mode(fast=2, full=6)"):
            SIZE,
        ("mode value", "by_mode(fast=0.93, full=0.985)"):
            THRESHOLD,
        ("mode value", "by_mode(fast=0.75, full=0.88)"):
            THRESHOLD,
        ("mode value", "pgd_steps = by_mode(fast=15, full=50)"):
            SIZE,
        ("mode value", "per_class = by_mode(fast=6, full=50)"):
            SIZE,
        ("mode value", "assert targeted_success >= by_mode(fast=0.8, full=0.9)"):
            THRESHOLD,
        ("mode value", "steps=by_mode(fast=300, full=1000)"):
            SIZE,
        ("mode value", "generations=by_mode(fast=600, full=1500)"):
            SIZE,
        ("mode value", "epochs=by_mode(fast=2, full=10)"):
            SIZE,
        ("mode value", "epochs=by_mode(fast=2, full=10) #2"):
            SIZE,
        ("mode value", "defence_count = by_mode(fast=3_000, full=60_000)"):
            SIZE,
        ("mode value", "defence_epochs = by_mode(fast=2, full=5)"):
            SIZE,
        ("mode value", "chunk = by_mode(fast=1_500, full=2_000)"):
            SIZE,
        ("mode value", "pgd_count = by_mode(fast=200, full=2_000)"):
            SIZE,
        ("mode value", "pgd_evaluation_steps = by_mode(fast=10, full=50)"):
            SIZE,
    },
    "notebooks/07_unet_segmentation.py": {
        ("device call", "enable_gpu_memory_growth()"):
            MEMORY_GROWTH,
        ("mode value", "image_size = by_mode(fast=64, full=96)"):
            SIZE,
        ("mode value", "depth = by_mode(fast=3, full=4)"):
            SIZE,
        ("mode value", "base_width = by_mode(fast=8, full=12)"):
            SIZE,
        ("mode value", "n_train = by_mode(fast=384, full=1500)"):
            SIZE,
        ("mode value", "n_test = by_mode(fast=200, full=500)"):
            SIZE,
        ("mode value", "epochs = by_mode(fast=4, full=10)"):
            SIZE,
        ("mode value", "train_segmenter: verbose=by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "verbose=by_mode(fast=0, full=2)"):
            VERBOSITY,
        ("mode value", "min_dice = by_mode(fast=0.85, full=0.95)"):
            THRESHOLD,
        ("mode value", "by_mode(fast=0.75, full=0.85)"):
            THRESHOLD,
        ("mode value", "pet_size = by_mode(fast=64, full=128)"):
            SIZE,
        ("mode branch", "if not is_fast_mode()"):
            'GAP: downloading and decoding the real Oxford-IIIT Pet archives runs only in full mode; CI runs the follow-on `if pets is None:` arm, stand-in archives in the official format through load_stand_in_pets, and the same U-Net training on them',
        ("mode value", "n_trainval=by_mode(fast=160, full=800)"):
            SIZE,
        ("mode value", "n_test=by_mode(fast=40, full=200)"):
            SIZE,
        ("mode value", "pet_epochs = by_mode(fast=6, full=20)"):
            SIZE,
        ("mode value", "peak_learning_rate=by_mode(fast=3e-3, full=2e-3)"):
            SIZE,
        ("mode value", "by_mode(fast=0.75, full=0.80)"):
            THRESHOLD,
        ("mode value", "by_mode(fast=1500, full=5000)"):
            SIZE,
        ("mode value", "epochs=by_mode(fast=8, full=15)"):
            SIZE,
        ("mode value", "assert detection_accuracy >= by_mode(fast=0.9, full=0.95)"):
            THRESHOLD,
    },
}


def listed_branches() -> dict[Branch, str]:
    return {Branch(path, kind, key): note for path, entries in INVENTORY.items()
            for (kind, key), note in entries.items()}


def test_scanner_finds_each_kind_and_ignores_comments():
    source = '''
# if is_fast_mode(): a comment is not a branch, nor is "gpu" in a string
epochs = by_mode(fast=2, full=10)
if not is_fast_mode():
    download()
def place(report):
    if report.backend_gpus:
        keras.mixed_precision.set_global_policy("mixed_float16")
    for gpu in tf.config.list_physical_devices("GPU"):
        pass
    return [device for device in jax.devices() if device.platform == "gpu"]
epochs = by_mode(fast=2, full=10)
show_progress = not is_fast_mode()
model.fit(x, y, verbose=by_mode(fast=0, full=2))
assert accuracy >= by_mode(fast=0.9, full=0.99)
'''
    assert [(branch.kind, branch.key) for branch in find_branches(source, "lesson.py")] == [
        ("mode value", "epochs = by_mode(fast=2, full=10)"),
        ("mode branch", "if not is_fast_mode()"),
        ("device branch", "place: if report.backend_gpus"),
        ("device call", "place: keras.mixed_precision.set_global_policy(\"mixed_float16\")"),
        ("device branch", "place: for tf.config.list_physical_devices(\"GPU\")"),
        ("device call", "place: tf.config.list_physical_devices(\"GPU\")"),
        ("device call", "place: jax.devices()"),
        ("device branch", "place: if device.platform == \"gpu\""),
        ("mode value", "epochs = by_mode(fast=2, full=10) #2"),
        ("mode value", "show_progress = not is_fast_mode()"),
        ("mode value", "verbose=by_mode(fast=0, full=2)"),
        ("mode value", "assert accuracy >= by_mode(fast=0.9, full=0.99)"),
    ]


def test_a_by_mode_in_a_test_is_listed_once_as_a_branch():
    branches = find_branches("if by_mode(fast=False, full=True):\n    check()\n", "lesson.py")
    assert [(branch.kind, branch.key) for branch in branches] == [
        ("mode branch", "if by_mode(fast=False, full=True)")]


def test_numbers_tell_a_size_from_a_choice_of_code():
    def call(text):
        return ast.parse(text).body[0].value

    assert selects_only_numbers(call("by_mode(fast=(8, 16), full=(-1.5, 2e-3))"))
    assert not selects_only_numbers(call("by_mode(fast=False, full=True)"))
    assert not selects_only_numbers(call("by_mode(fast=('LeNet-5',), full=tuple(models))"))


def test_every_branch_is_in_the_inventory():
    listed = listed_branches()
    missing = [branch for branch in all_branches() if branch not in listed]
    assert not missing, ("branches on the device or the mode that tests/test_mode_and_device_branches.py "
                         "does not list (add each, with how CI executes it):\n"
                         + "\n".join(map(str, missing)))


def test_a_new_branch_in_a_lesson_would_be_reported():
    """The check above can fail: a GPU-only cell added to lesson 00 is not in the inventory."""
    path = "notebooks/00_environment_check.py"
    source = (REPOSITORY_ROOT / path).read_text(encoding="utf-8")
    added = source + "\nif report.backend_gpus:\n    keras.mixed_precision.set_global_policy('mixed_float16')\n"
    listed = listed_branches()
    new = [branch for branch in find_branches(added, path) if branch not in listed]
    assert [(branch.kind, branch.key) for branch in new] == [
        ("device branch", "if report.backend_gpus"),
        ("device call", "keras.mixed_precision.set_global_policy('mixed_float16')")]


def test_the_inventory_lists_no_branch_that_is_gone():
    found = set(all_branches())
    gone = [branch for branch in listed_branches() if branch not in found]
    assert not gone, "listed but no longer in the sources (remove or update):\n" + "\n".join(map(str, gone))


def test_every_scanned_file_has_an_inventory_section():
    scanned = {path.relative_to(REPOSITORY_ROOT).as_posix() for path in source_files()}
    with_branches = {branch.path for branch in all_branches()}
    assert with_branches <= set(INVENTORY), sorted(with_branches - set(INVENTORY))
    lessons = {path for path in scanned if path.startswith("notebooks/")}
    assert lessons <= set(INVENTORY), sorted(lessons - set(INVENTORY))


def test_a_size_or_threshold_note_is_only_on_a_choice_of_numbers():
    """A by_mode that picks code (a flag, a list of models) needs its own note: what runs in CI?"""
    wrong = []
    for path in source_files():
        relative = path.relative_to(REPOSITORY_ROOT).as_posix()
        source = path.read_text(encoding="utf-8")
        calls = _by_mode_calls(source, relative)
        found_keys = {branch.key for branch, _ in calls}
        numeric_keys = {branch.key for branch, call in calls if selects_only_numbers(call)}
        for (kind, key), note in INVENTORY.get(relative, {}).items():
            # A key no longer in the source is test_the_inventory_lists_no_branch_that_is_gone's.
            if note in (SIZE, THRESHOLD) and key in found_keys - numeric_keys:
                wrong.append(f"{relative}: {key}")
    assert not wrong, "these pick code, not a number; say what CI runs:\n" + "\n".join(wrong)


def _by_mode_calls(source: str, path: str):
    """(Branch, call) for every ``mode value`` in a source, matched by order."""
    branches = [branch for branch in find_branches(source, path) if branch.kind == "mode value"]
    tree = _with_parents(ast.parse(source))
    calls = sorted((node for node in ast.walk(tree) if isinstance(node, ast.Call)
                    and _dotted_name(node.func).split(".")[-1] in MODE_FUNCTIONS
                    and not _inside_mode_test(node)), key=lambda node: (node.lineno, node.col_offset))
    return list(zip(branches, calls, strict=True))


def _inside_mode_test(node: ast.AST) -> bool:
    child = node
    while (parent := getattr(child, "parent", None)) is not None:
        for _, test in _tests_of(parent):
            if test is child and _calls_mode(test):
                return True
        child = parent
    return False


CITED_TEST = re.compile(r"(tests/[\w/]+\.py)::(\w+)")


def test_every_cited_test_exists():
    cited = {match.groups() for note in listed_branches().values() for match in CITED_TEST.finditer(note)}
    assert cited, "the inventory should cite the unit tests that run the device-only arms"
    missing = [f"{path}::{name}" for path, name in sorted(cited)
               if not re.search(rf"^def {name}\(", (REPOSITORY_ROOT / path).read_text(encoding="utf-8"),
                                re.MULTILINE)]
    assert not missing, f"notes cite tests that do not exist: {missing}"


@pytest.mark.parametrize("note", sorted(set(listed_branches().values())))
def test_every_note_says_how_ci_runs_it_or_that_it_does_not(note):
    assert note.startswith("GAP:") or "nbval" in note or "CI" in note or CITED_TEST.search(note), note


def gaps() -> list[str]:
    return [f"{branch}\n    {note}" for branch, note in sorted(listed_branches().items())
            if "GAP" in note]


if __name__ == "__main__":
    listed = listed_branches()
    for branch in all_branches():
        if branch not in listed:
            print(f"missing  {branch}")
    print("\nArms CI does not execute:\n" + "\n".join(gaps()))
    sys.exit(0)
