"""``python -m course_utils.exercises digest SALT VALUE``: the digest a check module stores.

VALUE is a whole number (``4321``) or a shape written with x or commas (``5x3x12``,
``5,3,12``). The digest is printed; the value itself never needs to appear in the code.
"""

from __future__ import annotations

import argparse
import sys

from course_utils.exercises.answers import digest_of


def _parse_value(text: str):
    parts = [part.strip() for part in text.replace("x", ",").strip("()[] ").split(",") if part.strip()]
    try:
        numbers = [int(part) for part in parts]
    except ValueError:
        raise SystemExit(f"VALUE must be a whole number or a shape such as 5x3x12, got {text!r}.")
    if not numbers:
        raise SystemExit(f"VALUE must be a whole number or a shape such as 5x3x12, got {text!r}.")
    is_shape = "x" in text or "," in text
    return tuple(numbers) if is_shape else numbers[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m course_utils.exercises",
                                     description="Print the salted digest of an exercise answer.")
    commands = parser.add_subparsers(dest="command", required=True)
    digest_command = commands.add_parser("digest", help="digest of a whole number or shape")
    digest_command.add_argument("salt")
    digest_command.add_argument("value")
    arguments = parser.parse_args(argv)
    print(digest_of(arguments.salt, _parse_value(arguments.value)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
