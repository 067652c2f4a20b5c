"""Durable annotation storage. The only package that imports TinyDB."""

from __future__ import annotations

from .errors import StoreCorruptError, StoreError, StoreLockedError
from .snapshot import SnapshotStorage, StrIdTable
from .store import AnnotationStore, StoredDocument

__all__ = [
    "AnnotationStore",
    "SnapshotStorage",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoredDocument",
    "StrIdTable",
]
