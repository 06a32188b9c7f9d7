"""When a failed download is tried again, and when a server is taken for dead.

A class shares one mirror, and a busy mirror fails now and then: a 5xx, a response
cut short, a refused connection or a slow answer while thirty notebooks start at
once.  Each of those *may pass*, so download.py tries the URL again, up to
``retries`` times, after a pause that doubles each time (0.5, 1, 2, 4 s, at most
8 s) and is scaled by a random factor between 0.5 and 1.5.  The doubling leaves an
overloaded server time to recover; the random factor spreads out a class whose
requests all failed at the same moment, so the retries do not arrive together.

A server that is *dead* must not cost a retry sequence per file.  :class:`Servers`
remembers, for one fetch, which servers have answered (sent any HTTP response) and
how long the others have kept us waiting.  A server that has answered is alive, so
its failures are transient and retried.  A server that has not answered yet gets,
for all its attempts together, pauses included, the stall timeout
(``CNN_COURSE_DATA_TIMEOUT``): enough for a retry or two when a refused or dropped
connection was only load, while a dead mirror still costs its timeout once per
fetch.  When that is spent, the server is down for the rest of the fetch and its
other files go straight to the next source.
"""

from __future__ import annotations

import random

#: The first pause before a retry, doubled for each further one, and its ceiling.
FIRST_PAUSE_SECONDS = 0.5
LONGEST_PAUSE_SECONDS = 8.0


def pause_seconds(retry_number: int, stall_timeout: float, draw=random.random) -> float:
    """The pause before retry ``retry_number`` (1, 2, ...): exponential, with jitter.

    The first pause is at most half the stall timeout, so a test (or a caller) that
    sets a short timeout also gets short pauses.
    """
    first = min(FIRST_PAUSE_SECONDS, stall_timeout / 2)
    return min(LONGEST_PAUSE_SECONDS, first * 2 ** (retry_number - 1)) * (0.5 + draw())


class Servers:
    """What one fetch has learnt about its servers (``scheme://host:port``)."""

    def __init__(self, silence_budget: float):
        self.silence_budget = silence_budget  # seconds an unanswering server may cost
        self.answered: set[str] = set()
        self.down: dict[str, str] = {}  # server -> why it was given up
        self.silent_seconds: dict[str, float] = {}

    def heard_from(self, server: str) -> None:
        self.answered.add(server)

    def kept_waiting(self, server: str, seconds: float) -> None:
        """Count ``seconds`` spent on ``server`` without an answer (attempt and pause)."""
        self.silent_seconds[server] = self.silent_seconds.get(server, 0.0) + seconds

    def silence_left(self, server: str) -> float:
        """Seconds ``server`` may still keep us waiting without an answer (inf once alive)."""
        if server in self.answered:
            return float("inf")
        return self.silence_budget - self.silent_seconds.get(server, 0.0)

    def give_up(self, server: str, reason: str) -> None:
        self.down[server] = reason
