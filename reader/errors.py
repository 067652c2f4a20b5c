"""Typed errors a user can cause. The CLI turns each into one line and exit status 2."""


class ReaderError(Exception):
    """Base class: the message is complete and fit to show a user as it is."""


class CorpusError(ReaderError):
    """A path given to reader cannot be opened as articles."""
