"""Durable annotation storage. The only package that imports TinyDB."""

from __future__ import annotations

from .errors import (
    StoreAnnotatorError,
    StoreCorruptError,
    StoreError,
    StoreLockedError,
    StoreNotOursError,
    StoreReadOnlyError,
    StoreUnsafeError,
)
from .snapshot import SnapshotStorage, StrIdTable, is_reader_store
from .store import AnnotationStore, StoredDocument

__all__ = [
    "AnnotationStore",
    "SnapshotStorage",
    "StoreAnnotatorError",
    "StoreCorruptError",
    "StoreError",
    "StoreLockedError",
    "StoreNotOursError",
    "StoreReadOnlyError",
    "StoreUnsafeError",
    "StoredDocument",
    "StrIdTable",
    "is_reader_store",
]
