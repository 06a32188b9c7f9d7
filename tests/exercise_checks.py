"""What every exercise test asks of a check: the right answer prints "Correct", a wrong
one raises ExerciseFailed with its hint, and a stub raises NotDoneYet."""

import pytest

from course_utils.exercises import ExerciseFailed, NotDoneYet


def passes(exercise, *answers, capsys):
    exercise.check(*answers)
    out = capsys.readouterr().out
    assert out.startswith("Correct"), out


def fails(exercise, *answers, match):
    with pytest.raises(ExerciseFailed, match=match):
        exercise.check(*answers)


def stub(*args, **kwargs):
    raise NotDoneYet()
