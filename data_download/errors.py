"""The one exception type that the package raises for every data problem."""


class DatasetError(Exception):
    """A dataset could not be listed, fetched, verified or loaded.

    ``str(error)`` is the full, actionable message (what was tried, how to fix
    it).  ``error.reason`` is its first line, short enough for a command line's
    one-line failure report.
    """

    @property
    def reason(self) -> str:
        text = str(self)
        return text.splitlines()[0] if text else type(self).__name__


class VerificationError(DatasetError):
    """A file is present but is not the expected content (hash, size, structure)."""
