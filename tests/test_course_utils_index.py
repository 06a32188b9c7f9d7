"""course_utils/__init__.py indexes every module: the lesson that teaches it and the lessons
that import it, checked against the lessons' own code."""

import ast
import re

import course_utils
from notebook_files import REPOSITORY_ROOT, lesson_scripts

PACKAGE = REPOSITORY_ROOT / "course_utils"
ALL_LESSONS = [f"{number:02d}" for number in range(8)]


def course_modules() -> set[str]:
    """Top-level modules and subpackages of course_utils."""
    modules = {path.stem for path in PACKAGE.glob("*.py") if path.stem not in ("__init__", "__main__")}
    return modules | {path.parent.name for path in PACKAGE.glob("*/__init__.py")}


def lessons(cell: str) -> set[str]:
    """'-' -> none, 'all', '01-07' and '00, 04, 06' -> lesson numbers."""
    if cell == "-":
        return set()
    if cell == "all":
        return set(ALL_LESSONS)
    numbers = set()
    for part in cell.split(","):
        first, _, last = part.strip().partition("-")
        numbers.update(f"{number:02d}" for number in range(int(first), int(last or first) + 1))
    return numbers


def index() -> dict[str, tuple[str, set[str], str]]:
    """{module: (section, lessons that import it, taught in)} from the docstring's tables."""
    rows, section = {}, None
    for line in course_utils.__doc__.splitlines():
        if line.startswith(("The lessons' library", "Infrastructure")):
            section = line.split(":")[0]
        cells = re.split(r"\s{2,}", line.strip())
        if section and len(cells) == 4 and re.fullmatch(r"[a-z_0-9]+", cells[0]) and cells[0] != "module":
            assert cells[0] not in rows, f"{cells[0]} is indexed twice"
            rows[cells[0]] = (section, lessons(cells[2]), cells[1])
    return rows


def imports_by_lesson() -> dict[str, set[str]]:
    """{module: lessons whose code imports it} (course_utils.exercises.lesson04 counts as exercises)."""
    users = {}
    for script in lesson_scripts():
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "course_utils":
                parts = node.module.split(".")
                names = [parts[1]] if len(parts) > 1 else [alias.name for alias in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name.split(".")[1] for alias in node.names
                         if alias.name.startswith("course_utils.")]
            for name in names:
                users.setdefault(name, set()).add(script.name[:2])
    return users


def test_every_module_is_indexed_once_and_nothing_else():
    assert len(lesson_scripts()) == 8
    assert set(index()) == course_modules()


def test_the_index_says_which_lessons_import_each_module():
    users = imports_by_lesson()
    wrong = {module: (sorted(listed), sorted(users.get(module, set())))
             for module, (_, listed, _) in index().items() if listed != users.get(module, set())}
    assert not wrong, f"module: (indexed, actually imported by): {wrong}"


def test_library_modules_name_the_lesson_that_teaches_them_and_it_shows_them():
    scripts = {script.name[:2]: script.read_text(encoding="utf-8") for script in lesson_scripts()}
    for module, (section, _, taught) in index().items():
        if section == "Infrastructure":
            assert taught == "-", f"{module} is infrastructure, taught by no lesson"
            continue
        assert taught in scripts, f"{module}: taught in {taught!r}, which is no lesson"
        assert f"course_utils.{module}" in scripts[taught] or re.search(
            rf"from course_utils import [^\n]*\b{module}\b", scripts[taught]), \
            f"lesson {taught} never names course_utils.{module}"
