"""The learned claim model kept beside its store: `alice.json` -> `alice.json.suggest.json`.

One JSON object: what it is (`"reader": "claim-suggestions"`, a version and the feature
version its weights index), each label's bias, number of updates and learned weights (the
non-zero buckets and their values, float32, zlib-compressed, base64), and the tally of
how suggestions were answered. It is written whole with the store's atomic writer (a
temporary file, fsync, rename), so it is the old state or the new one, never part of one;
it is read without following a planted link. A file that cannot be understood raises
`SuggestStateError` naming it and is left exactly as it is (nothing overwrites it: the
learner that would have saved it is never built).

A sound file whose weights index an older feature version (a reader upgrade changed the
features) is not refused: its tally and rejections are kept, and the weights are learned
again from the store's own claim labels, replayed in the order they were made, so the
annotator's team schema is followed again without a step from them.
"""

from __future__ import annotations

import base64
import json
import math
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ReaderError
from ..printable import inert
from ..store.files import atomic_write, check_companion, owners_for_reading, read_companion
from .features import DIM, FEATURES_VERSION
from .learner import OUTCOMES, ClaimLearner, LabelModel, Tally

FORMAT = "claim-suggestions"
VERSION = 1
SUFFIX = ".suggest.json"


class SuggestStateError(ReaderError):
    """A store's learned suggestions file cannot be read; it is left untouched."""


def state_path(store: str | Path) -> Path:
    """Where the learned model of the store at `store` is kept."""
    store = Path(store)
    return store.with_name(store.name + SUFFIX)


def load_learner(store: str | Path, groups: Sequence[Sequence[str]] | None = None) -> ClaimLearner:
    """The store's learner: its saved state when there is one, else a fresh one (the
    shipped model). `groups`: the schema's claim labels, group by group (default: the
    saved file's, else the default schema's)."""
    path = state_path(store)
    raw = read_companion(path, owners_for_reading(Path(store)))
    if raw is None:
        return ClaimLearner(groups or _default_groups())
    labels, saved_groups, tally, rejected = _decode(path, raw)
    chosen = groups or saved_groups or _default_groups()
    if labels is None:  # weights of older features: learn them again from the labels
        learner = ClaimLearner(chosen, tally=tally, rejected=rejected)
        relearn(learner, store)
        return learner
    return ClaimLearner(chosen, labels=labels, tally=tally, rejected=rejected)


def relearn(learner: ClaimLearner, store: str | Path) -> int:
    """Teach `learner` every claim label of the store at `store`, oldest first, without
    counting outcomes (the tally already has them). Returns how many were replayed."""
    from ..store import AnnotationStore

    with AnnotationStore.open(store, read_only=True) as opened:
        claims = sorted((a for a in opened if a.kind == "claim"), key=lambda a: a.created)
    for annotation in claims:
        learner.observe(annotation.text, annotation.label)
    return len(claims)


def save_learner(store: str | Path, learner: ClaimLearner) -> Path:
    """Write the learner's state beside `store`, atomically. Returns the path."""
    path = state_path(store)
    check_companion(path)
    atomic_write(path, encode(learner))
    return path


def encode(learner: ClaimLearner) -> bytes:
    groups, labels, tally = learner.state()
    rejected = learner.rejected_copy()
    document = {
        "reader": FORMAT,
        "version": VERSION,
        "features": FEATURES_VERSION,
        "groups": groups,
        "labels": {name: _encode_label(model) for name, model in labels.items()},
        "tally": {"outcomes": tally.outcomes, "by_label": tally.by_label},
    }
    if rejected:  # written only when there are some: files without it read as before
        document["rejected"] = [list(key) for key in rejected]
    return json.dumps(document, indent=1, sort_keys=True).encode("utf-8") + b"\n"


def _encode_label(model: LabelModel) -> dict[str, Any]:
    where = np.flatnonzero(model.weights).astype(np.int32)
    values = model.weights[where].astype(np.float32)
    return {
        "bias": model.bias,
        "updates": model.updates,
        "indices": _pack(where.tobytes()),
        "values": _pack(values.tobytes()),
    }


def _pack(data: bytes) -> str:
    return base64.b64encode(zlib.compress(data, 6)).decode("ascii")


def _unpack(text: Any, dtype: type, what: str) -> np.ndarray:
    if not isinstance(text, str):
        raise ValueError(f"{what} is not a string")
    data = zlib.decompress(base64.b64decode(text.encode("ascii"), validate=True))
    if len(data) % np.dtype(dtype).itemsize:
        raise ValueError(f"{what} has a partial number")
    return np.frombuffer(data, dtype=dtype)


def _decode(
    path: Path, raw: bytes
) -> tuple[dict[str, LabelModel] | None, list[list[str]], Tally, set[tuple[str, int, int]]]:
    """The file's labels' models (None when they are for other features), groups, tally
    and rejections."""
    try:
        document = json.loads(raw)
        if not isinstance(document, dict) or document.get("reader") != FORMAT:
            raise ValueError("it is not a claim-suggestions file")
        if document.get("version") != VERSION:
            raise ValueError(f"version {document.get('version')!r} is not {VERSION}")
        features = document.get("features")
        if not isinstance(features, str):
            raise ValueError("it names no feature version")
        items = _items(document)
        names = {str(name) for name, _ in items}
        labels = (
            {str(name): _decode_label(name, entry) for name, entry in items}
            if features == FEATURES_VERSION
            else None
        )
        groups = document.get("groups")
        if not (
            isinstance(groups, list)
            and all(isinstance(g, list) and all(n in names for n in g) for g in groups)
        ):
            raise ValueError("its groups do not name its labels")
        tally = _decode_tally(document.get("tally"))
        rejected = _decode_rejected(document.get("rejected", []))
    except (ValueError, TypeError, KeyError, zlib.error, UnicodeDecodeError) as exc:
        raise SuggestStateError(
            f"{inert(str(path))}: cannot be read as reader's learned claim suggestions "
            f"({inert(str(exc))[:200]}); it is left as it is: move it away to start "
            "learning afresh"
        ) from None
    return labels, groups, tally, rejected


def _decode_rejected(value: Any) -> set[tuple[str, int, int]]:
    if not isinstance(value, list):
        raise ValueError("its rejected suggestions are not a list")
    rejected: set[tuple[str, int, int]] = set()
    for entry in value:
        if not (
            isinstance(entry, list)
            and len(entry) == 3
            and isinstance(entry[0], str)
            and all(type(n) is int and n >= 0 for n in entry[1:])
        ):
            raise ValueError("a rejected suggestion is not [doc_id, start, end]")
        rejected.add((entry[0], entry[1], entry[2]))
    return rejected


def _items(document: dict[str, Any]) -> list[tuple[str, Any]]:
    labels = document.get("labels")
    if not isinstance(labels, dict) or not labels:
        raise ValueError("it has no labels")
    return list(labels.items())


def _decode_label(name: str, entry: Any) -> LabelModel:
    if not isinstance(entry, dict):
        raise ValueError(f"label {name!r} is not an object")
    bias, updates = entry.get("bias"), entry.get("updates")
    if not isinstance(bias, int | float) or isinstance(bias, bool) or not math.isfinite(bias):
        raise ValueError(f"label {name!r} has no finite bias")
    if type(updates) is not int or updates < 0:
        raise ValueError(f"label {name!r} has no count of updates")
    where = _unpack(entry.get("indices"), np.int32, f"label {name!r}'s indices")
    values = _unpack(entry.get("values"), np.float32, f"label {name!r}'s values")
    if len(where) != len(values):
        raise ValueError(f"label {name!r} has {len(where)} indices for {len(values)} values")
    if len(where) and (where.min() < 0 or where.max() >= DIM):
        raise ValueError(f"label {name!r} has an index outside the {DIM} features")
    if not np.all(np.isfinite(values)):
        raise ValueError(f"label {name!r} has a weight that is not a finite number")
    weights = np.zeros(DIM)
    weights[where] = values
    return LabelModel(weights, float(bias), updates)


def _decode_tally(tally: Any) -> Tally:
    if not isinstance(tally, dict):
        raise ValueError("it has no tally")
    outcomes = _counts(tally.get("outcomes"), "tally")
    by_label = tally.get("by_label")
    if not isinstance(by_label, dict):
        raise ValueError("its tally has no labels")
    return Tally(outcomes, {str(k): _counts(v, f"tally of {k!r}") for k, v in by_label.items()})


def _counts(value: Any, what: str) -> dict[str, int]:
    if not isinstance(value, dict) or not all(
        type(value.get(name)) is int and value[name] >= 0 for name in OUTCOMES
    ):
        raise ValueError(f"its {what} is not a count of {', '.join(OUTCOMES)}")
    return {name: value[name] for name in OUTCOMES}


def _default_groups() -> list[list[str]]:
    from ..annotate.schema import default_schema
    from .learner import claim_label_groups

    return claim_label_groups(default_schema())
