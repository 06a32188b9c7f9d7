"""Solution regions in a code cell, and the student's version of that cell.

A region is the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` (markers on
lines of their own). In the student version a region inside a block (a function body)
becomes ``# YOUR CODE HERE`` and ``raise NotDoneYet()`` at the markers' indentation; a
region at the top level becomes ``# YOUR CODE HERE`` only (a value answer keeps the
``name = ...`` placeholder written before the region). Colab's ``display-mode: "form"``
is dropped from the cell's title (and a title "Solution" becomes "Your answer"), so the
student sees the code to complete.
"""

from __future__ import annotations

import re

BEGIN_MARKER = "### BEGIN SOLUTION"
END_MARKER = "### END SOLUTION"
STUB_COMMENT = "# YOUR CODE HERE"
STUB_RAISE = "raise NotDoneYet()"
_FORM_TITLE = re.compile(r'^(\s*#\s*@title\b.*?)\s*\{\s*display-mode\s*:\s*"form"\s*\}\s*$')
NOT_DONE_IMPORT = re.compile(r"^\s*from\s+course_utils\.exercises\s+import\s+.*\bNotDoneYet\b", re.MULTILINE)


class MarkerError(ValueError):
    """Solution markers that do not pair up; the message names the line."""


def _indent(line: str) -> str:
    return line[:len(line) - len(line.lstrip())]


def _marker(line: str) -> str | None:
    stripped = line.strip()
    if stripped == BEGIN_MARKER:
        return "begin"
    if stripped == END_MARKER:
        return "end"
    if stripped.startswith("###") and "SOLUTION" in stripped.upper():
        raise MarkerError(f"{stripped!r} is not a solution marker: write exactly "
                          f"'{BEGIN_MARKER}' or '{END_MARKER}' on a line of its own")
    return None


def solution_regions(source: str) -> list[tuple[int, int]]:
    """(begin, end) line indices of every region; MarkerError if they do not pair up."""
    regions, begin = [], None
    lines = source.splitlines()
    for number, line in enumerate(lines):
        kind = _marker(line)
        if kind == "begin":
            if begin is not None:
                raise MarkerError(f"line {number + 1}: '{BEGIN_MARKER}' inside the region opened on "
                                  f"line {begin + 1}; close it with '{END_MARKER}' first")
            begin = number
        elif kind == "end":
            if begin is None:
                raise MarkerError(f"line {number + 1}: '{END_MARKER}' without a '{BEGIN_MARKER}' before it")
            if _indent(line) != _indent(lines[begin]):
                raise MarkerError(f"line {number + 1}: '{END_MARKER}' is indented differently from "
                                  f"its '{BEGIN_MARKER}' on line {begin + 1}")
            regions.append((begin, number))
            begin = None
    if begin is not None:
        raise MarkerError(f"line {begin + 1}: '{BEGIN_MARKER}' is never closed by '{END_MARKER}'")
    return regions


def solution_lines(source: str) -> list[str]:
    """The lines inside every region (what a student version must not contain)."""
    lines = source.splitlines()
    return [line for begin, end in solution_regions(source) for line in lines[begin + 1:end]]


def student_source(source: str) -> str:
    """The cell as a student gets it: regions stubbed, the form title no longer hiding code."""
    lines = source.splitlines()
    regions = solution_regions(source)
    if not regions:
        return source
    result, position = [], 0
    for begin, end in regions:
        result.extend(lines[position:begin])
        indent = _indent(lines[begin])
        result.append(indent + STUB_COMMENT)
        if indent:  # inside a block: the function must still raise, so its callers see "not done"
            result.append(indent + STUB_RAISE)
        position = end + 1
    result.extend(lines[position:])
    form_title = _FORM_TITLE.match(result[0]) if result else None
    if form_title:  # the student's copy shows the code to complete, under a title that says so
        title = form_title.group(1)
        result[0] = re.sub(r"@title\s+Solution\b", "@title Your answer", title)
    return "\n".join(result)


def needs_not_done_import(sources: list[str]) -> bool:
    """True when a region sits inside a block (its stub raises NotDoneYet)."""
    for source in sources:
        lines = source.splitlines()
        for begin, _ in solution_regions(source):
            if _indent(lines[begin]):
                return True
    return False
