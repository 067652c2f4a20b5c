"""Analysing many documents: in parallel processes, or on a Dask cluster.

The analysis of one document is the pure function `analyze_text(text, engine)`; both ways
map a module-level function such as this one (or `reader analyze`'s, which adds the claims
and the JSON line) over the documents and yield the results in order, one at a time, so a
caller can print each as it comes and count progress.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeVar

from ..errors import ReaderError
from .pipeline import analyze
from .types import Analysis

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10  # how long --dask waits for the scheduler before saying it is unreachable


class ClusterError(ReaderError):
    """Dask missing, or a cluster that cannot be reached."""


def analyze_text(text: str, engine: str | None = None) -> Analysis:
    """The analysis of one document: a pure function of its text and the engine's name."""
    return analyze(text, engine)


def default_jobs() -> int:
    """All the cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def map_parallel(
    fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], jobs: int | None
) -> Iterator[T]:
    """`fn(*args)` for each of `calls`, in order, computed by up to `jobs` processes (`fn`
    must be a module-level function, so that worker processes can find it)."""
    jobs = min(jobs or default_jobs(), len(calls))
    if jobs <= 1:
        for args in calls:
            yield fn(*args)
        return
    from concurrent.futures import ProcessPoolExecutor  # imported only when it is used

    chunk = max(1, min(32, len(calls) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(fn, *zip(*calls, strict=True), chunksize=chunk)


def map_on_dask(
    fn: Callable[..., T], calls: Sequence[tuple[Any, ...]], address: str
) -> Iterator[T]:
    """`fn(*args)` for each of `calls`, in order, computed on the Dask cluster at `address`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--dask needs Dask's distributed scheduler: pip install 'reader[dask]'"
        ) from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask cluster at {address}: {exc}") from None
    try:
        futures = client.map(fn, *(list(column) for column in zip(*calls, strict=True)), pure=False)
        for future in futures:
            yield future.result()
    finally:
        client.close()
