"""Analysing many documents: in parallel processes, or on a Dask cluster.

The analysis of one document is the pure function `analyze_text(text, engine)`; both ways
map it over the texts and yield the results in the texts' order, one at a time, so a caller
can print each as it comes and count progress.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence

from ..errors import ReaderError
from .pipeline import analyze, get_engine
from .types import Analysis

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


def analyze_parallel(
    texts: Sequence[str], engine: str | None = None, jobs: int | None = None
) -> Iterator[Analysis]:
    """Each text's analysis, in order, computed by up to `jobs` processes."""
    get_engine(engine)  # an unknown engine or missing data fails here, in one line
    jobs = min(jobs or default_jobs(), len(texts))
    if jobs <= 1:
        for text in texts:
            yield analyze_text(text, engine)
        return
    from concurrent.futures import ProcessPoolExecutor  # imported only when it is used

    chunk = max(1, min(32, len(texts) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(analyze_text, texts, [engine] * len(texts), chunksize=chunk)


def analyze_on_dask(
    texts: Sequence[str], address: str, engine: str | None = None
) -> Iterator[Analysis]:
    """Each text's analysis, in order, computed on the Dask cluster at `address`."""
    try:
        from distributed import Client
    except ImportError:
        raise ClusterError(
            "--dask needs Dask's distributed scheduler: pip install 'reader[dask]'"
        ) from None
    get_engine(engine)
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_S)
    except (OSError, TimeoutError, ValueError) as exc:
        raise ClusterError(f"cannot reach the Dask cluster at {address}: {exc}") from None
    try:
        futures = client.map(analyze_text, list(texts), engine=engine, pure=False)
        for future in futures:
            yield future.result()
    finally:
        client.close()
