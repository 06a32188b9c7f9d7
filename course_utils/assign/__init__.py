"""Weekly bundles for instructors: ``python -m course_utils.assign --week N --out DIR``.

Reads ``syllabus.yml`` (weeks, their lessons, due dates, notes) and, for the chosen week
(or ``--all`` weeks), writes a student version of each lesson (solution regions replaced
by stubs, outputs cleared, checks kept), the instructor version (the lesson unchanged),
index pages in Markdown and HTML whose Open-in-Colab links point at the bundle's own
files for ``--repo OWNER/NAME``, ``--branch`` and ``--path-in-repo`` (default: the
course's own repository), and with ``--zip`` a zip of the student folder.

Bad input (an unknown lesson, a duplicate week, a malformed date, an output folder that
exists without ``--force``, unbalanced solution markers) is reported and nothing is
written. Building needs neither Keras nor a network: only nbformat and PyYAML, which
come with jupytext.
"""

from course_utils.assign.bundle import BundleError, Publication, build_bundle
from course_utils.assign.notebooks import LessonError, count_exercises, student_notebook
from course_utils.assign.regions import MarkerError, student_source
from course_utils.assign.syllabus import Syllabus, SyllabusError, Week, load_syllabus, parse_syllabus

__all__ = [
    "BundleError", "LessonError", "MarkerError", "Publication", "Syllabus", "SyllabusError", "Week",
    "build_bundle", "count_exercises", "load_syllabus", "parse_syllabus", "student_notebook",
    "student_source",
]
