"""What every exercise test asks of a check: the right answer prints "Correct", a wrong
one raises ExerciseFailed with its hint, a stub raises NotDoneYet, the course's own
implementation is refused however it is handed in, and outputs of the wrong kind are
refused."""

import functools

import numpy as np
import pytest

from course_utils.exercises import ExerciseFailed, NotDoneYet

BY_HAND = "write it by hand"


def passes(exercise, *answers, capsys):
    exercise.check(*answers)
    out = capsys.readouterr().out
    assert out.startswith("Correct"), out


def fails(exercise, *answers, match):
    with pytest.raises(ExerciseFailed, match=match):
        exercise.check(*answers)


def stub(*args, **kwargs):
    raise NotDoneYet()


def _with(answers, position, hand_in):
    answers = list(answers)
    answers.insert(position, hand_in)
    return answers


def refuses_helper(exercise, helper, *, others=(), position=0):
    """The exercise fails with "write it by hand" when ``helper`` (the course's own
    implementation) is handed in bare, in a lambda, in a def or through functools.partial;
    ``others``: right answers to the exercise's other functions, ``position``: where it goes."""
    def in_a_def(*args, **kwargs):
        return helper(*args, **kwargs)

    for hand_in in (helper, lambda *args, **kwargs: helper(*args, **kwargs), in_a_def,
                    functools.partial(helper)):
        fails(exercise, *_with(others, position, hand_in), match=BY_HAND)


#: (name, how the output is spoilt, what the message must say)
WRONG_KINDS = [
    ("text", str, "text|string"),
    ("bool", lambda output: True, "True|truth"),
    ("None", lambda output: None, "None"),
    ("list", lambda output: np.asarray(output).reshape(-1).tolist(), "list"),
]


def refuses_wrong_kinds(exercise, right, *, others=(), position=0, element=None):
    """The exercise fails with a hint when the right function's output is returned as text,
    a bool, None or a list; ``element``: spoil only that item of a tuple output."""
    for _, spoil, message in WRONG_KINDS:
        def spoilt(*args, _spoil=spoil, **kwargs):
            output = right(*args, **kwargs)
            if element is None:
                return _spoil(output)
            output = list(output)
            output[element] = _spoil(output[element])
            return tuple(output)

        fails(exercise, *_with(others, position, spoilt), match=message)
