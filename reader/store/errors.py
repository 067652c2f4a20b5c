"""Errors a store can raise; each names the store's path."""

from __future__ import annotations

from ..errors import ReaderError


class StoreError(ReaderError):
    """A store cannot be opened, read or written."""


class StoreLockedError(StoreError):
    """Another reader process has the store open."""


class StoreCorruptError(StoreError):
    """A store file cannot be understood; it is left exactly as it is."""
