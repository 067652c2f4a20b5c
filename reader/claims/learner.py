"""The per-store claim model: one online logistic regression per claim label of a schema.

Each label's logit is its own learned weights (a sparse change over nothing, kept dense in
memory) plus a bias, and for one label, the *prior label* (`FACT` when the schema has it,
else the first claim label), the shipped check-worthiness model's logit as well: before any
label is given, suggestions are the shipped model's. Every label the annotator gives is
one step of stochastic gradient descent on the log loss of each label of that label's
group (the label given is 1, the group's others 0); a rejected suggestion is 0 for every
label. A label that has never been updated (and is not the prior label) is not suggested.

The suggestion for a sentence is its most probable claim label and that probability;
`THRESHOLD` (0.5) or more is what the app suggests. Calls are serialised by a lock, so the
UI may update from a worker thread while it scores on its own.

`observe` returns the `Update` it made: the weights it touched, the biases, counts and tally
before and after, so `undo` takes it back exactly and `redo` makes it again (the app's undo
of a label, in the order the session's steps were made).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from .features import DIM, Features
from .model import THRESHOLD, LinearModel, shipped_model, sigmoid, sigmoids

PRIOR_LABEL = "FACT"
LEARNING_RATE = 2.0
BIAS_RATE = 0.2  # the bias moves slower than the weights: a run of one label does not make it every sentence's
# Where a label other than the prior label starts: sigmoid(-4) ≈ 0.018.
UNSEEN_BIAS = -4.0
OUTCOMES = ("accepted", "relabelled", "rejected", "missed")


class Suggestion(NamedTuple):
    """The most probable claim label of a sentence and its probability."""

    label: str
    score: float

    @property
    def shown(self) -> bool:
        """Whether the app suggests it (score at or above the threshold)."""
        return self.score >= THRESHOLD


@dataclass
class LabelModel:
    weights: np.ndarray  # float64, DIM
    bias: float
    updates: int = 0


@dataclass
class Tally:
    """How the annotator answered the suggestions: overall and per suggested label."""

    outcomes: dict[str, int] = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))
    by_label: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, outcome: str, label: str) -> None:
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        per = self.by_label.setdefault(label, dict.fromkeys(OUTCOMES, 0))
        per[outcome] = per.get(outcome, 0) + 1

    def copy(self) -> Tally:
        return Tally(dict(self.outcomes), {k: dict(v) for k, v in self.by_label.items()})


@dataclass(frozen=True)
class LabelRows:
    """One label's model where an update touched it: the weights at the update's
    feature buckets, its bias and its count of updates."""

    weights: np.ndarray
    bias: float
    updates: int


@dataclass(frozen=True)
class Update:
    """What one `observe` changed, sparse: the sentence's feature buckets (`indices`),
    each label's rows there before and after, and the tally before and after (None: the
    tally did not change). `outcome` is the answer counted (accepted...), if any."""

    outcome: str | None
    indices: np.ndarray
    labels: dict[str, tuple[LabelRows, LabelRows]]
    tally: tuple[Tally, Tally] | None = None


def claim_label_groups(schema: Any) -> list[list[str]]:
    """The claim labels of a `reader.annotate.schema.Schema`, group by group."""
    return [[label.name for label in g.labels] for g in schema.groups if g.kind == "claim"]


class ClaimLearner:
    """Suggest claim labels for sentences and learn from the labels given."""

    def __init__(
        self,
        groups: Sequence[Sequence[str]],
        base: LinearModel | None = None,
        labels: dict[str, LabelModel] | None = None,
        tally: Tally | None = None,
        rejected: set[tuple[str, int, int]] | None = None,
    ) -> None:
        self.groups = [list(group) for group in groups if group]
        names = [name for group in self.groups for name in group]
        if not names:
            names = [PRIOR_LABEL]
            self.groups = [names]
        self.base = base or shipped_model()
        self.prior_label = PRIOR_LABEL if PRIOR_LABEL in names else names[0]
        self.labels: dict[str, LabelModel] = dict(labels or {})
        for name in names:
            if name not in self.labels:
                bias = 0.0 if name == self.prior_label else UNSEEN_BIAS
                self.labels[name] = LabelModel(np.zeros(DIM), bias)
        self.names = names
        self.tally = tally or Tally()
        # Suggestions the annotator rejected, (doc_id, start, end): never suggested again.
        self.rejected: set[tuple[str, int, int]] = set(rejected or ())
        self._lock = threading.Lock()

    # --- scoring ------------------------------------------------------------------

    def features(self, sentence: str) -> Features:
        return self.base.features(sentence)

    def _logit(self, name: str, features: Features, base_logit: float) -> float:
        weights = self.labels[name].weights[features.indices]
        return self._logit_at(name, weights, features, base_logit)

    def _logit_at(
        self, name: str, weights: np.ndarray, features: Features, base_logit: float
    ) -> float:
        """`name`'s logit, given its `weights` at the features' buckets."""
        learned = float(weights @ features.values) + self.labels[name].bias
        return learned + (base_logit if name == self.prior_label else 0.0)

    def _probabilities(self, sentences: Sequence[str]) -> np.ndarray:
        """Each claim label's probability (a column per name) for each of `sentences`."""
        rows = self.base.feature_rows(sentences)
        base_logits = self.base.logits(rows)
        with self._lock:
            logits = [
                rows.dot(self.labels[n].weights)
                + self.labels[n].bias
                + (base_logits if n == self.prior_label else 0.0)
                for n in self.names
            ]
            candidates = [self._candidate(n) for n in self.names]
        probabilities = sigmoids(np.column_stack(logits))
        return np.where(candidates, probabilities, -1.0)  # never a non-candidate's

    def probabilities(self, sentence: str) -> dict[str, float]:
        """Each claim label's probability for `sentence` (labels never learned included)."""
        features = self.features(sentence)
        base_logit = self.base.logit(features)
        with self._lock:
            return {n: sigmoid(self._logit(n, features, base_logit)) for n in self.names}

    def suggestions(self, sentences: Sequence[str]) -> list[Suggestion]:
        """`suggest` for each of `sentences`, scored together (a document's, say)."""
        if not sentences:
            return []
        probabilities = self._probabilities(sentences)
        best = np.argmax(probabilities, axis=1)  # the first of equals, as max() is
        return [
            Suggestion(self.names[b], float(p[b])) for b, p in zip(best, probabilities, strict=True)
        ]

    def suggest(self, sentence: str) -> Suggestion:
        """The most probable label among those that can be suggested, with its score."""
        return self.suggestions([sentence])[0]

    def score(self, sentence: str) -> float:
        """The probability of the label suggested for `sentence` (what `analyze` prints)."""
        return self.suggest(sentence).score

    def scores(self, sentences: Sequence[str]) -> list[float]:
        """`score` for each of `sentences`, scored together."""
        return [suggestion.score for suggestion in self.suggestions(sentences)]

    def _candidate(self, name: str) -> bool:
        return name == self.prior_label or self.labels[name].updates > 0

    # --- learning -----------------------------------------------------------------

    def observe(
        self, sentence: str, label: str | None, suggested: Suggestion | None = None
    ) -> Update:
        """Learn that the annotator gave `sentence` the claim `label` (None: rejected the
        suggestion, no claim label). With the `suggested` suggestion that was shown, the
        outcome is counted (the update's `outcome`): accepted, relabelled, rejected or
        missed (a label given where nothing was suggested). A label not in the schema is
        ignored (an update that changed nothing)."""
        if label is not None and label not in self.labels:
            return Update(None, np.empty(0, dtype=np.int64), {})
        features = self.features(sentence)
        base_logit = self.base.logit(features)
        if label is None:
            targets = dict.fromkeys(self.names, 0.0)
        else:
            group = next(g for g in self.groups if label in g)
            targets = {name: float(name == label) for name in group}
        where = features.indices
        changed: dict[str, tuple[LabelRows, LabelRows]] = {}
        with self._lock:
            for name, target in targets.items():
                model = self.labels[name]
                weights = model.weights[where]  # a copy (fancy indexing): what undo puts back
                error = target - sigmoid(self._logit_at(name, weights, features, base_logit))
                before = LabelRows(weights, model.bias, model.updates)
                model.weights[where] = after = weights + LEARNING_RATE * error * features.values
                model.bias += LEARNING_RATE * BIAS_RATE * error
                model.updates += 1
                changed[name] = (before, LabelRows(after, model.bias, model.updates))
            outcome = _outcome(label, suggested)
            tally = None
            if outcome is not None:
                shown_label = suggested.label if suggested and suggested.shown else label
                assert shown_label is not None
                tally_before = self.tally.copy()
                self.tally.count(outcome, shown_label)
                tally = (tally_before, self.tally.copy())
        return Update(outcome, where, changed, tally)

    def undo(self, update: Update) -> None:
        """Take back `update`: what it touched is as it was before it (exactly, when the
        updates made after it were taken back first)."""
        self._put(update, 0)

    def redo(self, update: Update) -> None:
        """Make `update` again (after `undo`): what it touched is as it was after it."""
        self._put(update, 1)

    def _put(self, update: Update, side: int) -> None:
        with self._lock:
            for name, rows in update.labels.items():
                model, chosen = self.labels[name], rows[side]
                model.weights[update.indices] = chosen.weights
                model.bias, model.updates = chosen.bias, chosen.updates
            if update.tally is not None:
                self.tally = update.tally[side].copy()

    def reject(self, doc_id: str, start: int, end: int) -> None:
        """Remember that the suggestion on `start:end` of the document was rejected."""
        with self._lock:
            self.rejected.add((doc_id, start, end))

    def unreject(self, doc_id: str, start: int, end: int) -> None:
        """Forget a rejection (it was undone)."""
        with self._lock:
            self.rejected.discard((doc_id, start, end))

    def was_rejected(self, doc_id: str, start: int, end: int) -> bool:
        with self._lock:
            return (doc_id, start, end) in self.rejected

    def rejected_copy(self) -> list[tuple[str, int, int]]:
        """The rejections, sorted, taken under the lock (what is saved)."""
        with self._lock:
            return sorted(self.rejected)

    def state(self) -> tuple[list[list[str]], dict[str, LabelModel], Tally]:
        """A copy of what is saved (groups, label models, tally), taken under the lock."""
        with self._lock:
            labels = {
                name: LabelModel(m.weights.copy(), m.bias, m.updates)
                for name, m in self.labels.items()
            }
            return [list(g) for g in self.groups], labels, self.tally.copy()

    # --- figures ------------------------------------------------------------------

    def stats(self) -> dict[str, Any]:
        """How often suggestions were accepted, overall and per suggested label."""
        with self._lock:
            outcomes = dict(self.tally.outcomes)
            by_label = {k: dict(v) for k, v in sorted(self.tally.by_label.items())}
            updates = {n: self.labels[n].updates for n in self.names}
        return {
            **_rates(outcomes),
            "by_label": {name: _rates(counts) for name, counts in by_label.items()},
            "updates": updates,
        }


def _outcome(label: str | None, suggested: Suggestion | None) -> str | None:
    if suggested is None:
        return None
    if suggested.shown:
        if label is None:
            return "rejected"
        return "accepted" if label == suggested.label else "relabelled"
    return "missed" if label is not None else None


def _rates(counts: dict[str, int]) -> dict[str, Any]:
    shown = counts.get("accepted", 0) + counts.get("relabelled", 0) + counts.get("rejected", 0)
    return {
        "suggested": shown,
        **{name: counts.get(name, 0) for name in OUTCOMES},
        "acceptance": round(counts.get("accepted", 0) / shown, 4) if shown else None,
    }
