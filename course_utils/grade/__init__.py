"""Grading a week's submissions: ``python -m course_utils.grade --week N SUBMISSIONS --out gradebook.csv``.

The instructor's side of the loop that ``course_utils.assign`` opens (nbgrader's
collect/autograde/gradebook, serverless):

* :mod:`.submissions` finds each student's notebooks (``SUBMISSIONS/<student>/*.ipynb``,
  Colab's "Copy of ..." names included) and matches them to the week's lessons;
* :mod:`.grading_notebook` builds, for one submission, a notebook of the lesson's imports
  and top-level functions and classes, the student's own code from its Exercises section (their calls of ``check``,
  ``hint`` and ``solution`` left out), and one cell per exercise that re-imports the
  instructor's checks afresh and evaluates the student's answer with them. The student's
  check cells and results file are never trusted: edited or deleted check cells change
  nothing but a note;
* :mod:`.runner` executes it in a fresh kernel, in a process of its own, with a per-cell and
  a per-notebook timeout, so a notebook that crashes or loops gets a status and never stops
  the grading of the others;
* :mod:`.gradebook` writes one CSV row per student and exercise (status, points from
  syllabus.yml, hints and solution viewed), a summary per exercise and a feedback file per
  student.

It grades honest mistakes and accidents; like nbgrader it runs the student's code, so it is
no sandbox against a student who sets out to subvert Python itself.
"""
