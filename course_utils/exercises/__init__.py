"""Check functions for the lessons' exercises: ``check_exercise_N(answer)`` per lesson module.

Each prints what is right or raises AssertionError saying what is wrong, so a student
can call it on their own answer and an unattended run fails when a solution breaks.
"""
