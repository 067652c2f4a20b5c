"""Errors a store can raise; each is one line naming the store's path (or its companion)."""

from __future__ import annotations

from ..errors import ReaderError


class StoreError(ReaderError):
    """A store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another reader process has the store open."""


class StoreCorruptError(StoreError):
    """A store file cannot be understood; it is left exactly as it is."""


class StoreNotOursError(StoreCorruptError):
    """The file is not a reader annotation store (another program's, a review sidecar):
    it is refused and never rewritten."""


class StoreReadOnlyError(StoreError):
    """The store file is read-only: it is not replaced by a writable copy."""


class StoreUnsafeError(StoreError):
    """A companion file (journal, lock) is a symbolic link or another user's file."""


class StoreAnnotatorError(StoreError):
    """The store belongs to another annotator, or a record names another annotator."""
